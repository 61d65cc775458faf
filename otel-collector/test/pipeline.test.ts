import dgram from 'node:dgram';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  logGroupRetention,
  logStreamEvents as logEvents,
  xrayDocuments,
  type HoneycombReport,
  type ReceivedSpan,
  type SegmentDoc,
} from '@cruddur/testkit/backends';
import { startCollector, type Collector } from '@cruddur/testkit/collector';
import { metricSum } from '@cruddur/testkit/metrics';
import { config, fromRoot } from '@cruddur/testkit/paths';
import { sleep, waitFor } from '@cruddur/testkit/processes';
import { CANARY, startHoneycomb, startMoto, type Honeycomb, type Moto } from '@cruddur/testkit/standins';
import { deploymentFiles } from '../profiles.ts';
import { APP_REQUESTS, FakeApp, SECRET_HEADER_VALUE, SERVICE_NAME, exportWithTeamKey, type SentRequest } from './support/app-telemetry.ts';

// The real collector binary, every vendor file, the daemon role and the local overlay, with
// moto (X-Ray, CloudWatch Logs) and the Honeycomb stand-in as the backends. One run of the
// app's traffic, then each backend is read back the way a person would check its console.
const ALL = deploymentFiles('all-vendors-daemon', 'all').map(fromRoot);
const LOG_GROUP = 'cruddur';

let moto: Moto;
let honeycomb: Honeycomb;
let collector: Collector;
let sent: SentRequest[];
const instanceId = randomUUID();

function honeycombSpansFor(traceIds: string[], count: number): Promise<ReceivedSpan[]> {
  return waitFor(`${count} spans in the Honeycomb stand-in`, async () => {
    const report = await honeycomb.received();
    const spans = report.spans.filter((s) => traceIds.includes(s.traceId));
    return spans.length >= count ? spans : undefined;
  });
}

function documentsFor(s: SentRequest, count: number): Promise<SegmentDoc[]> {
  return waitFor(`${count} X-Ray documents for ${s.request.method} ${s.request.path}`, async () => {
    const docs = await xrayDocuments(moto.access, s.xrayTraceId);
    return docs.length >= count ? docs : undefined;
  });
}

const byRoute = (route: string, status: number): SentRequest => {
  const found = sent.find((s) => s.request.route === route && s.request.status === status);
  if (found === undefined) throw new Error(`no request ${route} ${status} was sent`);
  return found;
};

beforeAll(async () => {
  [moto, honeycomb] = await Promise.all([startMoto(), startHoneycomb()]);
  collector = await startCollector({ configs: ALL, awsEndpoint: moto.url, honeycombEndpoint: honeycomb.grpcEndpoint });
  const app = new FakeApp(collector.otlpUrl, instanceId);
  sent = APP_REQUESTS.map((r) => app.request(r));
  await app.shutdown();
});

afterAll(async () => {
  // What each backend holds after the run, for the closing report (counts only, no content).
  if (honeycomb !== undefined && moto !== undefined && sent !== undefined) {
    const report = await honeycomb.received();
    const docs = (await Promise.all(sent.map((s) => xrayDocuments(moto.access, s.xrayTraceId)))).flat();
    const events = await logEvents(moto.access, LOG_GROUP, `${SERVICE_NAME}/${instanceId}`).catch(() => []);
    console.log(
      `stand-in evidence: honeycomb ${report.spans.length} spans, ${report.logs.length} logs, ` +
        `${report.requests.length} export requests (${report.requests.filter((r) => !r.authorized).length} refused); ` +
        `moto X-Ray ${docs.length} documents for the app's ${sent.length} traces; moto CloudWatch ${events.length} events in ${LOG_GROUP}`,
    );
  }
  await collector?.stop();
  await Promise.all([moto?.stop(), honeycomb?.stop()]);
});

describe('all vendors through the local overlay', () => {
  it('delivers the app spans to Honeycomb with their attributes, resource and parentage', async () => {
    const spans = await honeycombSpansFor(
      sent.map((s) => s.traceId),
      APP_REQUESTS.length + 1,
    );
    const home = byRoute('/api/activities/home', 200);
    const server = spans.find((s) => s.spanId === home.serverSpanId);
    const child = spans.find((s) => s.spanId === home.childSpanId);

    expect(server).toMatchObject({
      traceId: home.traceId,
      parentSpanId: '',
      name: 'GET /api/activities/home',
      kind: 'Server',
      attributes: {
        'http.request.method': 'GET',
        'http.response.status_code': 200,
        'url.path': '/api/activities/home',
        'url.scheme': 'http',
        'server.address': 'localhost',
        'user_agent.original': 'cruddur-test/1.0',
        'client.address': '203.0.113.7',
        'app.user_handle': 'andrewbrown',
        'enduser.id': 'andrewbrown',
      },
      resource: { 'service.name': SERVICE_NAME, 'service.instance.id': instanceId },
    });
    // resource_detection added the collector host's facts without overriding the app's.
    expect(server?.resource['host.name']).toEqual(expect.any(String));
    expect(child).toMatchObject({
      traceId: home.traceId,
      parentSpanId: home.serverSpanId,
      name: 'home-activities-mock-data',
      kind: 'Internal',
      scope: 'home.activities',
      attributes: { 'app.result_length': 3 },
    });
    expect(Date.parse(String(child?.attributes['app.now']))).not.toBeNaN();

    const failed = spans.find((s) => s.spanId === byRoute('/api/activities/notifications', 500).serverSpanId);
    expect(failed).toMatchObject({ statusCode: 'Error', attributes: { 'http.response.status_code': 500 } });
  });

  it('never forwards credentials: scrubbed headers, and the stand-in saw the team key but does not echo it', async () => {
    const report: HoneycombReport = await honeycomb.received();
    const ours = report.spans.filter((s) => sent.some((x) => x.traceId === s.traceId));
    expect(ours.length).toBeGreaterThan(0);
    for (const s of ours) expect(s.attributes).not.toHaveProperty('http.request.header.authorization');

    const accepted = report.requests.filter((r) => r.authorized && r.signal === 'traces');
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted[0]?.transport).toBe('grpc');
    expect(accepted[0]?.headers['x-honeycomb-team']).toBe('[redacted]');
    const raw = JSON.stringify(report);
    expect(raw).not.toContain(CANARY.honeycombKey);
    expect(raw).not.toContain(SECRET_HEADER_VALUE);
  });

  it('turns the home request into an X-Ray segment with http, user, annotations, log group and a subsegment', async () => {
    const home = byRoute('/api/activities/home', 200);
    const docs = await documentsFor(home, 2);
    const segment = docs.find((d) => d.id === home.serverSpanId);
    const sub = docs.find((d) => d.id === home.childSpanId);

    expect(segment).toMatchObject({
      trace_id: home.xrayTraceId,
      name: SERVICE_NAME,
      user: 'andrewbrown',
      fault: false,
      error: false,
      http: {
        request: {
          method: 'GET',
          url: 'http://localhost:4567/api/activities/home',
          client_ip: '203.0.113.7',
          user_agent: 'cruddur-test/1.0',
        },
        response: { status: 200 },
      },
      annotations: { 'app.user_handle': 'andrewbrown', 'http.route': '/api/activities/home' },
      aws: { cloudwatch_logs: [{ log_group: LOG_GROUP }] },
    });
    expect(segment?.parent_id).toBeUndefined();
    expect(sub).toMatchObject({
      type: 'subsegment',
      trace_id: home.xrayTraceId,
      parent_id: home.serverSpanId,
      name: 'home-activities-mock-data',
      annotations: { 'app.result_length': 3 },
    });
    expect(JSON.stringify(docs)).not.toContain(SECRET_HEADER_VALUE);
  });

  it('marks the 5xx as fault and the 4xx as error in X-Ray', async () => {
    const [fault] = await documentsFor(byRoute('/api/activities/notifications', 500), 1);
    const [notFound] = await documentsFor(byRoute('/api/activities/:uuid', 404), 1);
    const [invalid] = await documentsFor(byRoute('/api/activities', 422), 1);

    expect(fault).toMatchObject({ fault: true, error: false, user: 'worf', http: { response: { status: 500 } } });
    expect(JSON.stringify(fault?.cause)).toContain('notifications store unavailable');
    expect(notFound).toMatchObject({
      fault: false,
      error: true,
      user: 'garek',
      http: { request: { method: 'GET' }, response: { status: 404 } },
    });
    expect(invalid).toMatchObject({ fault: false, error: true, http: { request: { method: 'POST' }, response: { status: 422 } } });
  });

  it('writes each access log to CloudWatch in the service instance stream, carrying its trace id', async () => {
    const stream = `${SERVICE_NAME}/${instanceId}`;
    const events = await waitFor(`${sent.length} log events in ${LOG_GROUP}/${stream}`, async () => {
      const ev = await logEvents(moto.access, LOG_GROUP, stream);
      return ev.length >= sent.length ? ev : undefined;
    });
    for (const s of sent) {
      const ev = events.find((e) => e.trace_id === s.traceId);
      expect(ev, `log for ${s.request.path}`).toMatchObject({
        span_id: s.serverSpanId,
        body: `${s.request.method} http ${s.request.path} ${s.request.status}`,
        attributes: { 'http.response.status_code': s.request.status, 'url.path': s.request.path },
        resource: { 'service.name': SERVICE_NAME, 'service.instance.id': instanceId },
      });
      expect(ev?.attributes).not.toHaveProperty('http.request.header.authorization');
    }
    expect(events.find((e) => e.trace_id === byRoute('/api/activities/notifications', 500).traceId)?.severity_text).toBe('ERROR');
    expect(await logGroupRetention(moto.access, LOG_GROUP)).toBe(14);
  });

  it('sends the same access logs to Honeycomb (honeycomb-logs.yaml), with the same trace ids and no credentials', async () => {
    const logs = await waitFor(`${sent.length} logs in the Honeycomb stand-in`, async () => {
      const got = (await honeycomb.received()).logs.filter((l) => sent.some((s) => s.traceId === l.traceId));
      return got.length >= sent.length ? got : undefined;
    });
    for (const s of sent) {
      expect(
        logs.find((l) => l.traceId === s.traceId),
        s.request.path,
      ).toMatchObject({
        spanId: s.serverSpanId,
        body: `${s.request.method} http ${s.request.path} ${s.request.status}`,
        resource: { 'service.name': SERVICE_NAME },
      });
    }
    for (const l of logs) expect(l.attributes).not.toHaveProperty('http.request.header.authorization');
  });

  it('accepts a raw X-Ray daemon UDP segment and fans it out to Honeycomb and X-Ray', async () => {
    const epoch = Math.floor(Date.now() / 1000)
      .toString(16)
      .padStart(8, '0');
    const rest = randomBytes(12).toString('hex');
    const xrayTraceId = `1-${epoch}-${rest}`;
    const segmentId = randomBytes(8).toString('hex');
    const now = Date.now() / 1000;
    const segment = {
      trace_id: xrayTraceId,
      id: segmentId,
      name: 'cruddur-xray-sdk',
      start_time: now - 0.05,
      end_time: now,
      user: 'worf',
      http: { request: { method: 'GET', url: 'http://localhost:4567/api/activities/@worf' }, response: { status: 200 } },
      annotations: { app_user_handle: 'worf' },
    };
    const datagram = Buffer.from(`{"format": "json", "version": 1}\n${JSON.stringify(segment)}`);
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) =>
      sock.send(datagram, collector.ports.daemon, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
    );
    sock.close();

    const [span] = await honeycombSpansFor([`${epoch}${rest}`], 1);
    expect(span).toMatchObject({ spanId: segmentId, name: 'cruddur-xray-sdk', kind: 'Server' });
    expect(span?.attributes).toMatchObject({ 'enduser.id': 'worf', app_user_handle: 'worf' });

    const docs = await waitFor('the daemon segment in X-Ray', async () => {
      const d = await xrayDocuments(moto.access, xrayTraceId);
      return d.length > 0 ? d : undefined;
    });
    expect(docs[0]).toMatchObject({ id: segmentId, name: 'cruddur-xray-sdk', user: 'worf', http: { response: { status: 200 } } });
  });

  it('reports its own delivery in the internal metrics: nothing refused, nothing failed', async () => {
    const text = await collector.metrics();
    expect(metricSum(text, 'otelcol_receiver_accepted_spans', { receiver: 'otlp' })).toBeGreaterThanOrEqual(APP_REQUESTS.length + 1);
    expect(metricSum(text, 'otelcol_receiver_refused_spans')).toBe(0);
    expect(metricSum(text, 'otelcol_exporter_sent_spans', { exporter: 'otlp_grpc/honeycomb' })).toBeGreaterThanOrEqual(
      APP_REQUESTS.length + 1,
    );
    expect(metricSum(text, 'otelcol_exporter_sent_spans', { exporter: 'awsxray' })).toBeGreaterThanOrEqual(APP_REQUESTS.length + 1);
    expect(metricSum(text, 'otelcol_exporter_sent_log_records', { exporter: 'awscloudwatchlogs' })).toBeGreaterThanOrEqual(
      APP_REQUESTS.length,
    );
    expect(metricSum(text, 'otelcol_exporter_send_failed_spans')).toBe(0);
  });
});

describe('Honeycomb authentication', () => {
  it('rejects a wrong or missing x-honeycomb-team with gRPC Unauthenticated, and accepts the right key', async () => {
    const url = `http://${honeycomb.grpcEndpoint}`;
    const wrong = await exportWithTeamKey(url, 'wrong-key-canary-1111');
    const missing = await exportWithTeamKey(url, undefined);
    const right = await exportWithTeamKey(url, CANARY.honeycombKey);
    // grpc status 16 = UNAUTHENTICATED
    expect(wrong?.message).toMatch(/16 UNAUTHENTICATED: unknown API key/);
    expect(missing?.message).toMatch(/16 UNAUTHENTICATED: missing 'x-honeycomb-team' header/);
    expect(right).toBeUndefined();

    const report = await honeycomb.received();
    const refused = report.requests.filter((r) => !r.authorized);
    expect(refused.map((r) => r.reason)).toEqual(
      expect.arrayContaining(['unknown API key - check your credentials', "missing 'x-honeycomb-team' header"]),
    );
    expect(JSON.stringify(report)).not.toContain('wrong-key-canary-1111');
  });

  it('answers OTLP/HTTP with 401 for a wrong key and 200 for the right one', async () => {
    const post = (key: string) =>
      fetch(`${honeycomb.httpUrl}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-honeycomb-team': key },
        body: JSON.stringify({ resourceSpans: [] }),
      });
    const wrong = await post('wrong-key-canary-2222');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'unknown API key - check your credentials' });
    expect((await post(CANARY.honeycombKey)).status).toBe(200);
  });
});

describe('vendor switch', () => {
  it('dropping xray.yaml stops X-Ray delivery and nothing else', async () => {
    await collector.stop();
    collector = await startCollector({
      configs: ALL.filter((c) => c !== config('xray')),
      awsEndpoint: moto.url,
      honeycombEndpoint: honeycomb.grpcEndpoint,
    });
    const first = APP_REQUESTS[0];
    if (first === undefined) throw new Error('APP_REQUESTS is empty');
    const app = new FakeApp(collector.otlpUrl, instanceId);
    const later = app.request({ ...first, handle: 'coco' });
    await app.shutdown();

    await honeycombSpansFor([later.traceId], 2);
    await waitFor('the new access log in CloudWatch', async () => {
      const ev = await logEvents(moto.access, LOG_GROUP, `${SERVICE_NAME}/${instanceId}`);
      return ev.some((e) => e.trace_id === later.traceId) ? true : undefined;
    });
    // Both other vendors have it; give X-Ray the same batching window before asserting absence.
    await sleep(3000);
    expect(await xrayDocuments(moto.access, later.xrayTraceId)).toEqual([]);
    const metrics = await collector.metrics();
    expect(metricSum(metrics, 'otelcol_exporter_sent_spans', { exporter: 'awsxray' })).toBe(0);
    expect(metrics).not.toContain('exporter="awsxray"');
    // The earlier traces are still in X-Ray: the assertion above is about new data only.
    expect((await xrayDocuments(moto.access, byRoute('/api/activities/home', 200).xrayTraceId)).length).toBe(2);
  });
});
