import type { IncomingMessage, RequestOptions } from 'node:http';

import { diag } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, type BatchLogRecordProcessorOptions, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

import { enableLogBridge, INSTRUMENTATION_SCOPE } from './log-bridge.ts';
import { OtlpGrpcLogExporter, OtlpGrpcSpanExporter } from './otlp-exporters.ts';
import { endServerSpanWhenSent } from './response-sent.ts';
import { RetryingExporter } from './retrying-exporter.ts';
import { type ChosenSampler, samplerFromEnvironment } from './sampler.ts';

export const DEFAULT_SERVICE_NAME = 'cruddur-backend';
export const HEALTH_PATH = '/health';

export interface TelemetryOptions {
  readonly serviceVersion: string;
  readonly deploymentEnvironment: string;
  readonly serviceInstanceId: string;
  /** Error-reporting endpoint whose calls must not be traced (Rollbar's item API). */
  readonly errorReportingUrl?: string;
  /** How long a failed OTLP export is retried (collector restarting); 0 = never. */
  readonly exportRetryMaxElapsedMs?: number;
  /** Tests inject in-memory exporters; production exports OTLP/gRPC as the env says. */
  readonly spanProcessors?: SpanProcessor[];
  readonly logRecordProcessors?: LogRecordProcessor[];
  readonly environment?: NodeJS.ProcessEnv;
}

type ExporterChoice = 'otlp' | 'console' | 'none';

/**
 * The standard `OTEL_TRACES_EXPORTER` / `OTEL_LOGS_EXPORTER` switch, narrowed to what this
 * service supports. OTLP here always means gRPC to the collector sidecar: vendors are the
 * collector's business, so there is no per-vendor exporter to choose in the app.
 */
function exporterChoice(value: string | undefined): ExporterChoice {
  const names = (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.includes('none')) return 'none';
  if (names.includes('console') && !names.includes('otlp')) return 'console';
  return 'otlp';
}

function isHealthCheck(request: IncomingMessage): boolean {
  const url = request.url ?? '';
  return url === HEALTH_PATH || url.startsWith(`${HEALTH_PATH}?`);
}

/** Host[:port] of a URL, to recognise outgoing calls to it; undefined when not a URL. */
function hostOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

const ROLLBAR_DEFAULT_HOST = 'api.rollbar.com';

/** The SDK's own switch, read the way NodeSDK reads it. */
export function isSdkDisabled(environment: NodeJS.ProcessEnv): boolean {
  return (environment.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true';
}

/**
 * Only the instrumentations this service needs, each configured to record what matters and no
 * more. `getNodeAutoInstrumentations()` would construct ~40 instrumentations (each hooks module
 * loading at construction) and trace dns lookups, socket connects, fs calls and every Express
 * middleware layer: on a request that does no I/O, that is several times the cost of the request.
 */
export function createInstrumentations(options: Pick<TelemetryOptions, 'errorReportingUrl'>): Instrumentation[] {
  const ignoredHosts = new Set([ROLLBAR_DEFAULT_HOST, hostOf(options.errorReportingUrl)].filter((host) => host !== undefined));
  const isIgnoredOutgoing = (request: RequestOptions): boolean => {
    const host = request.hostname ?? request.host ?? '';
    const port = request.port === undefined || request.port === null ? '' : `:${String(request.port)}`;
    return ignoredHosts.has(host) || ignoredHosts.has(`${host}${port}`);
  };
  return [
    new HttpInstrumentation({
      // Orchestrator probes would drown real traffic and cost an export each.
      ignoreIncomingRequestHook: isHealthCheck,
      // Reporting an error must not produce telemetry about reporting the error.
      ignoreOutgoingRequestHook: isIgnoredOutgoing,
      // A client call with no request around it (timers, start-up) is noise, not a trace.
      requireParentforOutgoingSpans: true,
      // Server spans end when the response was sent, not when Node emits 'close' (response-sent.ts).
      responseHook: endServerSpanWhenSent,
    }),
    new UndiciInstrumentation({ requireParentforSpans: true }),
    // No Express instrumentation: the request span is named by route by `routeName()`
    // (route-name.ts) for a fraction of the cost, and Express layer spans are not wanted.
    // No pino instrumentation: the logger stamps trace ids on its stdout lines and sends its
    // records to the OTel logs SDK itself, the same output for less (telemetry/log-bridge.ts).
  ];
}

type LogBufferSettings = Pick<
  BatchLogRecordProcessorOptions,
  'maxQueueSize' | 'scheduledDelayMillis' | 'exportTimeoutMillis' | 'maxExportBatchSize'
>;

const LOG_BUFFER_VARIABLES: Record<keyof LogBufferSettings, string> = {
  maxQueueSize: 'OTEL_BLRP_MAX_QUEUE_SIZE',
  scheduledDelayMillis: 'OTEL_BLRP_SCHEDULE_DELAY',
  exportTimeoutMillis: 'OTEL_BLRP_EXPORT_TIMEOUT',
  maxExportBatchSize: 'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE',
};

/**
 * The OTEL_BLRP_* settings, read as NodeSDK reads OTEL_BSP_* for the span processor it builds.
 * sdk-logs' BatchLogRecordProcessor reads no environment itself (an unset option is its built-in
 * default), and NodeSDK applies the variables only to processors it builds; ours is built here to
 * wrap the exporter in RetryingExporter, so without this they were silently ignored (queue 2048
 * instead of the configured 16384, delay always 1 s). Unset or empty: the SDK default; not a
 * positive number: a warning and the default, as NodeSDK does for OTEL_BSP_*.
 */
export function logBufferSettings(environment: NodeJS.ProcessEnv): LogBufferSettings {
  const settings: LogBufferSettings = {};
  for (const [option, variable] of Object.entries(LOG_BUFFER_VARIABLES) as [keyof LogBufferSettings, string][]) {
    const raw = (environment[variable] ?? '').trim();
    if (raw === '') continue;
    const value = Number(raw);
    // 0 is refused too: a queue or batch of 0 never sends anything, a 0 ms timeout fails every export.
    if (Number.isFinite(value) && value > 0) settings[option] = value;
    else diag.warn(`${variable} must be a positive number; using the SDK default`);
  }
  return settings;
}

/**
 * Builds (does not start) the SDK: X-Ray-compatible ids so the same trace id is valid in X-Ray
 * and Honeycomb; W3C trace context and baggage plus X-Ray's header both in and out, so a caller
 * behind an ALB or an X-Ray SDK continues its trace here and calls out carry both headers.
 */
export function createTelemetrySdk(options: TelemetryOptions): NodeSDK {
  // biome-ignore lint/style/noProcessEnv: NodeSDK reads OTEL_* from process.env itself; the default reads the same.
  const environment = options.environment ?? process.env;
  const tracesExporter = exporterChoice(environment.OTEL_TRACES_EXPORTER);
  const logsExporter = exporterChoice(environment.OTEL_LOGS_EXPORTER);
  // OTEL_SDK_DISABLED=true makes NodeSDK.start() a no-op, but an instrumentation hooks its
  // module as soon as it is constructed: "disabled" still ran the HTTP/pino hooks on every
  // request against a no-op tracer (measured +40-50 µs/request, docs/bench/RESULTS.md).
  // Disabled now means none of it is loaded.
  const disabled = isSdkDisabled(environment);

  // The batch processors' bounded queues buffer while one batch retries; see retrying-exporter.ts.
  const retry = { maxElapsedMs: options.exportRetryMaxElapsedMs ?? 25_000 };
  const spanProcessors = options.spanProcessors;
  const logRecordProcessors =
    options.logRecordProcessors ??
    (logsExporter === 'otlp'
      ? [
          new BatchLogRecordProcessor({
            ...logBufferSettings(environment),
            exporter: new RetryingExporter(new OtlpGrpcLogExporter(), retry),
          }),
        ]
      : undefined);

  // Service name default; OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES still win (env detector).
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: DEFAULT_SERVICE_NAME,
    [ATTR_SERVICE_VERSION]: options.serviceVersion,
    'service.instance.id': options.serviceInstanceId,
    'deployment.environment.name': options.deploymentEnvironment,
    // The pre-1.27 key, still what X-Ray's console and many Honeycomb boards read.
    'deployment.environment': options.deploymentEnvironment,
  });
  // X-Ray rules match on service.name, so the sampler sees it as NodeSDK will (env detector on top).
  const chosen = disabled ? undefined : samplerFromEnvironment(environment, resource.merge(detectResources({ detectors: [envDetector] })));
  if (chosen !== undefined) diag.info(`trace sampler: ${chosen.description}`);

  const instrumentations = disabled ? [] : createInstrumentations(options);
  // Loggers created from now on stamp trace ids and send their records to OTel (log-bridge.ts).
  if (!disabled) enableLogBridge(INSTRUMENTATION_SCOPE);

  const sdk = new NodeSDK({
    resource,
    // OTEL_TRACES_SAMPLER=xray is ours (sampler.ts); any other value NodeSDK reads itself.
    ...(chosen === undefined ? {} : { sampler: chosen.sampler }),
    idGenerator: new AWSXRayIdGenerator(),
    textMapPropagator: new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator(), new AWSXRayPropagator()],
    }),
    // Span processors when given; otherwise the OTLP exporter unless OTEL_TRACES_EXPORTER says otherwise.
    ...(spanProcessors === undefined ? {} : { spanProcessors }),
    ...(spanProcessors === undefined && tracesExporter === 'otlp'
      ? { traceExporter: new RetryingExporter(new OtlpGrpcSpanExporter(), retry) }
      : {}),
    ...(logRecordProcessors === undefined ? {} : { logRecordProcessors }),
    // The SDK defaults to an OTLP metrics exporter; this service exports none unless asked.
    ...(environment.OTEL_METRICS_EXPORTER === undefined ? { metricReaders: [] } : {}),
    instrumentations,
  });
  stopSamplerOnShutdown(sdk, chosen);
  return sdk;
}

/** The sampler's pollers stop with the SDK, so a shut-down SDK asks the endpoint nothing more. */
function stopSamplerOnShutdown(sdk: NodeSDK, chosen: ChosenSampler | undefined): void {
  if (chosen === undefined) return;
  const shutdown = sdk.shutdown.bind(sdk);
  sdk.shutdown = async () => {
    chosen.stop();
    await shutdown();
  };
}
