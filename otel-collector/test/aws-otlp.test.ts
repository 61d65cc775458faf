import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { OtlpReport, ReceivedSpan } from '@cruddur/testkit/backends';
import { startCollector, type Collector } from '@cruddur/testkit/collector';
import { fromRoot } from '@cruddur/testkit/paths';
import { waitFor } from '@cruddur/testkit/processes';
import { CANARY, startAwsOtlp, startHoneycomb, type AwsOtlp, type Honeycomb } from '@cruddur/testkit/standins';
import { deploymentFiles } from '../profiles.ts';
import { APP_REQUESTS, FakeApp, SECRET_HEADER_VALUE, SERVICE_NAME, type SentRequest } from './support/app-telemetry.ts';

// X-Ray and CloudWatch Logs over their OTLP endpoints (profile vendors-aws-otlp): the real
// collector binary signs with sigv4auth, the OTLP stand-in in its aws mode verifies every
// signature (service per endpoint, region, signed headers, payload hash) and records what it
// accepted. The same app traffic goes to Honeycomb, so both backends can be compared span by span.
const FILES = deploymentFiles('vendors-aws-otlp', 'all').map(fromRoot);

let aws: AwsOtlp;
let honeycomb: Honeycomb;
let collector: Collector;
let sent: SentRequest[];
const instanceId = randomUUID();

function spansIn(report: OtlpReport, traceIds: readonly string[]): ReceivedSpan[] {
  return report.spans.filter((s) => traceIds.includes(s.traceId));
}

beforeAll(async () => {
  [aws, honeycomb] = await Promise.all([startAwsOtlp(), startHoneycomb()]);
  collector = await startCollector({ configs: FILES, awsOtlpEndpoint: aws.url, honeycombEndpoint: honeycomb.grpcEndpoint });
  const app = new FakeApp(collector.otlpUrl, instanceId);
  sent = APP_REQUESTS.map((r) => app.request(r));
  await app.shutdown();
});

afterAll(async () => {
  await collector?.stop();
  await Promise.all([aws?.stop(), honeycomb?.stop()]);
});

describe('X-Ray and CloudWatch Logs over OTLP (vendors-aws-otlp through the aws-otlp overlay)', () => {
  it('delivers every span to the X-Ray endpoint whole: the same spans, attributes and parentage Honeycomb gets', async () => {
    const traceIds = sent.map((s) => s.traceId);
    const expected = APP_REQUESTS.length + 1; // one server span per request, plus the home child
    const [atAws, atHoneycomb] = await Promise.all([
      waitFor(`${expected} spans at the X-Ray OTLP stand-in`, async () => {
        const spans = spansIn(await aws.received(), traceIds);
        return spans.length >= expected ? spans : undefined;
      }),
      waitFor(`${expected} spans at the Honeycomb stand-in`, async () => {
        const spans = spansIn(await honeycomb.received(), traceIds);
        return spans.length >= expected ? spans : undefined;
      }),
    ]);
    expect(atAws.length).toBe(expected);
    const comparable = (spans: ReceivedSpan[]) =>
      spans.map(({ dataset: _dataset, ...span }) => span).sort((a, b) => a.spanId.localeCompare(b.spanId));
    // W3C ids unchanged, nothing converted: what X-Ray's OTLP endpoint stores is what the app sent.
    expect(comparable(atAws)).toEqual(comparable(atHoneycomb));

    const home = sent.find((s) => s.request.route === '/api/activities/home');
    const child = atAws.find((s) => s.spanId === home?.childSpanId);
    expect(child).toMatchObject({ traceId: home?.traceId, parentSpanId: home?.serverSpanId, name: 'home-activities-mock-data' });
    const server = atAws.find((s) => s.spanId === home?.serverSpanId);
    expect(server).toMatchObject({
      name: 'GET /api/activities/home',
      kind: 'Server',
      attributes: { 'http.route': '/api/activities/home', 'app.user_handle': 'andrewbrown', 'http.response.status_code': 200 },
      resource: { 'service.name': SERVICE_NAME, 'service.instance.id': instanceId },
    });
    // base.yaml's scrub ran on this path too.
    expect(server?.attributes['http.request.header.authorization']).toBeUndefined();
  });

  it('delivers every access log to the Logs endpoint in the configured group and stream, with its trace context', async () => {
    const traceIds = sent.map((s) => s.traceId);
    const logs = await waitFor(`${sent.length} access logs at the CloudWatch OTLP stand-in`, async () => {
      const found = (await aws.received()).logs.filter((l) => traceIds.includes(l.traceId));
      return found.length >= sent.length ? found : undefined;
    });
    expect(logs.length).toBe(sent.length);
    for (const s of sent) {
      const record = logs.find((l) => l.traceId === s.traceId);
      expect(record).toMatchObject({
        spanId: s.serverSpanId,
        body: `${s.request.method} http ${s.request.path} ${String(s.request.status)}`,
        severityText: s.request.status >= 500 ? 'ERROR' : 'INFO',
        logGroup: 'cruddur',
        logStream: 'otel-collector',
        resource: { 'service.name': SERVICE_NAME },
      });
      expect(record?.attributes['http.request.header.authorization']).toBeUndefined();
    }
  });

  it('signed every request: the right service per endpoint, host, date, routing headers and body all covered', async () => {
    const report = await aws.received();
    expect(report.requests.length).toBeGreaterThanOrEqual(2);
    for (const r of report.requests) {
      expect(r, JSON.stringify(r)).toMatchObject({ transport: 'http', authorized: true, status: 200 });
      expect(r.auth).toMatchObject({ service: r.signal === 'traces' ? 'xray' : 'logs', region: aws.access.region, sessionToken: false });
      // The log group and stream headers route the data, so the signature must cover them too.
      const routing = r.signal === 'logs' ? ['x-aws-log-group', 'x-aws-log-stream'] : [];
      expect(r.auth?.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'content-encoding', 'content-type', ...routing]));
      expect(r.auth?.payloadHash).toMatch(/^[0-9a-f]{64}$/);
      // gzip, as the endpoints accept; the signature covered the compressed bytes.
      expect(r.headers['content-encoding']).toBe('gzip');
      expect(r.headers.authorization).toBe('[redacted]');
    }
    expect(new Set(report.requests.map((r) => r.signal))).toEqual(new Set(['traces', 'logs']));
  });

  it("never shows a credential in the collector's log or the stand-in's report", async () => {
    const report = JSON.stringify(await aws.received());
    const log = fs.readFileSync(collector.proc.logFile, 'utf8');
    for (const secret of [CANARY.awsAccessKeyId, CANARY.awsSecretAccessKey, CANARY.honeycombKey, SECRET_HEADER_VALUE]) {
      expect(report).not.toContain(secret);
      expect(log).not.toContain(secret);
    }
  });
});

describe('a collector signing with the wrong secret', () => {
  it('is refused by the stand-in as AWS refuses it, and neither side shows the secret', async () => {
    const wrongSecret = 'canary-wrong-aws-secret-0000';
    const wrong = await startCollector({
      configs: deploymentFiles('xray-otlp', 'all').map(fromRoot),
      awsOtlpEndpoint: aws.url,
      env: { AWS_SECRET_ACCESS_KEY: wrongSecret, OTELCOL_LOG_LEVEL: 'debug' },
      name: 'collector-wrong-secret',
    });
    try {
      const app = new FakeApp(wrong.otlpUrl, randomUUID());
      const one = app.request(APP_REQUESTS[0] ?? { method: 'GET', route: '/', path: '/', status: 200, handle: 'x' });
      await app.shutdown();
      const refused = await waitFor('a refused export at the stand-in', async () => {
        const found = (await aws.received()).requests.find((r) => !r.authorized && r.signal === 'traces');
        return found;
      });
      expect(refused).toMatchObject({ status: 403, code: 'InvalidSignatureException' });
      expect(refused.reason).toMatch(/signature we calculated does not match/);
      expect(spansIn(await aws.received(), [one.traceId])).toEqual([]);
      // The collector reports the refusal (a permanent error: 403 is not retried) without the secret.
      const log = await waitFor('the refusal in the collector log', () => {
        const text = fs.readFileSync(wrong.proc.logFile, 'utf8');
        return Promise.resolve(/InvalidSignatureException|403/.test(text) ? text : undefined);
      });
      expect(log).not.toContain(wrongSecret);
      expect(JSON.stringify(await aws.received())).not.toContain(wrongSecret);
    } finally {
      await wrong.stop();
    }
  });
});
