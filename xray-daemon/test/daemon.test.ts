import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '@cruddur/testkit/collector';
import { captureServer, type CaptureServer } from '@cruddur/testkit/http';
import { fromRoot } from '@cruddur/testkit/paths';
import { waitFor } from '@cruddur/testkit/processes';
import { CANARY, REGION, startHoneycomb, type Honeycomb } from '@cruddur/testkit/standins';
import { deploymentFiles } from '../../otel-collector/profiles.ts';

// The daemon role as an X-Ray SDK sees it: sampling calls on TCP, segments on UDP, on one
// port. Here daemon.yaml runs standalone (base + daemon + local) in front of a second,
// "remote" collector, which is the other way the same file is meant to be used.

const SAMPLING_RULES = {
  SamplingRuleRecords: [
    {
      SamplingRule: {
        RuleName: 'Cruddur',
        Priority: 9000,
        FixedRate: 0.1,
        ReservoirSize: 5,
        ServiceName: 'cruddur-backend',
        ServiceType: '*',
        Host: '*',
        HTTPMethod: '*',
        URLPath: '*',
        ResourceARN: '*',
        Version: 1,
        Attributes: {},
      },
    },
  ],
};

let xrayApi: CaptureServer;
let honeycomb: Honeycomb;
let remote: Collector;
let daemon: Collector;

beforeAll(async () => {
  xrayApi = await captureServer((req) =>
    req.path === '/GetSamplingRules'
      ? { status: 200, body: SAMPLING_RULES }
      : { status: 200, body: { SamplingTargetDocuments: [], LastRuleModification: 0, UnprocessedStatistics: [] } },
  );
  honeycomb = await startHoneycomb();
  remote = await startCollector({
    configs: deploymentFiles('honeycomb', 'all').map(fromRoot),
    honeycombEndpoint: honeycomb.grpcEndpoint,
  });
  daemon = await startCollector({
    configs: deploymentFiles('daemon-standalone', 'all').map(fromRoot),
    awsEndpoint: xrayApi.url,
    xrayControlEndpoint: xrayApi.url,
    env: { OTELCOL_LOOPBACK_ENDPOINT: `127.0.0.1:${remote.ports.grpc}` },
  });
});

afterAll(async () => {
  await daemon?.stop();
  await remote?.stop();
  await honeycomb?.stop();
  await xrayApi?.close();
});

describe('X-Ray daemon role', () => {
  it("relays an SDK's GetSamplingRules call on TCP to X-Ray, SigV4-signed, and returns the answer", async () => {
    const res = await fetch(`http://127.0.0.1:${daemon.ports.daemon}/GetSamplingRules`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(SAMPLING_RULES);

    const call = xrayApi.requests.find((r) => r.path === '/GetSamplingRules');
    expect(call?.method).toBe('POST');
    expect(call?.body).toBe('{}');
    // The SDK sends no credentials; the daemon signs with the collector's, for the xray service.
    expect(String(call?.headers.authorization)).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${CANARY.awsAccessKeyId}/\\d{8}/${REGION}/xray/aws4_request, SignedHeaders=\\S+, Signature=[0-9a-f]{64}$`,
      ),
    );
    expect(call?.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  });

  it('relays SamplingTargets the same way', async () => {
    const body = JSON.stringify({
      SamplingStatisticsDocuments: [
        { RuleName: 'Cruddur', ClientID: 'abc', RequestCount: 1, SampledCount: 1, BorrowCount: 0, Timestamp: Date.now() / 1000 },
      ],
    });
    const res = await fetch(`http://127.0.0.1:${daemon.ports.daemon}/SamplingTargets`, { method: 'POST', body });
    expect(res.status).toBe(200);
    const call = xrayApi.requests.find((r) => r.path === '/SamplingTargets');
    expect(call?.body).toBe(body);
    expect(String(call?.headers.authorization)).toContain(`/${REGION}/xray/aws4_request`);
  });

  it('forwards UDP segments over OTLP to the remote collector, whose vendor pipelines deliver them', async () => {
    const epoch = Math.floor(Date.now() / 1000)
      .toString(16)
      .padStart(8, '0');
    const rest = randomBytes(12).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    const subId = randomBytes(8).toString('hex');
    const now = Date.now() / 1000;
    const segment = {
      trace_id: `1-${epoch}-${rest}`,
      id: parentId,
      name: 'cruddur-flask',
      start_time: now - 0.2,
      end_time: now,
      http: { request: { method: 'GET', url: 'http://localhost:4567/api/activities/@andrewbrown' }, response: { status: 200 } },
      annotations: { app_user_handle: 'andrewbrown' },
      subsegments: [
        {
          id: subId,
          name: 'mock-data',
          start_time: now - 0.1,
          end_time: now - 0.05,
          metadata: { default: { now: '2023-02-25T18:39:27Z', 'results-size': 3 } },
        },
      ],
    };
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) =>
      sock.send(Buffer.from(`{"format": "json", "version": 1}\n${JSON.stringify(segment)}`), daemon.ports.daemon, '127.0.0.1', (e) =>
        e ? reject(e) : resolve(),
      ),
    );
    sock.close();

    const spans = await waitFor(
      'both daemon spans in Honeycomb',
      async () => {
        const got = (await honeycomb.received()).spans.filter((s) => s.traceId === `${epoch}${rest}`);
        return got.length >= 2 ? got : undefined;
      },
      45_000,
    );
    // The awsxray receiver (v0.156.0) still emits the pre-1.21 HTTP semconv names for segments.
    expect(spans.find((s) => s.spanId === parentId)).toMatchObject({
      name: 'cruddur-flask',
      parentSpanId: '',
      kind: 'Server',
      attributes: {
        'http.method': 'GET',
        'http.status_code': 200,
        'http.url': 'http://localhost:4567/api/activities/@andrewbrown',
        app_user_handle: 'andrewbrown',
      },
    });
    expect(spans.find((s) => s.spanId === subId)).toMatchObject({ name: 'mock-data', parentSpanId: parentId });
  });
});
