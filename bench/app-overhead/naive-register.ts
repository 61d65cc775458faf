/**
 * Bench-only bootstrap, variant "naive": what the OpenTelemetry getting-started guide gives you.
 * `getNodeAutoInstrumentations()` with its defaults, NodeSDK with OTLP/gRPC trace and log
 * exporters to the same collector as "ours", so the two differ only in what is instrumented
 * and how. Metrics are off (OTEL_METRICS_EXPORTER=none, set by the runner) because "ours"
 * exports none either; this compares traces + logs against traces + logs.
 *
 * Loaded with `node --import <this file> dist/src/server.js`: an ES module preloaded before the
 * CommonJS app, so the require hooks are in place before the app loads http/express/pino.
 */
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { NodeSDK } from '@opentelemetry/sdk-node';

const sdk = new NodeSDK({
  traceExporter: new OTLPTraceExporter(),
  logRecordProcessors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter() })],
  instrumentations: [getNodeAutoInstrumentations()],
});
sdk.start();

// The app's own shutdown flushes only its own SDK handle; flush this one on the same signal.
process.once('SIGTERM', () => void sdk.shutdown());
