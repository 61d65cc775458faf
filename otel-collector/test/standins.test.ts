import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANARY, startHoneycomb, startRollbar, type Honeycomb, type Rollbar } from '@cruddur/testkit/standins';

// The stand-ins must behave like the vendors where our code depends on it (authentication,
// answer shapes), and report what they received without ever echoing a credential.

let rollbar: Rollbar;
let honeycomb: Honeycomb;

beforeAll(async () => {
  [rollbar, honeycomb] = await Promise.all([startRollbar(), startHoneycomb()]);
});

afterAll(async () => {
  await Promise.all([rollbar?.stop(), honeycomb?.stop()]);
});

const item = (extra: Record<string, unknown> = {}) => ({
  data: {
    environment: 'test',
    level: 'warning',
    body: { message: { body: 'Hello World!' } },
    server: { host: 'cruddur-backend' },
    ...extra,
  },
});

function postItem(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${rollbar.url}/api/1/item/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

interface RollbarReport {
  items: Array<{
    uuid: string;
    level: string;
    environment: string;
    title: string;
    tokenFrom: string;
    headers: Record<string, string>;
    data: Record<string, unknown>;
  }>;
  rejections: Array<{ status: number; message: string; headers: Record<string, string> }>;
}
const rollbarReport = async (): Promise<RollbarReport> => (await (await fetch(`${rollbar.url}/standin/received`)).json()) as RollbarReport;

describe('Rollbar stand-in', () => {
  it('accepts an item with the token in X-Rollbar-Access-Token and answers like Rollbar', async () => {
    const res = await postItem(item(), { 'X-Rollbar-Access-Token': CANARY.rollbarToken });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { err: number; result: { id: null; uuid: string } };
    expect(body.err).toBe(0);
    expect(body.result.id).toBeNull();
    expect(body.result.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const report = await rollbarReport();
    expect(report.items.find((i) => i.uuid === body.result.uuid)).toMatchObject({
      level: 'warning',
      environment: 'test',
      title: 'Hello World!',
      tokenFrom: 'header',
      headers: { 'x-rollbar-access-token': '[redacted]' },
    });
  });

  it('accepts the token in the body (access_token), keeps the client uuid, and does not store the token', async () => {
    const uuid = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const res = await postItem({
      access_token: CANARY.rollbarToken,
      ...item({ uuid, level: 'error', body: { trace: { exception: { class: 'TypeError', message: 'boom' } } } }),
    });
    expect(await res.json()).toEqual({ err: 0, result: { id: null, uuid } });
    const report = await rollbarReport();
    expect(report.items.find((i) => i.uuid === uuid)).toMatchObject({ level: 'error', title: 'TypeError: boom', tokenFrom: 'body' });
    expect(JSON.stringify(report)).not.toContain(CANARY.rollbarToken);
  });

  it('refuses a missing token (401), a wrong token (403), bad JSON (400) and an item without data (422)', async () => {
    const missing = await postItem(item());
    const wrong = await postItem(item(), { 'X-Rollbar-Access-Token': 'wrong-token-canary-3333' });
    const badJson = await fetch(`${rollbar.url}/api/1/item/`, {
      method: 'POST',
      headers: { 'X-Rollbar-Access-Token': CANARY.rollbarToken },
      body: '{not json',
    });
    const noData = await postItem({}, { 'X-Rollbar-Access-Token': CANARY.rollbarToken });
    expect([missing.status, wrong.status, badJson.status, noData.status]).toEqual([401, 403, 400, 422]);
    expect(await wrong.json()).toEqual({ err: 1, message: 'invalid access token' });

    const report = await rollbarReport();
    expect(report.rejections.map((r) => r.status)).toEqual(expect.arrayContaining([401, 403, 400, 422]));
    expect(JSON.stringify(report)).not.toContain('wrong-token-canary-3333');
  });

  it('forgets everything on DELETE, so runs do not leak into each other', async () => {
    expect((await fetch(`${rollbar.url}/standin/received`, { method: 'DELETE' })).status).toBe(204);
    expect(await rollbarReport()).toMatchObject({ items: [], rejections: [] });
  });
});

describe('Honeycomb stand-in over OTLP/HTTP', () => {
  it('decodes OTLP/JSON spans and logs and records them with resource and dataset', async () => {
    await honeycomb.reset();
    const headers = { 'content-type': 'application/json', 'x-honeycomb-team': CANARY.honeycombKey, 'x-honeycomb-dataset': 'cruddur' };
    const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'cruddur-backend' } }] };
    const traces = await fetch(`${honeycomb.httpUrl}/v1/traces`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        resourceSpans: [
          {
            resource,
            scopeSpans: [
              {
                scope: { name: 'home.activities' },
                spans: [
                  {
                    traceId: '5b8efff798038103d269b633813fc60c',
                    spanId: 'eee19b7ec3c1b174',
                    parentSpanId: 'eee19b7ec3c1b173',
                    name: 'home-activities-mock-data',
                    kind: 1,
                    startTimeUnixNano: '1700000000000000000',
                    endTimeUnixNano: '1700000000100000000',
                    attributes: [{ key: 'app.result_length', value: { intValue: '3' } }],
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    const logs = await fetch(`${honeycomb.httpUrl}/v1/logs`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        resourceLogs: [
          {
            resource,
            scopeLogs: [
              {
                logRecords: [
                  {
                    traceId: '5b8efff798038103d269b633813fc60c',
                    body: { stringValue: 'GET /api/activities/home 200' },
                    severityText: 'INFO',
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect([traces.status, logs.status]).toEqual([200, 200]);
    const report = await honeycomb.received();
    expect(report.spans).toEqual([
      expect.objectContaining({
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        parentSpanId: 'eee19b7ec3c1b173',
        name: 'home-activities-mock-data',
        kind: 'Internal',
        attributes: { 'app.result_length': 3 },
        resource: { 'service.name': 'cruddur-backend' },
        scope: 'home.activities',
        dataset: 'cruddur',
      }),
    ]);
    expect(report.logs).toEqual([
      expect.objectContaining({ traceId: '5b8efff798038103d269b633813fc60c', body: 'GET /api/activities/home 200', severityText: 'INFO' }),
    ]);
    expect(report.requests.every((r) => r.transport === 'http' && r.authorized && r.headers['x-honeycomb-team'] === '[redacted]')).toBe(
      true,
    );
  });

  it('answers 401 without the header', async () => {
    const res = await fetch(`${honeycomb.httpUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "missing 'x-honeycomb-team' header" });
  });
});
