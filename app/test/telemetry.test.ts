import { Writable } from 'node:stream';

import type { SpanKind as SpanKindEnum } from '@opentelemetry/api';
import type { InMemoryLogRecordExporter as LogExporter, SimpleLogRecordProcessor as LogProcessor } from '@opentelemetry/sdk-logs';
import type { InMemorySpanExporter as SpanExporter, ReadableSpan, SimpleSpanProcessor as SpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type * as ComposeModule from '../src/compose.ts';
import type * as ConfigModule from '../src/config.ts';
import type * as LoggerModule from '../src/logging/logger.ts';
import type * as SdkModule from '../src/telemetry/sdk.ts';
import { requireDist, requirePackage } from './support/dist.ts';
import { captureServer, listen, type CaptureServer, type Listening } from '@cruddur/testkit/http';

const api = requirePackage<typeof import('@opentelemetry/api')>('@opentelemetry/api');
const { InMemorySpanExporter, SimpleSpanProcessor } = requirePackage<{
  InMemorySpanExporter: typeof SpanExporter;
  SimpleSpanProcessor: typeof SpanProcessor;
}>('@opentelemetry/sdk-trace');
const { InMemoryLogRecordExporter, SimpleLogRecordProcessor } = requirePackage<{
  InMemoryLogRecordExporter: typeof LogExporter;
  SimpleLogRecordProcessor: typeof LogProcessor;
}>('@opentelemetry/sdk-logs');
const SpanKind: typeof SpanKindEnum = api.SpanKind;

// Canaries: none of these may appear in any span, log record or Rollbar item.
const CANARY = {
  rollbarToken: 'canary-rollbar-token-5f1d9c',
  authorization: 'Bearer canary-authorization-8e2a7b',
  cookie: 'session=canary-cookie-3c6f0d',
  honeycomb: 'canary-honeycomb-key-91b4e2',
};

const spans = new InMemorySpanExporter();
const logRecords = new InMemoryLogRecordExporter();
const stdout: string[] = [];
let sdk: { start: () => void; shutdown: () => Promise<void> };
let rollbar: CaptureServer;
let service: Listening;

beforeAll(async () => {
  rollbar = await captureServer();
  const { createTelemetrySdk } = requireDist<typeof SdkModule>('telemetry/sdk.js');
  sdk = createTelemetrySdk({
    serviceVersion: '9.9.9-test',
    deploymentEnvironment: 'test',
    serviceInstanceId: 'instance-under-test',
    errorReportingUrl: `${rollbar.url}/api/1/item/`,
    spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
    logRecordProcessors: [new SimpleLogRecordProcessor({ exporter: logRecords })],
    environment: {},
  });
  sdk.start();

  // Only now load the service, so the instrumentations see express, http and pino required.
  const { createService } = requireDist<typeof ComposeModule>('compose.js');
  const { parseConfig } = requireDist<typeof ConfigModule>('config.js');
  const { createLogger } = requireDist<typeof LoggerModule>('logging/logger.js');
  const config = parseConfig({
    CRUDDUR_DEBUG_ROUTES: 'true',
    ROLLBAR_ACCESS_TOKEN: CANARY.rollbarToken,
    ROLLBAR_ENDPOINT: `${rollbar.url}/api/1/item/`,
    ROLLBAR_ENVIRONMENT: 'test',
    FRONTEND_URL: 'https://frontend.example.com',
  });
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      stdout.push(chunk.toString('utf8'));
      callback();
    },
  });
  const { app } = createService({ config, logger: createLogger({ level: 'info', destination }) });
  service = await listen(app);
});

beforeEach(() => {
  spans.reset();
  logRecords.reset();
});

afterAll(async () => {
  await service.close();
  await rollbar.close();
  await sdk.shutdown();
});

/** Spans arrive when they end; the server span ends just after the response is written. */
async function finishedSpans(predicate: (all: ReadableSpan[]) => boolean): Promise<ReadableSpan[]> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const all = spans.getFinishedSpans();
    if (predicate(all)) return all;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return spans.getFinishedSpans();
}

const serverSpanFor = (all: ReadableSpan[], path: string): ReadableSpan | undefined =>
  all.find((span) => span.kind === SpanKind.SERVER && span.attributes['url.path'] === path);

async function request(path: string, headers: Record<string, string> = {}): Promise<ReadableSpan> {
  const response = await fetch(`${service.url}${path}`, { headers });
  await response.arrayBuffer();
  const all = await finishedSpans((found) => serverSpanFor(found, path.split('?')[0] ?? path) !== undefined);
  const span = serverSpanFor(all, path.split('?')[0] ?? path);
  if (span === undefined) throw new Error(`no server span for ${path}`);
  return span;
}

describe('spans', () => {
  it('answers with its server span as Server-Timing traceparent, readable by the front end', async () => {
    const traceId = '5759e988bd862e3fe1be46a994272793';
    const response = await fetch(`${service.url}/api/activities/home`, { headers: { traceparent: `00-${traceId}-53995c3f42cd8ad8-01` } });
    await response.arrayBuffer();
    const all = await finishedSpans((found) => serverSpanFor(found, '/api/activities/home') !== undefined);
    const server = serverSpanFor(all, '/api/activities/home');
    expect(server?.spanContext().traceId).toBe(traceId);
    expect(response.headers.get('server-timing')).toBe(`traceparent;desc="00-${traceId}-${server?.spanContext().spanId ?? ''}-01"`);
    expect(response.headers.get('timing-allow-origin')).toBe('https://frontend.example.com');
  });

  it('ends the server span when the response was sent, not when a busy event loop gets to close it', async () => {
    // The handler sends its response, then keeps the event loop busy for BUSY_MS: Node's 'close'
    // (where the instrumentation ends the span) can only come after that, the send came before.
    const BUSY_MS = 80;
    const busy = await listen((_req, res) => {
      res.end('sent');
      const until = performance.now() + BUSY_MS;
      while (performance.now() < until) {
        // the event loop is blocked, as by a GC or a large export
      }
    });
    try {
      const response = await fetch(`${busy.url}/sent-then-busy`);
      expect(await response.text()).toBe('sent');
      const all = await finishedSpans((found) => serverSpanFor(found, '/sent-then-busy') !== undefined);
      const server = serverSpanFor(all, '/sent-then-busy');
      expect(server?.ended).toBe(true);
      const [seconds, nanos] = server?.duration ?? [BUSY_MS, 0];
      expect(seconds * 1000 + nanos / 1e6).toBeLessThan(BUSY_MS / 2);
    } finally {
      await busy.close();
    }
  });

  it('names the request span by route and tags it with the user', async () => {
    const server = await request('/api/activities/home', { 'X-Cruddur-User-Handle': 'worf' });
    expect(server.name).toBe('GET /api/activities/home');
    expect(server.attributes).toMatchObject({
      'http.route': '/api/activities/home',
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'app.user_handle': 'worf',
      'enduser.id': 'worf',
    });
    expect(server.resource.attributes).toMatchObject({
      'service.name': 'cruddur-backend',
      'service.version': '9.9.9-test',
      'deployment.environment.name': 'test',
      'service.instance.id': 'instance-under-test',
    });
  });

  // Named by route-name.ts (the Express instrumentation is not loaded): the pattern, not the path.
  it('names a parameterised route by its pattern and leaves an unrouted request named by its method', async () => {
    const show = await request('/api/activities/0b8f3d7e-2c41-4a6b-9d55-1e7a9c3f6b21');
    expect(show.name).toBe('GET /api/activities/:uuid');
    expect(show.attributes['http.route']).toBe('/api/activities/:uuid');
    const feed = await request('/api/activities/@worf');
    expect(feed.name).toBe('GET /api/activities/@{:handle}');
    const missing = await request('/no/such/route');
    expect(missing.name).toBe('GET');
    expect(missing.attributes['http.route']).toBeUndefined();
  });

  it('records home-activities-mock-data under the request span with app.now and app.result_length', async () => {
    const server = await request('/api/activities/home');
    const mock = spans.getFinishedSpans().find((span) => span.name === 'home-activities-mock-data');
    expect(mock?.instrumentationScope.name).toBe('home.activities');
    expect(mock?.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(mock?.spanContext().traceId).toBe(server.spanContext().traceId);
    expect(mock?.attributes['app.result_length']).toBe(3);
    const now = String(mock?.attributes['app.now']);
    expect(now).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/);
    expect(Math.abs(Date.parse(now) - Date.now())).toBeLessThan(10_000);
  });

  it('records the user feed as mock-data with now and results-size', async () => {
    const server = await request('/api/activities/@worf');
    const feed = spans.getFinishedSpans().find((span) => span.name === 'mock-data');
    expect(feed?.instrumentationScope.name).toBe('user.activities');
    expect(feed?.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(feed?.attributes).toMatchObject({ 'results-size': 1, 'app.result_length': 1, 'app.feed_handle': 'worf' });
    expect(String(feed?.attributes.now)).toMatch(/\+00:00$/);
  });

  it('uses X-Ray compatible trace ids: the first 8 hex digits are the epoch seconds of now', async () => {
    const before = Math.floor(Date.now() / 1000);
    const server = await request('/api/activities/notifications');
    const after = Math.floor(Date.now() / 1000);
    const { traceId } = server.spanContext();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const epoch = Number.parseInt(traceId.slice(0, 8), 16);
    expect(epoch).toBeGreaterThanOrEqual(before);
    expect(epoch).toBeLessThanOrEqual(after);
  });

  it('continues a trace from an incoming X-Amzn-Trace-Id header', async () => {
    const server = await request('/api/message_groups', {
      'X-Amzn-Trace-Id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    });
    expect(server.spanContext().traceId).toBe('5759e988bd862e3fe1be46a994272793');
    expect(server.parentSpanContext?.spanId).toBe('53995c3f42cd8ad8');
  });

  it('continues a trace from an incoming W3C traceparent header', async () => {
    const server = await request('/api/activities/search?term=cloud', {
      traceparent: '00-6b03a1f2c0ffee0123456789abcdef01-00f067aa0ba902b7-01',
    });
    expect(server.spanContext().traceId).toBe('6b03a1f2c0ffee0123456789abcdef01');
    expect(server.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
  });

  it('sends both traceparent and X-Amzn-Trace-Id on outgoing calls', async () => {
    const downstream = await captureServer(() => ({ body: { ok: true } }));
    try {
      const tracer = api.trace.getTracer('test');
      const traceId = await tracer.startActiveSpan('outgoing-call', async (span) => {
        await (await fetch(`${downstream.url}/downstream`)).arrayBuffer();
        span.end();
        return span.spanContext().traceId;
      });
      const [received] = await downstream.waitFor(1);
      expect(received?.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      expect(received?.headers['x-amzn-trace-id']).toMatch(
        new RegExp(`^Root=1-${traceId.slice(0, 8)}-${traceId.slice(8)};Parent=[0-9a-f]{16};Sampled=1$`),
      );
    } finally {
      await downstream.close();
    }
  });

  it('exports no span for /health', async () => {
    await (await fetch(`${service.url}/health`)).arrayBuffer();
    await request('/api/activities/notifications');
    const paths = spans.getFinishedSpans().map((span) => span.attributes['url.path']);
    expect(paths).not.toContain('/health');
  });

  it('records only the request span and domain spans: no middleware, router, dns, net or fs spans', async () => {
    await request('/api/activities/home');
    const scopes = new Set(spans.getFinishedSpans().map((span) => span.instrumentationScope.name));
    expect([...scopes].sort()).toEqual(['@opentelemetry/instrumentation-http', 'home.activities']);
  });

  it('marks a server fault on the request span with the exception', async () => {
    const server = await request('/debug/error');
    expect(server.attributes['http.response.status_code']).toBe(500);
    expect(server.status.code).toBe(api.SpanStatusCode.ERROR);
    const exception = server.events.find((event) => event.name === 'exception');
    expect(exception?.attributes?.['exception.message']).toBe('deliberate failure from /debug/error');
  });

  it('tags a validation failure with its error key and leaves the span status unset', async () => {
    const server = await request('/api/activities/@');
    expect(server.attributes).toMatchObject({ 'http.response.status_code': 422, 'app.error_key': 'blank_user_handle' });
    expect(server.status.code).toBe(api.SpanStatusCode.UNSET);
  });
});

describe('logs', () => {
  it('exports the access log record through the OTel bridge with the request trace id', async () => {
    const server = await request('/api/activities/home');
    const { traceId, spanId } = server.spanContext();
    const access = logRecords.getFinishedLogRecords().find((record) => record.attributes['log.type'] === 'access');
    expect(access?.spanContext?.traceId).toBe(traceId);
    expect(access?.spanContext?.spanId).toBe(spanId);
    expect(access?.severityText).toBe('info');
    expect(access?.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.path': '/api/activities/home',
      'http.response.status_code': 200,
      'client.address': '127.0.0.1',
      'url.scheme': 'http',
    });
    expect(String(access?.body)).toContain('GET http /api/activities/home 200');
    const domain = logRecords.getFinishedLogRecords().find((record) => record.body === 'home activities requested');
    expect(domain?.spanContext?.traceId).toBe(traceId);
    // The same record also went to stdout as JSON, stamped with the same ids.
    const line = stdout
      .map((chunk) => JSON.parse(chunk) as Record<string, unknown>)
      .find((entry) => entry.trace_id === traceId && entry['log.type'] === 'access');
    expect(line).toMatchObject({ span_id: spanId, 'url.path': '/api/activities/home' });
  });
});

interface RollbarItem {
  data: {
    level: string;
    environment: string;
    code_version?: string;
    person?: { id: string };
    custom?: { trace_id?: string; span_id?: string };
    body: { message?: { body: string }; trace_chain?: Array<{ exception: { message: string } }> };
    request?: { headers?: Record<string, string>; url?: string };
  };
}

const rollbarItems = (): RollbarItem[] => rollbar.requests.map((captured) => JSON.parse(captured.body) as RollbarItem);

/** Items are sent asynchronously: wait for the one that belongs to a given trace. */
async function rollbarItemFor(traceId: string): Promise<RollbarItem> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const item = rollbarItems().find((candidate) => candidate.data.custom?.trace_id === traceId);
    if (item !== undefined) return item;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no Rollbar item for trace ${traceId}`);
}

describe('Rollbar', () => {
  it('sends a warning for /rollbar/test with the person and the trace id, and traces no call to Rollbar', async () => {
    const server = await request('/rollbar/test', { 'X-Cruddur-User-Handle': 'garek' });
    const item = await rollbarItemFor(server.spanContext().traceId);
    expect(item.data).toMatchObject({
      level: 'warning',
      environment: 'test',
      code_version: expect.any(String) as string,
      person: { id: 'garek' },
      custom: { trace_id: server.spanContext().traceId, span_id: server.spanContext().spanId },
      body: { message: { body: 'Hello World!' } },
    });
    const captured = rollbar.requests.find((candidate) => candidate.body.includes(server.spanContext().traceId));
    expect(captured?.path).toBe('/api/1/item/');
    expect(captured?.headers['x-rollbar-access-token']).toBe(CANARY.rollbarToken);
    const rollbarHost = new URL(rollbar.url).host;
    const tracedCalls = spans
      .getFinishedSpans()
      .filter((span) => span.kind === SpanKind.CLIENT && JSON.stringify(span.attributes).includes(rollbarHost));
    expect(tracedCalls).toEqual([]);
  });

  it('reports a 5xx as an error item carrying the exception and the trace id', async () => {
    const server = await request('/debug/error');
    const item = await rollbarItemFor(server.spanContext().traceId);
    expect(item.data).toMatchObject({ level: 'error', person: { id: 'andrewbrown' } });
    expect(item.data.body.trace_chain?.[0]?.exception.message).toBe('deliberate failure from /debug/error');
  });

  it('does not report client errors', async () => {
    const invalid = await request('/api/activities/@');
    const unknown = await request('/api/nothing-here');
    // Rollbar sends in order: once an item reported after them has arrived, theirs would have too.
    const barrier = await request('/rollbar/test');
    await rollbarItemFor(barrier.spanContext().traceId);
    const traceIds = new Set(rollbarItems().map((item) => item.data.custom?.trace_id));
    expect(traceIds.has(invalid.spanContext().traceId)).toBe(false);
    expect(traceIds.has(unknown.spanContext().traceId)).toBe(false);
  });
});

describe('secrets', () => {
  it('never lets a canary into a span, a log record, stdout or a Rollbar item', async () => {
    const headers = {
      Authorization: CANARY.authorization,
      Cookie: CANARY.cookie,
      'X-Honeycomb-Team': CANARY.honeycomb,
    };
    const failed = await request('/debug/error', headers);
    const warned = await request('/rollbar/test', headers);
    await request('/api/activities/home', headers);
    const items = [await rollbarItemFor(failed.spanContext().traceId), await rollbarItemFor(warned.spanContext().traceId)];
    const evidence = JSON.stringify({
      spans: spans
        .getFinishedSpans()
        .map((span) => ({ name: span.name, attributes: span.attributes, events: span.events, resource: span.resource.attributes })),
      logs: logRecords.getFinishedLogRecords().map((record) => ({ body: record.body, attributes: record.attributes })),
      stdout,
      items: items.map((item) => item.data),
    });
    for (const secret of ['canary-rollbar-token', 'canary-authorization', 'canary-cookie', 'canary-honeycomb']) {
      expect(evidence).not.toContain(secret);
    }
    // Rollbar did receive those headers, masked.
    for (const item of items) {
      const requestHeaders = item.data.request?.headers ?? {};
      for (const name of ['authorization', 'cookie', 'x-honeycomb-team']) expect(requestHeaders[name]).toMatch(/^\*+$/);
    }
  });
});

describe('OTEL_BLRP_* (the log processor is built by the app, so the app reads them)', () => {
  it('reads the four settings, leaves unset or empty ones to the SDK, and ignores invalid ones', () => {
    const { logBufferSettings } = requireDist<typeof SdkModule>('telemetry/sdk.js');
    expect(
      logBufferSettings({
        OTEL_BLRP_MAX_QUEUE_SIZE: '16384',
        OTEL_BLRP_SCHEDULE_DELAY: ' 200 ',
        OTEL_BLRP_EXPORT_TIMEOUT: '30000',
        OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '512',
      }),
    ).toEqual({ maxQueueSize: 16_384, scheduledDelayMillis: 200, exportTimeoutMillis: 30_000, maxExportBatchSize: 512 });
    expect(logBufferSettings({})).toEqual({});
    expect(
      logBufferSettings({
        OTEL_BLRP_SCHEDULE_DELAY: '',
        OTEL_BLRP_MAX_QUEUE_SIZE: 'lots',
        OTEL_BLRP_EXPORT_TIMEOUT: '-1',
        OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '0',
      }),
    ).toEqual({});
  });
});
