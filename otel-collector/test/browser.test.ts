import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type ReceivedSpan, tracesInXray, xrayDocuments } from '@cruddur/testkit/backends';
import { type Collector, startCollector } from '@cruddur/testkit/collector';
import { metricSum } from '@cruddur/testkit/metrics';
import { fromRoot } from '@cruddur/testkit/paths';
import { waitFor } from '@cruddur/testkit/processes';
import { type Honeycomb, type Moto, startHoneycomb, startMoto } from '@cruddur/testkit/standins';
import { newSpanId, newXrayCompatibleTraceId } from '@cruddur/testkit/trace-ids';
import { deploymentFiles } from '../profiles.ts';
import { APP_REQUESTS, FakeApp, type SentRequest } from './support/app-telemetry.ts';

// Browser ingest (otel-collector/config/browser.yaml) with the real binary: what a page may send,
// what it may not, what is scrubbed, and that accepted spans reach the shared vendor pipelines.
const FRONTEND = 'http://127.0.0.1:3000';
const SECRET = 'canary-browser-token-0000';

let moto: Moto;
let honeycomb: Honeycomb;
let collector: Collector;
let tracesUrl: string;

beforeAll(async () => {
  [moto, honeycomb] = await Promise.all([startMoto(), startHoneycomb()]);
  collector = await startCollector({
    configs: deploymentFiles('stack-browser', 'all').map(fromRoot),
    awsEndpoint: moto.url,
    honeycombEndpoint: honeycomb.grpcEndpoint,
    env: { FRONTEND_URL: FRONTEND },
  });
  tracesUrl = `http://127.0.0.1:${String(collector.ports.browser)}/v1/traces`;
});

afterAll(async () => {
  await collector.stop();
  await Promise.all([moto.stop(), honeycomb.stop()]);
});

interface Attribute {
  readonly key: string;
  readonly value: { readonly stringValue: string };
}

/** One fetch span as the browser SDK exports it (OTLP/JSON), with what a careless page could put in it. */
function fetchSpan(traceId: string): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const attributes: Attribute[] = [
    { key: 'url.full', value: { stringValue: `http://127.0.0.1:4567/api/activities/search?term=cloud&token=${SECRET}` } },
    { key: 'url.query', value: { stringValue: `term=cloud&token=${SECRET}` } },
    { key: 'http.url', value: { stringValue: 'http://127.0.0.1:4567/api/activities/home' } },
    { key: 'http.request.header.cookie', value: { stringValue: `session=${SECRET}` } },
    { key: 'http.request.method', value: { stringValue: 'GET' } },
  ];
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'cruddur-frontend' } }] },
        scopeSpans: [
          {
            scope: { name: '@opentelemetry/instrumentation-fetch' },
            spans: [
              {
                traceId,
                spanId: newSpanId(),
                name: 'HTTP GET',
                kind: 3,
                startTimeUnixNano: String(now - 20_000_000n),
                endTimeUnixNano: String(now),
                attributes,
              },
            ],
          },
        ],
      },
    ],
  });
}

const post = (body: string | Buffer, contentType = 'application/json'): Promise<Response> =>
  fetch(tracesUrl, { method: 'POST', headers: { 'content-type': contentType, origin: FRONTEND }, body });

const preflight = (origin: string): Promise<Response> =>
  fetch(tracesUrl, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });

describe('browser ingest', () => {
  it('allows CORS for the front end origin only', async () => {
    const allowed = await preflight(FRONTEND);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(FRONTEND);
    expect(allowed.headers.get('access-control-allow-methods')).toBe('POST');
    expect(allowed.headers.get('access-control-allow-headers')).toBe('content-type');

    const other = await preflight('http://127.0.0.1:3001');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('loops accepted spans into the shared vendor pipelines, scrubbed', async () => {
    const traceId = newXrayCompatibleTraceId();
    const response = await post(fetchSpan(traceId));
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(FRONTEND);

    const span = await waitFor<ReceivedSpan>('the browser span at the Honeycomb stand-in', async () =>
      (await honeycomb.received()).spans.find((candidate) => candidate.traceId === traceId),
    );
    expect(span.name).toBe('HTTP GET');
    expect(span.resource['service.name']).toBe('cruddur-frontend');
    // A URL with a query is hashed, the query itself dropped, cookies deleted; a URL without one stays readable.
    expect(span.attributes['url.full']).toMatch(/^[0-9a-f]{40,64}$/);
    expect(span.attributes['url.query']).toBeUndefined();
    expect(span.attributes['http.request.header.cookie']).toBeUndefined();
    expect(span.attributes['http.url']).toBe('http://127.0.0.1:4567/api/activities/home');
    expect(JSON.stringify(await honeycomb.received())).not.toContain(SECRET);

    // The same trace in X-Ray: the loopback reached every trace pipeline, not only Honeycomb's.
    const documents = await waitFor(`X-Ray documents of ${traceId}`, async () => {
      const found = await xrayDocuments(moto.access, traceId);
      return found.length > 0 ? found : undefined;
    });
    // A root CLIENT span becomes a segment named after the span.
    expect(documents.map((document) => document.name)).toContain('HTTP GET');
    expect(JSON.stringify(documents)).not.toContain(SECRET);
  });

  it('refuses oversized and malformed bodies with 400, keeps accepting, and the app path loses nothing', async () => {
    // The app's path (the shared OTLP/gRPC receiver, as the app's SDK exports) before, during and
    // after the bad bodies: every span must reach both vendors, and the shared receiver refuses nothing.
    const metricsBefore = await collector.metrics();
    const app = new FakeApp(collector.otlpUrl, 'browser-bad-input');
    const [home] = APP_REQUESTS;
    if (home === undefined) throw new Error('APP_REQUESTS is empty');
    const sent: SentRequest[] = [app.request(home)];

    // The OTLP receiver answers a body over max_request_body_size (1 MiB) with 400, not 413.
    const bad = async (): Promise<void> => {
      const oversized = await post(JSON.stringify({ resourceSpans: [], padding: 'x'.repeat(1_200_000) }));
      expect(oversized.status).toBe(400);
      expect(await oversized.text()).toContain('request body too large');
      expect((await post('{"resourceSpans": [')).status).toBe(400);
      expect((await post(Buffer.from([0xff, 0xff, 0x01]), 'application/x-protobuf')).status).toBe(400);
    };
    // During: the app keeps exporting while the bad bodies arrive.
    const during = (async (): Promise<void> => {
      for (const request of APP_REQUESTS) {
        sent.push(app.request(request));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await Promise.all([bad(), bad(), during]);

    const traceId = newXrayCompatibleTraceId();
    expect((await post(fetchSpan(traceId))).status).toBe(200);
    await waitFor('a span accepted after the bad requests', async () =>
      (await honeycomb.received()).spans.some((candidate) => candidate.traceId === traceId) ? true : undefined,
    );
    sent.push(app.request(home));
    await app.shutdown();

    // Every server span (and the home route's child) at Honeycomb, every trace in X-Ray.
    const expected = sent.flatMap((request) => [request.serverSpanId, ...(request.childSpanId === undefined ? [] : [request.childSpanId])]);
    await waitFor(`all ${expected.length} app spans at the Honeycomb stand-in`, async () => {
      const ids = new Set((await honeycomb.received()).spans.map((span) => span.spanId));
      return expected.every((id) => ids.has(id)) ? true : undefined;
    });
    const traceIds = sent.map((request) => request.traceId);
    const inXray = await waitFor(`all ${traceIds.length} app traces in X-Ray`, async () => {
      const found = await tracesInXray(moto.access, traceIds);
      return found.size === traceIds.length ? found : undefined;
    });
    expect([...inXray].sort()).toEqual([...traceIds].sort());
    const metricsAfter = await collector.metrics();
    const refused = (text: string): number => metricSum(text, 'otelcol_receiver_refused_spans', { receiver: 'otlp' });
    expect(refused(metricsAfter) - refused(metricsBefore)).toBe(0);
  });
});
