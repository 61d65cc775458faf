import { context, isSpanContextValid, type Span, TraceFlags, trace } from '@opentelemetry/api';
import { getRPCMetadata } from '@opentelemetry/core';

/**
 * The span of the whole HTTP request (the SERVER span), even while a child span is active.
 * The HTTP instrumentation stores it in the context as RPC metadata; without an SDK this
 * returns undefined and callers do nothing.
 */
export function requestSpan(): Span | undefined {
  return getRPCMetadata(context.active())?.span ?? trace.getActiveSpan();
}

/**
 * Whether the current request's trace is sampled (its spans exported), or undefined without a
 * valid trace context (no SDK, or outside a request). A sampled-out request still has a trace id.
 */
export function isRequestSampled(): boolean | undefined {
  const span = requestSpan();
  if (span === undefined) return undefined;
  const spanContext = span.spanContext();
  if (!isSpanContextValid(spanContext)) return undefined;
  return (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
}
