import fs from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { honeycombReport, networkGaps, type NetworkGap, type ReceivedSpan, xrayDocuments } from '@cruddur/testkit/backends';
import { type BrowserSession, launchBrowser, type Page } from '@cruddur/testkit/browser';
import { listen } from '@cruddur/testkit/http';
import { fromRoot } from '@cruddur/testkit/paths';
import { waitFor } from '@cruddur/testkit/processes';
import { startStack, type Stack } from '@cruddur/testkit/stack';
import { newSpanId, newXrayCompatibleTraceId, traceparent } from '@cruddur/testkit/trace-ids';

/**
 * The web front end in a real browser (Debian's chromium through playwright-core) on the real
 * compose stack: each user action must give one trace that holds the browser's spans and the
 * backend's, the server span a child of the browser's fetch span, readable at the Honeycomb
 * stand-in and (the backend segment) in X-Ray, with the fetch starting before and ending after
 * the server span. The home page's screenshot is the one the README shows.
 */

const FRONTEND_SERVICE = 'cruddur-frontend';
const BACKEND_SERVICE = 'cruddur-backend';
const SCREENSHOT = fromRoot('docs/images/frontend-home.png');

let stack: Stack;
let browser: BrowserSession;
let page: Page;
const figures: string[] = [];

beforeAll(async () => {
  stack = await startStack();
  // The app's first requests pay for lazy module loading and JIT after the response is written,
  // which would delay the end of the first server spans past the browser's fetch; warm it first.
  for (const route of ['/api/activities/home', '/api/message_groups', '/api/activities/home']) {
    await (await fetch(`${stack.appUrl}${route}`)).arrayBuffer();
  }
  browser = await launchBrowser();
  page = await browser.newPage();
});

afterAll(async () => {
  if (figures.length > 0) process.stdout.write(`front end traces (${stack.projectName}):\n  ${figures.join('\n  ')}\n`);
  await browser?.close();
  await stack?.down();
});

/** The browser's fetch span to the API route, its trace whole: the server span and everything below it arrived. */
interface ActionTrace {
  readonly spans: ReceivedSpan[];
  readonly fetch: ReceivedSpan;
  readonly server: ReceivedSpan;
  readonly gap: NetworkGap;
}

const isBrowser = (span: ReceivedSpan): boolean => span.resource['service.name'] === FRONTEND_SERVICE;

/** The fetch's trace if its server span (and `inner`, if named) arrived, else undefined. */
function wholeTrace(spans: readonly ReceivedSpan[], fetch: ReceivedSpan, serverName: string, inner?: string): ActionTrace | undefined {
  const ofTrace = spans.filter((span) => span.traceId === fetch.traceId);
  const server = ofTrace.find((span) => span.name === serverName && span.parentSpanId === fetch.spanId);
  const gap = networkGaps(ofTrace).find((candidate) => candidate.client.spanId === fetch.spanId);
  const complete = inner === undefined || ofTrace.some((span) => span.name === inner);
  return server !== undefined && gap !== undefined && complete ? { spans: ofTrace, fetch, server, gap } : undefined;
}

/**
 * Waits for the trace of the browser's fetch of `method url` (the newest one not seen before)
 * until its server span `serverName` and, if named, `inner` are at the stand-in.
 */
function traceOfFetch(method: string, urlPath: RegExp, serverName: string, seen: Set<string>, inner?: string): Promise<ActionTrace> {
  return waitFor(
    `the trace of the browser's ${method} ${String(urlPath)}`,
    async () => {
      const { spans } = await honeycombReport(stack.honeycombUrl);
      const fetches = spans.filter(
        (span) =>
          isBrowser(span) &&
          span.kind === 'Client' &&
          !seen.has(span.spanId) &&
          span.attributes['http.request.method'] === method &&
          urlPath.test(new URL(String(span.attributes['url.full'])).pathname),
      );
      const found = fetches
        .reverse()
        .map((fetch) => wholeTrace(spans, fetch, serverName, inner))
        .find((trace) => trace !== undefined);
      if (found !== undefined) seen.add(found.fetch.spanId);
      return found;
    },
    30_000,
    300,
  );
}

/** X-Ray's form of a W3C trace id. */
const xrayTraceId = (traceId: string): string => `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;

/** The backend's segment in X-Ray (moto) under the trace id. */
const backendSegment = (traceId: string) =>
  waitFor(
    `X-Ray segment of ${traceId}`,
    async () => (await xrayDocuments(stack.aws, traceId)).find((doc) => doc.name === BACKEND_SERVICE && doc.type !== 'subsegment'),
    30_000,
    300,
  );

/** One user action: what the user does, and the API call (and server span) it must cause. */
interface Action {
  readonly name: string;
  readonly perform: () => Promise<void>;
  readonly method: 'GET' | 'POST';
  readonly path: RegExp;
  readonly serverSpan: string;
  /** A span that must be in the trace below the server span. */
  readonly inner?: string;
  /** A form's action: the fetch span's parent is the user-interaction `submit` span. */
  readonly submitted: boolean;
}

const unique = (what: string): string => `${what} ${String(Date.now())}`;
const crud = unique('Traced from the browser');
const reply = unique('A traced reply');
const message = unique('A traced message');

const ACTIONS: readonly Action[] = [
  {
    name: 'load home',
    perform: async () => {
      await page.goto(stack.frontendUrl);
      await page.getByRole('article').first().waitFor({ timeout: 15_000 });
      fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
    },
    method: 'GET',
    path: /^\/api\/activities\/home$/,
    serverSpan: 'GET /api/activities/home',
    inner: 'home-activities-mock-data',
    submitted: false,
  },
  {
    name: 'post a crud',
    perform: async () => {
      const form = page.getByRole('form', { name: 'New crud' });
      await form.getByLabel('Crud message').fill(crud);
      await form.getByRole('button', { name: 'Crud' }).click();
      await page.getByRole('article', { name: crud }).waitFor({ timeout: 15_000 });
    },
    method: 'POST',
    path: /^\/api\/activities$/,
    serverSpan: 'POST /api/activities',
    submitted: true,
  },
  {
    name: 'open it',
    perform: async () => {
      await page.getByRole('article', { name: crud }).getByRole('link', { name: 'Open crud' }).click();
      await page.getByRole('textbox', { name: 'Reply message' }).waitFor({ timeout: 15_000 });
    },
    method: 'GET',
    path: /^\/api\/activities\/[0-9a-f-]{36}$/,
    serverSpan: 'GET /api/activities/:uuid',
    submitted: false,
  },
  {
    name: 'reply',
    perform: async () => {
      await page.getByRole('textbox', { name: 'Reply message' }).fill(reply);
      await page.getByRole('button', { name: 'Reply' }).click();
      await page.getByRole('article', { name: reply }).waitFor({ timeout: 15_000 });
    },
    method: 'POST',
    path: /^\/api\/activities\/[0-9a-f-]{36}\/reply$/,
    serverSpan: 'POST /api/activities/:uuid/reply',
    submitted: true,
  },
  {
    name: 'send a message',
    perform: async () => {
      await page.goto(`${stack.frontendUrl}/messages/@worf`);
      await page.getByRole('textbox', { name: 'Message' }).fill(message);
      await page.getByRole('button', { name: 'Send' }).click();
      await page.getByText(message).waitFor({ timeout: 15_000 });
    },
    method: 'POST',
    path: /^\/api\/messages$/,
    serverSpan: 'POST /api/messages',
    submitted: true,
  },
];

describe('the web front end, traced from the click to the backend span', () => {
  const seen = new Set<string>();
  const traces = new Map<string, ActionTrace>();

  it.each(ACTIONS)('$name: one trace from the browser to the backend', async (action) => {
    await action.perform();
    const trace = await traceOfFetch(action.method, action.path, action.serverSpan, seen, action.inner);
    traces.set(action.name, trace);
    const { fetch, server, gap, spans } = trace;

    expect(fetch.resource['service.name']).toBe(FRONTEND_SERVICE);
    expect(server.resource['service.name']).toBe(BACKEND_SERVICE);
    expect(server.kind).toBe('Server');
    // The server span is the fetch span's child: traceparent crossed the network (CORS allowed it).
    expect(server.traceId).toBe(fetch.traceId);
    expect(server.parentSpanId).toBe(fetch.spanId);
    expect(fetch.attributes['http.response.status_code']).toBe(server.attributes['http.response.status_code']);
    // The network gap: the fetch starts before the server span and ends after it. The server span
    // ends when the response was sent (app/src/telemetry/response-sent.ts), not when a busy
    // event loop gets to Node's 'close'; docs/frontend.md has the figures before and after.
    const times = `fetch ${String(fetch.startTimeUnixNano)}..${String(fetch.endTimeUnixNano)}, server ${String(server.startTimeUnixNano)}..${String(server.endTimeUnixNano)}`;
    expect(gap.beforeMs, times).toBeGreaterThan(0);
    expect(gap.afterMs, times).toBeGreaterThan(0);
    // A form's fetch is the child of the browser's submit span: submit -> fetch -> server.
    const parent = spans.find((span) => span.spanId === fetch.parentSpanId);
    // Any other fetch starts its own trace (a navigation's fetch runs after the click's span ended).
    expect(parent?.name).toBe(action.submitted ? 'submit' : undefined);
    expect(parent?.resource ?? {}).toMatchObject(action.submitted ? { 'service.name': FRONTEND_SERVICE } : {});
    expect(parent?.attributes ?? {}).toMatchObject(action.submitted ? { event_type: 'submit', target_element: 'FORM' } : {});
    // X-Ray (moto) holds the backend's segment under the same trace id.
    expect((await backendSegment(fetch.traceId)).trace_id).toBe(xrayTraceId(fetch.traceId));
    figures.push(
      `${action.name.padEnd(16)} trace ${fetch.traceId}: ${String(spans.length)} spans (${String(spans.filter(isBrowser).length)} browser), ` +
        `network gap ${gap.totalMs.toFixed(2)} ms (${gap.beforeMs.toFixed(2)} before, ${gap.afterMs.toFixed(2)} after the ${server.name} span)`,
    );
  });

  it('load home: home-activities-mock-data inside the server span, with app.now and app.result_length; a documentLoad span', async () => {
    const trace = traces.get('load home');
    expect(trace, 'the load home action ran first').toBeDefined();
    const mock = trace?.spans.find((span) => span.name === 'home-activities-mock-data');
    expect(mock?.parentSpanId).toBe(trace?.server.spanId);
    expect(mock?.attributes['app.result_length']).toBe(3);
    expect(String(mock?.attributes['app.now'])).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/);
    const { spans } = await honeycombReport(stack.honeycombUrl);
    const documentLoad = spans.find((span) => isBrowser(span) && span.name === 'documentLoad');
    expect(documentLoad?.attributes['url.full']).toBe(`${stack.frontendUrl}/`);
  });

  it('the README screenshot of the home page was saved', () => {
    const png = fs.readFileSync(SCREENSHOT);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.length).toBeGreaterThan(10_000);
  });
});

/** One OTLP/JSON span, as the browser's exporter would send it, under a trace id of our choosing. */
function otlpJsonSpan(traceId: string): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: FRONTEND_SERVICE } }] },
        scopeSpans: [
          {
            scope: { name: 'cors-probe' },
            spans: [
              {
                traceId,
                spanId: newSpanId(),
                name: 'cors-probe',
                kind: 1,
                startTimeUnixNano: String(now - 1_000_000n),
                endTimeUnixNano: String(now),
              },
            ],
          },
        ],
      },
    ],
  });
}

interface ProbeTargets {
  readonly api: string;
  readonly traceparent: string;
  readonly collector: string;
  readonly span: string;
}

/** Run in a page: what the page's fetch gets from the API (with traceparent) and from the browser endpoint. */
const corsProbe = async (targets: ProbeTargets): Promise<{ api: string; collector: string }> => {
  const attempt = async (url: string, init: RequestInit): Promise<string> => {
    try {
      return `status ${String((await fetch(url, init)).status)}`;
    } catch (error) {
      return `blocked (${error instanceof Error ? error.name : 'error'})`;
    }
  };
  return {
    api: await attempt(targets.api, { headers: { traceparent: targets.traceparent } }),
    collector: await attempt(targets.collector, { method: 'POST', headers: { 'content-type': 'application/json' }, body: targets.span }),
  };
};

describe('a page on another origin', () => {
  it('gets no CORS allowance from the API or the browser endpoint; the front end origin does, and only its span arrives', async () => {
    const other = await listen((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><title>another origin</title><p>not Cruddur</p>');
    });
    const targets = (traceId: string): ProbeTargets => ({
      api: `http://localhost:${String(stack.ports.APP_PORT)}/api/activities/home`,
      traceparent: traceparent(newXrayCompatibleTraceId()),
      collector: `http://localhost:${String(stack.ports.OTELCOL_BROWSER_PORT)}/v1/traces`,
      span: otlpJsonSpan(traceId),
    });
    const refusedTrace = newXrayCompatibleTraceId();
    const allowedTrace = newXrayCompatibleTraceId();
    const probe = await browser.newPage();
    try {
      // 127.0.0.1:<port> is another origin than the front end's http://localhost:<port>.
      await probe.goto(other.url);
      expect(await probe.evaluate(corsProbe, targets(refusedTrace))).toEqual({
        api: 'blocked (TypeError)',
        collector: 'blocked (TypeError)',
      });
      // The same requests from the front end's origin are allowed: the origin made the difference.
      await probe.goto(stack.frontendUrl);
      expect(await probe.evaluate(corsProbe, targets(allowedTrace))).toEqual({ api: 'status 200', collector: 'status 200' });
    } finally {
      await probe.close();
      await other.close();
    }
    // Once the allowed span (sent second) is at the stand-in, the refused one would be too had
    // the collector taken it: the preflight failed, so the browser never sent it.
    const received = await waitFor(
      'the span sent from the front end origin',
      async () => {
        const { spans } = await honeycombReport(stack.honeycombUrl);
        return spans.some((span) => span.traceId === allowedTrace) ? spans : undefined;
      },
      30_000,
      300,
    );
    expect(received.filter((span) => span.traceId === refusedTrace)).toEqual([]);
  });
});

describe('the page telemetry endpoint (nginx in front of the collector browser receiver)', () => {
  it('refuses an oversized body with 413 and malformed OTLP with 400, and the next span still arrives', async () => {
    const endpoint = `http://127.0.0.1:${String(stack.ports.OTELCOL_BROWSER_PORT)}/v1/traces`;
    const post = (body: string | Uint8Array, contentType = 'application/json'): Promise<Response> =>
      fetch(endpoint, { method: 'POST', headers: { 'content-type': contentType, origin: stack.frontendUrl }, body });
    // 1 MiB is the limit, as the receiver's max_request_body_size: just over it is refused by
    // nginx before the collector reads a byte.
    const oversized = await post(JSON.stringify({ resourceSpans: [], padding: 'x'.repeat(1_100_000) }));
    expect(oversized.status).toBe(413);
    // Malformed OTLP passes nginx and is refused by the receiver itself.
    const truncated = await post('{"resourceSpans": [');
    expect(truncated.status).toBe(400);
    expect((await post(new Uint8Array([0xff, 0xff, 0x01]), 'application/x-protobuf')).status).toBe(400);
    // Only POST /v1/traces is forwarded.
    expect((await fetch(endpoint.replace('/v1/traces', '/v1/logs'), { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(endpoint)).status).toBe(403);
    // The collector stayed up and takes the next span, with the front end's origin allowed.
    const traceId = newXrayCompatibleTraceId();
    const accepted = await post(otlpJsonSpan(traceId));
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get('access-control-allow-origin')).toBe(stack.frontendUrl);
    await waitFor(
      'the span sent after the refused bodies',
      async () => ((await honeycombReport(stack.honeycombUrl)).spans.some((span) => span.traceId === traceId) ? true : undefined),
      30_000,
      300,
    );
  });
});
