/**
 * Bench-only bootstrap, variant "floor": the least any tracing setup can cost here. Only the
 * HTTP server instrumentation, every span recorded (sampled, attributes set, ended) and then
 * dropped by a processor that does nothing, so no export cost at all. No logs SDK.
 *
 * Loaded with `node --import <this file> dist/src/server.js`, like naive-register.ts.
 */
import type { Context } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

/** Accepts every finished span and keeps none of it. */
class DroppingSpanProcessor implements SpanProcessor {
  onStart(_span: Span, _parentContext: Context): void {
    // Nothing happens at start: the floor measures the span alone.
  }
  onEnd(_span: ReadableSpan): void {
    // Dropped: no export, no queue.
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const sdk = new NodeSDK({
  spanProcessors: [new DroppingSpanProcessor()],
  metricReaders: [],
  instrumentations: [new HttpInstrumentation()],
});
sdk.start();
