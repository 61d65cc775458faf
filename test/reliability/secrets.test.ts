import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { honeycombReport, logGroupEvents, rollbarItems, xrayDocuments, type RollbarItemRecord } from '@cruddur/testkit/backends';
import { newXrayCompatibleTraceId, traceparent } from '@cruddur/testkit/trace-ids';
import { waitFor } from '@cruddur/testkit/processes';
import { startStack, type Stack } from '@cruddur/testkit/stack';
import { containerLogs, imageMetadata, projectContainers, searchImageTar, type ProjectContainer } from '@cruddur/testkit/docker';

// Canary credentials through the whole compose stack (app, collector, stand-ins), and canary
// Authorization/Cookie values on every request: none may appear in what the backends store
// (Honeycomb spans and logs, X-Ray documents, CloudWatch events, Rollbar items), in any
// container's log, or in any image (metadata, build history, every layer's files).

/**
 * Credentials come from the environment only (`make test-reliability` exports canaries, so the
 * images it builds were built with them in the environment too). Unset: a fresh canary. A value
 * that does not say "canary" is refused: this test must never run with a real credential.
 */
function canary(variable: string, generate: () => string): string {
  const value = process.env[variable];
  if (value === undefined || value === '') return generate();
  if (!/canary/i.test(value)) throw new Error(`${variable} is set and is not a canary; unset it or run \`make test-reliability\``);
  return value;
}
const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

const SECRETS = {
  HONEYCOMB_API_KEY: canary('HONEYCOMB_API_KEY', () => `canary-honeycomb-${hex(8)}`),
  ROLLBAR_ACCESS_TOKEN: canary('ROLLBAR_ACCESS_TOKEN', () => `canary-rollbar-${hex(8)}`),
  AWS_ACCESS_KEY_ID: canary('AWS_ACCESS_KEY_ID', () => `AKIACANARY${hex(5).toUpperCase()}`),
  AWS_SECRET_ACCESS_KEY: canary('AWS_SECRET_ACCESS_KEY', () => `canary-aws-secret-${hex(11)}`),
} as const;
/** Request credentials the app receives and must never pass on. */
const AUTHORIZATION = `canary-authorization-${hex(8)}`;
const COOKIE = `canary-cookie-${hex(8)}`;
const NEEDLES: Record<string, string> = { ...SECRETS, 'Authorization header': AUTHORIZATION, 'Cookie header': COOKIE };

/** Which needles occur in a text (by label, so a failure names the leak without printing it). */
function leaks(text: string): string[] {
  return Object.entries(NEEDLES)
    .filter(([, value]) => text.includes(value))
    .map(([label]) => label);
}

interface Sent {
  readonly path: string;
  readonly status: number;
  readonly traceId: string;
}

const TRAFFIC: ReadonlyArray<{ path: string; method?: string; body?: unknown; status: number }> = [
  { path: '/api/activities/home', status: 200 },
  { path: '/api/activities/search?term=cloud', status: 200 },
  { path: '/api/activities/@worf', status: 200 },
  { path: '/api/activities', method: 'POST', body: { message: 'secrets stay home', ttl: '1-hour' }, status: 200 },
  { path: '/api/messages', method: 'POST', body: { message: 'psst', user_receiver_handle: 'worf' }, status: 200 },
  { path: '/api/activities', method: 'POST', body: {}, status: 422 },
  { path: '/api/nothing-here', status: 404 },
  { path: '/rollbar/test', status: 200 },
  { path: '/debug/error', status: 500 },
];

let stack: Stack;
let containers: ProjectContainer[];
let sent: Sent[];
const figures: string[] = [];

/** Polls every 300 ms until the probe returns a value (30 s unless told). */
const eventually = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> =>
  waitFor(what, probe, timeoutMs, 300);

beforeAll(async () => {
  stack = await startStack({ projectPrefix: 'cruddur-rel', env: SECRETS });
  containers = await projectContainers(stack.projectName);
  sent = [];
  for (const request of TRAFFIC) {
    const traceId = newXrayCompatibleTraceId();
    const response = await fetch(`${stack.appUrl}${request.path}`, {
      method: request.method ?? 'GET',
      headers: {
        traceparent: traceparent(traceId),
        authorization: `Bearer ${AUTHORIZATION}`,
        cookie: `session=${COOKIE}; theme=dark`,
        'x-cruddur-user-handle': 'worf',
        ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    });
    await response.arrayBuffer();
    sent.push({ path: request.path, status: response.status, traceId });
  }
});

afterAll(async () => {
  if (figures.length > 0) console.log(`secrets figures (${stack.projectName}):\n  ${figures.join('\n  ')}`);
  await stack?.down();
});

describe('canaries in, nothing out', () => {
  it('the traffic was answered as expected (with the canary headers on)', () => {
    expect(sent.map((s) => `${s.path} ${s.status}`)).toEqual(TRAFFIC.map((t) => `${t.path} ${t.status}`));
  });

  it('the search itself finds a canary where there is one', () => {
    expect(leaks(`x${AUTHORIZATION}y`)).toEqual(['Authorization header']);
    expect(leaks(JSON.stringify({ deep: [SECRETS.AWS_SECRET_ACCESS_KEY] }))).toEqual(['AWS_SECRET_ACCESS_KEY']);
  });

  it('Honeycomb: every request traced, exports authorised by the canary key, no canary in any span or log', async () => {
    const ids = new Set(sent.map((s) => s.traceId));
    const report = await eventually('a span of every request at the Honeycomb stand-in', async () => {
      const current = await honeycombReport(stack.honeycombUrl);
      const traced = new Set(current.spans.filter((span) => ids.has(span.traceId)).map((span) => span.traceId));
      // Spans only: the stack's collector loads no honeycomb-logs.yaml, so logs go to CloudWatch.
      return traced.size === ids.size ? current : undefined;
    });
    // The stand-in accepts only the key it was given: authorised exports prove the canary was the credential.
    const traceExports = report.requests.filter((r) => r.signal === 'traces');
    expect(traceExports.length).toBeGreaterThan(0);
    expect(traceExports.filter((r) => !r.authorized)).toEqual([]);
    const text = JSON.stringify({ spans: report.spans, logs: report.logs });
    expect(leaks(text)).toEqual([]);
    figures.push(`Honeycomb: ${report.spans.length} spans, ${report.logs.length} log records searched (${text.length} bytes), 0 canaries`);
  });

  it('X-Ray: documents for every request, no canary in any', async () => {
    const documents = await Promise.all(
      sent.map((s) =>
        eventually(`X-Ray documents of ${s.path}`, async () => {
          const docs = await xrayDocuments(stack.aws, s.traceId);
          return docs.length > 0 ? docs : undefined;
        }),
      ),
    );
    const text = JSON.stringify(documents);
    expect(leaks(text)).toEqual([]);
    figures.push(`X-Ray: ${documents.flat().length} segment documents searched (${text.length} bytes), 0 canaries`);
  });

  it('CloudWatch Logs: the access record of every request, no canary in any event', async () => {
    const ids = new Set(sent.map((s) => s.traceId));
    const events = await eventually('an access record of every request in CloudWatch', async () => {
      const all = await logGroupEvents(stack.aws, 'cruddur');
      const covered = new Set(
        all
          .filter((e) => e.message.attributes?.['log.type'] === 'access' && ids.has(e.message.trace_id ?? ''))
          .map((e) => e.message.trace_id),
      );
      return covered.size === ids.size ? all : undefined;
    });
    const text = JSON.stringify(events);
    expect(leaks(text)).toEqual([]);
    figures.push(`CloudWatch: ${events.length} events searched (${text.length} bytes), 0 canaries`);
  });

  it('Rollbar: the warning and the 5xx items carry the request, but neither its credentials nor the token', async () => {
    const wanted = sent.filter((s) => s.path === '/rollbar/test' || s.path === '/debug/error').map((s) => s.traceId);
    const items = await eventually('the two Rollbar items', async () => {
      const all = await rollbarItems(stack.rollbarUrl);
      return wanted.every((id) => all.some((item) => item.data.custom?.trace_id === id)) ? all : undefined;
    });
    const ours: RollbarItemRecord[] = items.filter((item) => wanted.includes(item.data.custom?.trace_id ?? ''));
    for (const item of ours) {
      // The request was captured (so absence below is scrubbing, not missing data).
      expect(item.data.request?.headers?.['x-cruddur-user-handle']).toBe('worf');
    }
    const text = JSON.stringify(items);
    expect(leaks(text)).toEqual([]);
    figures.push(`Rollbar: ${items.length} items searched (${text.length} bytes), 0 canaries`);
  });

  it('container logs: no canary in any container of the stack', async () => {
    // app, collector, the four stand-ins (X-Ray control plane included), the front end and the trace viewer
    expect(containers.length).toBe(8);
    let bytes = 0;
    for (const c of containers) {
      const log = await containerLogs(c.id);
      bytes += log.length;
      expect(leaks(log), `docker logs of ${c.service}`).toEqual([]);
    }
    // The app's log has the traffic in it: the search ran over real records.
    expect(await containerLogs(containers.find((c) => c.service === 'app')?.id ?? '')).toContain('/api/activities/search?term=cloud');
    figures.push(`container logs: ${containers.length} containers, ${bytes} bytes, 0 canaries`);
  });

  it('images: no canary in any image config, build history or layer file', async () => {
    const images = [...new Set(containers.map((c) => c.image))].sort();
    expect(images.length).toBe(8);
    let bytes = 0;
    for (const image of images) {
      expect(leaks(await imageMetadata(image)), `${image} metadata`).toEqual([]);
      const tar = await searchImageTar(image, Object.values(NEEDLES));
      expect(tar.bytes).toBeGreaterThan(1_000_000);
      bytes += tar.bytes;
      expect(tar.found.length, `${image} layers`).toBe(0);
    }
    figures.push(`images: ${images.join(', ')}; ${Math.round(bytes / 1e6)} MB of docker save searched, 0 canaries`);
  });
});
