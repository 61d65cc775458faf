import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { honeycombReport, logGroupEvents, rollbarItems, xrayDocuments, type SegmentDoc } from '@cruddur/testkit/backends';
import { newXrayCompatibleTraceId, toXrayTraceId, traceparent } from '@cruddur/testkit/trace-ids';
import { sendDaemonSegment } from '@cruddur/testkit/xray-daemon-client';
import { waitFor } from '@cruddur/testkit/processes';
import { offlineCollectorFiles, startStack, type Stack } from '@cruddur/testkit/stack';

/**
 * The whole stack in containers (app, collector sidecar, stand-ins), from the same images and
 * config files `make up` uses: one request's trace id must reach every backend.
 */

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.down();
});

/** Polls every 300 ms until the probe returns a value (20 s unless told). */
const eventually = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> =>
  waitFor(what, probe, timeoutMs, 300);

/** Sends a request with a trace id of our choosing, so every backend can be searched for it. */
async function request(
  path: string,
  init: { user?: string; method?: string; body?: unknown } = {},
): Promise<{ traceId: string; status: number }> {
  const traceId = newXrayCompatibleTraceId();
  const headers: Record<string, string> = { traceparent: traceparent(traceId) };
  if (init.user !== undefined) headers['x-cruddur-user-handle'] = init.user;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${stack.appUrl}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  await response.arrayBuffer();
  return { traceId, status: response.status };
}

const segmentsFor = (traceId: string, minimum = 1): Promise<SegmentDoc[]> =>
  eventually(`X-Ray segments of ${traceId}`, async () => {
    const documents = await xrayDocuments(stack.aws, traceId);
    return documents.length >= minimum ? documents : undefined;
  });

const serverSegment = (documents: SegmentDoc[]): SegmentDoc | undefined =>
  documents.find((doc) => doc.type !== 'subsegment' && doc.name === 'cruddur-backend');

describe('fan-out: one request, every backend', () => {
  it('GET /api/activities/home reaches Honeycomb, X-Ray and CloudWatch under one trace id', async () => {
    const { traceId, status } = await request('/api/activities/home', { user: 'worf' });
    expect(status).toBe(200);

    // Honeycomb: the request span and the seeds' span with its attributes, and the team header.
    const spans = await eventually('Honeycomb spans', async () => {
      const report = await honeycombReport(stack.honeycombUrl);
      const ofTrace = report.spans.filter((span) => span.traceId === traceId);
      return ofTrace.some((span) => span.name === 'home-activities-mock-data') ? { ofTrace, report } : undefined;
    });
    const root = spans.ofTrace.find((span) => span.name === 'GET /api/activities/home');
    const mock = spans.ofTrace.find((span) => span.name === 'home-activities-mock-data');
    expect(root?.attributes).toMatchObject({ 'app.user_handle': 'worf', 'enduser.id': 'worf', 'http.response.status_code': 200 });
    expect(root?.resource).toMatchObject({ 'service.name': 'cruddur-backend' });
    expect(mock?.parentSpanId).toBe(root?.spanId);
    expect(mock?.scope).toBe('home.activities');
    expect(mock?.attributes['app.result_length']).toBe(3);
    expect(String(mock?.attributes['app.now'])).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/);
    const traceExports = spans.report.requests.filter((entry) => entry.signal === 'traces' && entry.authorized);
    expect(traceExports.length).toBeGreaterThan(0);
    for (const entry of traceExports) expect(entry.headers['x-honeycomb-team']).toBe('[redacted]');

    // X-Ray: the segment with its subsegment, the user and the annotation.
    const documents = await segmentsFor(traceId, 2);
    const segment = serverSegment(documents);
    expect(segment?.trace_id).toBe(toXrayTraceId(traceId));
    expect(segment?.user).toBe('worf');
    expect(segment?.annotations).toMatchObject({ 'app.user_handle': 'worf' });
    expect(segment?.http?.response?.status).toBe(200);
    expect(segment?.http?.request?.method).toBe('GET');
    const subsegment = documents.find((doc) => doc.name === 'home-activities-mock-data');
    expect(subsegment?.parent_id).toBe(segment?.id);
    expect(subsegment?.annotations).toMatchObject({ 'app.result_length': 3 });
    expect(segment?.aws?.cloudwatch_logs?.map((group) => group.log_group)).toContain('cruddur');

    // CloudWatch: the access log line and the domain log line, stamped with the trace id.
    const events = await eventually('CloudWatch events', async () => {
      const ofTrace = (await logGroupEvents(stack.aws, 'cruddur')).filter((event) => event.message.trace_id === traceId);
      return ofTrace.length >= 2 ? ofTrace : undefined;
    });
    const access = events.find((event) => event.message.attributes?.['log.type'] === 'access');
    expect(access?.message.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.path': '/api/activities/home',
      'http.response.status_code': 200,
    });
    expect(access?.stream).toMatch(/^cruddur-backend\/[0-9a-f-]{36}$/);
    expect(events.map((event) => event.message.body)).toContain('home activities requested');
  });

  it('a 5xx is a fault in X-Ray, an error in CloudWatch and an item in Rollbar, all with its trace id', async () => {
    const { traceId, status } = await request('/debug/error');
    expect(status).toBe(500);
    const segment = serverSegment(await segmentsFor(traceId));
    expect(segment).toMatchObject({ fault: true });
    expect(segment?.error).not.toBe(true);
    const item = await eventually('Rollbar item for the 5xx', async () =>
      (await rollbarItems(stack.rollbarUrl)).find((candidate) => candidate.data.custom?.trace_id === traceId),
    );
    expect(item.level).toBe('error');
    expect(item.data.body.trace_chain?.[0]?.exception?.message).toBe('deliberate failure from /debug/error');
    expect(item.data.person?.id).toBe('andrewbrown');
    const events = await eventually('CloudWatch error events', async () => {
      const ofTrace = (await logGroupEvents(stack.aws, 'cruddur')).filter((event) => event.message.trace_id === traceId);
      return ofTrace.length >= 2 ? ofTrace : undefined;
    });
    expect(events.map((event) => event.message.severity_text)).toEqual(['error', 'error']);
  });

  it('a 4xx is an error (not a fault) in X-Ray and reaches no Rollbar', async () => {
    const { traceId, status } = await request('/api/activities/@');
    expect(status).toBe(422);
    const segment = serverSegment(await segmentsFor(traceId));
    expect(segment).toMatchObject({ error: true });
    expect(segment?.fault).not.toBe(true);
    // Rollbar sends in order: once an item reported after the 4xx has arrived, its would have too.
    const barrier = await request('/rollbar/test');
    await eventually('barrier item', async () =>
      (await rollbarItems(stack.rollbarUrl)).find((item) => item.data.custom?.trace_id === barrier.traceId),
    );
    expect((await rollbarItems(stack.rollbarUrl)).some((item) => item.data.custom?.trace_id === traceId)).toBe(false);
  });

  it('/rollbar/test sends a warning item carrying the trace id', async () => {
    const { traceId } = await request('/rollbar/test', { user: 'garek' });
    const item = await eventually('Rollbar warning', async () =>
      (await rollbarItems(stack.rollbarUrl)).find((candidate) => candidate.data.custom?.trace_id === traceId),
    );
    expect(item).toMatchObject({ level: 'warning', data: { person: { id: 'garek' }, body: { message: { body: 'Hello World!' } } } });
  });
});

describe('the X-Ray daemon role', () => {
  it('turns an X-Ray SDK UDP segment into a trace in both Honeycomb and X-Ray', async () => {
    const traceId = await sendDaemonSegment('127.0.0.1', stack.ports.XRAY_DAEMON_PORT, {
      name: 'legacy-sdk-service',
      annotations: { origin: 'integration_test' },
    });

    const span = await eventually('daemon segment at Honeycomb', async () =>
      (await honeycombReport(stack.honeycombUrl)).spans.find((candidate) => candidate.traceId === traceId),
    );
    expect(span.name).toBe('legacy-sdk-service');
    const documents = await segmentsFor(traceId);
    expect(documents.find((doc) => doc.name === 'legacy-sdk-service')?.annotations).toMatchObject({ origin: 'integration_test' });
  });
});

describe('vendor choice lives in YAML', () => {
  it('dropping xray.yaml stops X-Ray delivery and nothing else', async () => {
    await stack.reconfigureCollector(offlineCollectorFiles().filter((file) => file !== 'otel-collector/config/xray.yaml'));
    // The app reconnects to the recreated collector on its own; retry until data flows again.
    const delivered = await eventually(
      'delivery after reconfiguring',
      async () => {
        const { traceId } = await request('/api/activities/notifications');
        const inHoneycomb = await eventually(
          'Honeycomb',
          async () => ((await honeycombReport(stack.honeycombUrl)).spans.some((span) => span.traceId === traceId) ? true : undefined),
          5000,
        ).catch(() => undefined);
        return inHoneycomb === true ? traceId : undefined;
      },
      60_000,
    );
    await eventually('CloudWatch event', async () =>
      (await logGroupEvents(stack.aws, 'cruddur')).some((event) => event.message.trace_id === delivered) ? true : undefined,
    );
    // Honeycomb and CloudWatch have it; give X-Ray more than a batch interval, then check.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await xrayDocuments(stack.aws, delivered)).toEqual([]);

    await stack.reconfigureCollector(offlineCollectorFiles());
    const restored = await eventually(
      'X-Ray delivery restored',
      async () => {
        const { traceId } = await request('/api/activities/notifications');
        return await eventually(
          'segments',
          async () => ((await xrayDocuments(stack.aws, traceId)).length > 0 ? traceId : undefined),
          5000,
        ).catch(() => undefined);
      },
      60_000,
    );
    expect(restored).toMatch(/^[0-9a-f]{32}$/);
  });
});
