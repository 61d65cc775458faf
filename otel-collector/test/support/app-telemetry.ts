import { Metadata } from '@grpc/grpc-js';
import { ROOT_CONTEXT, SeverityNumber, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { toXrayTraceId } from '@cruddur/testkit/trace-ids';

export const SERVICE_NAME = 'cruddur-backend';

/** One HTTP request as the app's instrumentation reports it. */
export interface AppRequest {
  method: string;
  /** Route template (http.route); the span is named "{method} {route}". */
  route: string;
  path: string;
  status: number;
  handle: string;
  /** The home route's child span with the seed data (contract: home-activities-mock-data). */
  withHomeChild?: boolean;
  /** Exception message recorded on a 5xx, as the Express instrumentation does. */
  exception?: string;
}

export interface SentRequest {
  request: AppRequest;
  traceId: string;
  serverSpanId: string;
  childSpanId?: string;
  /** The trace id as X-Ray spells it: 1-{8 hex}-{24 hex}. */
  xrayTraceId: string;
}

export const SECRET_HEADER_VALUE = 'Bearer canary-app-user-token-0000';

/**
 * Emits what the Cruddur app emits, through the same SDK and exporters: a SERVER span per
 * request with stable HTTP semconv, the user attributes, the home route's child span, and an
 * access-log record in the request's trace context. Trace ids come from the X-Ray id
 * generator, as in the app (its first 8 hex digits are the epoch second, which X-Ray's
 * console and older exporters rely on).
 */
export class FakeApp {
  readonly instanceId: string;
  private readonly tracerProvider: TracerProvider;
  private readonly loggerProvider: LoggerProvider;

  constructor(otlpUrl: string, instanceId: string) {
    this.instanceId = instanceId;
    const resource = resourceFromAttributes({
      'service.name': SERVICE_NAME,
      'service.instance.id': instanceId,
      'service.version': '0.1.0',
      'deployment.environment.name': 'test',
    });
    this.tracerProvider = new TracerProvider({
      resource,
      idGenerator: new AWSXRayIdGenerator(),
      spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: otlpUrl }) })],
    });
    this.loggerProvider = new LoggerProvider({
      resource,
      processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: otlpUrl }) })],
    });
  }

  request(r: AppRequest): SentRequest {
    const tracer = this.tracerProvider.getTracer('@opentelemetry/instrumentation-http');
    const attributes: Attributes = {
      'http.request.method': r.method,
      'http.route': r.route,
      'http.response.status_code': r.status,
      'url.path': r.path,
      'url.scheme': 'http',
      'server.address': 'localhost',
      'server.port': 4567,
      'user_agent.original': 'cruddur-test/1.0',
      'client.address': '203.0.113.7',
      'network.protocol.version': '1.1',
      'app.user_handle': r.handle,
      'enduser.id': r.handle,
      // Must never leave the collector (attributes/scrub in base.yaml).
      'http.request.header.authorization': [SECRET_HEADER_VALUE],
    };
    const server = tracer.startSpan(`${r.method} ${r.route}`, { kind: SpanKind.SERVER, attributes });
    const ctx = trace.setSpan(ROOT_CONTEXT, server);
    let childSpanId: string | undefined;
    if (r.withHomeChild === true) {
      const child = this.tracerProvider.getTracer('home.activities').startSpan(
        'home-activities-mock-data',
        {
          kind: SpanKind.INTERNAL,
          attributes: { 'app.now': new Date().toISOString(), 'app.result_length': 3 },
        },
        ctx,
      );
      childSpanId = child.spanContext().spanId;
      child.end();
    }
    if (r.exception !== undefined && r.exception !== '') {
      server.recordException(new Error(r.exception));
    }
    if (r.status >= 500) {
      server.setStatus({ code: SpanStatusCode.ERROR });
    }
    this.loggerProvider.getLogger('cruddur.access').emit({
      severityNumber: r.status >= 500 ? SeverityNumber.ERROR : SeverityNumber.INFO,
      severityText: r.status >= 500 ? 'ERROR' : 'INFO',
      body: `${r.method} http ${r.path} ${r.status}`,
      attributes: {
        'http.request.method': r.method,
        'url.path': r.path,
        'url.scheme': 'http',
        'http.response.status_code': r.status,
        'client.address': '203.0.113.7',
        'http.request.header.authorization': SECRET_HEADER_VALUE,
      },
      context: ctx,
    });
    server.end();
    const { traceId, spanId } = server.spanContext();
    return {
      request: r,
      traceId,
      serverSpanId: spanId,
      xrayTraceId: toXrayTraceId(traceId),
      ...(childSpanId === undefined ? {} : { childSpanId }),
    };
  }

  async shutdown(): Promise<void> {
    await this.tracerProvider.forceFlush();
    await this.loggerProvider.forceFlush();
    await this.tracerProvider.shutdown();
    await this.loggerProvider.shutdown();
  }
}

/** The requests every end-to-end run sends: a 200 with the home child span, a 500, a 404 and a 422. */
export const APP_REQUESTS: AppRequest[] = [
  { method: 'GET', route: '/api/activities/home', path: '/api/activities/home', status: 200, handle: 'andrewbrown', withHomeChild: true },
  {
    method: 'GET',
    route: '/api/activities/notifications',
    path: '/api/activities/notifications',
    status: 500,
    handle: 'worf',
    exception: 'notifications store unavailable',
  },
  {
    method: 'GET',
    route: '/api/activities/:uuid',
    path: '/api/activities/00000000-0000-4000-8000-000000000000',
    status: 404,
    handle: 'garek',
  },
  { method: 'POST', route: '/api/activities', path: '/api/activities', status: 422, handle: 'andrewbrown' },
];

/**
 * Exports one span straight to an OTLP/gRPC endpoint with the given x-honeycomb-team value
 * (none when undefined) and returns the export's error, if any.
 */
export async function exportWithTeamKey(grpcUrl: string, teamKey: string | undefined): Promise<Error | undefined> {
  const metadata = new Metadata();
  if (teamKey !== undefined) metadata.set('x-honeycomb-team', teamKey);
  const exporter = new OTLPTraceExporter({ url: grpcUrl, metadata });
  let failure: Error | undefined;
  let succeeded = false;
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': SERVICE_NAME }),
    spanProcessors: [
      {
        onStart: () => undefined,
        onEnd: (span) => {
          exporter.export([span], (result) => {
            if (result.error) failure = result.error;
            else succeeded = result.code === 0;
          });
        },
        forceFlush: () => exporter.forceFlush(),
        shutdown: () => exporter.shutdown(),
      },
    ],
  });
  provider.getTracer('auth-check').startSpan('auth-check').end();
  const deadline = Date.now() + 15_000;
  while (!failure && !succeeded && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  await provider.shutdown();
  if (!failure && !succeeded) return new Error('export neither succeeded nor failed within 15 s');
  return failure;
}
