import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startAppProcess, type AppProcess } from '@cruddur/testkit/app-process';
import { startService } from '@cruddur/testkit/service';
import { loadOpenApi, operationsOf, ResponseValidator, templateMatches, type DocumentedOperation } from './support/openapi.ts';

// app/openapi.yaml checked against the shipped artefact (app/dist, telemetry bootstrap loaded),
// both ways: every documented (operation, status) is produced by a real request and its body
// matches the documented schema; every route the app mounts is documented; nothing the app
// answers is missing from the document. So the document cannot rot silently.

const doc = loadOpenApi();
const validator = new ResponseValidator(doc);
const operations = operationsOf(doc);

const ANDREW_POST = '0b8f3d7e-2c41-4a6b-9d55-1e7a9c3f6b21';
const UNKNOWN = '4f1c2e0a-0000-4000-8000-000000000000';
const BAD_ENCODING = '%E0%A4%A';
const TOO_BIG = JSON.stringify({ message: 'x'.repeat(20_000), ttl: '1-day' });
const blank = { 'x-cruddur-user-handle': ' ' };

interface Case {
  readonly op: string;
  readonly status: number;
  readonly path: string;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  /** A raw body; sent as application/json unless contentType says otherwise. */
  readonly body?: string;
  readonly contentType?: string;
}

const json = (value: unknown): string => JSON.stringify(value);

/** One real request per documented (operation, status). */
const CASES: readonly Case[] = [
  { op: 'health', status: 200, path: '/health' },
  { op: 'homeActivities', status: 200, path: '/api/activities/home' },
  { op: 'notificationActivities', status: 200, path: '/api/activities/notifications' },
  { op: 'searchActivities', status: 200, path: '/api/activities/search?term=cloud' },
  { op: 'searchActivities', status: 422, path: '/api/activities/search' },
  { op: 'userActivities', status: 200, path: '/api/activities/@worf' },
  { op: 'userActivities', status: 400, path: `/api/activities/@${BAD_ENCODING}` },
  { op: 'userActivities', status: 422, path: '/api/activities/@%20' },
  { op: 'showActivity', status: 200, path: `/api/activities/${ANDREW_POST}` },
  { op: 'showActivity', status: 400, path: `/api/activities/${BAD_ENCODING}` },
  { op: 'showActivity', status: 404, path: `/api/activities/${UNKNOWN}` },
  { op: 'createActivity', status: 200, method: 'POST', path: '/api/activities', body: json({ message: 'documented', ttl: '1-hour' }) },
  { op: 'createActivity', status: 400, method: 'POST', path: '/api/activities', body: '{"message": "cut' },
  { op: 'createActivity', status: 413, method: 'POST', path: '/api/activities', body: TOO_BIG },
  { op: 'createActivity', status: 415, method: 'POST', path: '/api/activities', body: 'message=hi', contentType: 'text/plain' },
  {
    op: 'createActivity',
    status: 422,
    method: 'POST',
    path: '/api/activities',
    body: json({ message: 'hi', ttl: '1-day' }),
    headers: blank,
  },
  { op: 'replyToActivity', status: 200, method: 'POST', path: `/api/activities/${ANDREW_POST}/reply`, body: json({ message: 'Qapla!' }) },
  { op: 'replyToActivity', status: 400, method: 'POST', path: `/api/activities/${ANDREW_POST}/reply`, body: json({ message: 7 }) },
  { op: 'replyToActivity', status: 404, method: 'POST', path: `/api/activities/${UNKNOWN}/reply`, body: json({ message: 'hello?' }) },
  { op: 'replyToActivity', status: 413, method: 'POST', path: `/api/activities/${ANDREW_POST}/reply`, body: TOO_BIG },
  {
    op: 'replyToActivity',
    status: 415,
    method: 'POST',
    path: `/api/activities/${ANDREW_POST}/reply`,
    body: '<m/>',
    contentType: 'application/xml',
  },
  { op: 'replyToActivity', status: 422, method: 'POST', path: `/api/activities/${ANDREW_POST}/reply`, body: json({ message: ' ' }) },
  { op: 'messageGroups', status: 200, path: '/api/message_groups' },
  { op: 'conversation', status: 200, path: '/api/messages/@worf' },
  { op: 'conversation', status: 400, path: `/api/messages/@${BAD_ENCODING}` },
  { op: 'conversation', status: 422, path: '/api/messages/@' },
  {
    op: 'sendMessage',
    status: 200,
    method: 'POST',
    path: '/api/messages',
    body: json({ message: 'Fancy a suit?', user_receiver_handle: 'garek' }),
  },
  { op: 'sendMessage', status: 400, method: 'POST', path: '/api/messages', body: '[1,2]' },
  { op: 'sendMessage', status: 413, method: 'POST', path: '/api/messages', body: TOO_BIG },
  { op: 'sendMessage', status: 415, method: 'POST', path: '/api/messages', body: 'hi', contentType: 'text/plain' },
  { op: 'sendMessage', status: 422, method: 'POST', path: '/api/messages', body: json({ message: 'hi', user_receiver_handle: '' }) },
  { op: 'rollbarTest', status: 200, path: '/rollbar/test' },
];

function operation(id: string): DocumentedOperation {
  const found = operations.find((o) => o.operationId === id);
  if (found === undefined) throw new Error(`operation ${id} is not in app/openapi.yaml`);
  return found;
}

/** Express 5 internals, typed just as far as the walk below reads them. */
interface RouterLayer {
  readonly route?: { readonly path: string; readonly methods: Record<string, boolean> };
  readonly handle?: { readonly stack?: readonly RouterLayer[] };
}

/** Every (method, path) the app mounts, in OpenAPI template form (`:id` and `{:id}` → `{id}`). */
function mountedRoutes(stack: readonly RouterLayer[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const template = layer.route.path.replace(/\{:(\w+)\}/g, '{$1}').replace(/:(\w+)/g, '{$1}');
      return Object.keys(layer.route.methods).map((method) => `${method} ${template}`);
    }
    return layer.handle?.stack ? mountedRoutes(layer.handle.stack) : [];
  });
}

let app: AppProcess;

beforeAll(async () => {
  // As the fuzzer sees it: no exporters, no debug routes, Rollbar off.
  app = await startAppProcess({ OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none', LOG_LEVEL: 'warn' });
});
afterAll(async () => {
  await app?.stop();
});

describe('app/openapi.yaml', () => {
  it('is OpenAPI 3.1 and documents every route the app mounts, and no other', async () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const service = await startService({ env: { CRUDDUR_DEBUG_ROUTES: 'false' } });
    try {
      // The Express application object keeps its router on `.router` (Express 5); not in its types.
      const router = (service.server.listeners('request')[0] as unknown as { router: { stack: RouterLayer[] } }).router;
      const mounted = mountedRoutes(router.stack).sort();
      const documented = operations.map((o) => `${o.method} ${o.path}`).sort();
      expect(mounted).toEqual(documented);
    } finally {
      await service.close();
    }
  });

  it('has a real request for every documented status of every operation, and only those', () => {
    const documented = operations.flatMap((o) => o.statuses.map((s) => `${o.operationId} ${s}`)).sort();
    const exercised = [...new Set(CASES.map((c) => `${c.op} ${c.status}`))].sort();
    expect(exercised).toEqual(documented);
    for (const c of CASES) expect(templateMatches(operation(c.op).path, c.path), `${c.path} is not ${c.op}`).toBe(true);
  });

  it.each(CASES.map((c) => [`${c.method ?? 'GET'} ${c.path.slice(0, 60)} -> ${c.status}`, c] as const))(
    '%s answers as documented',
    async (_name, c) => {
      const op = operation(c.op);
      const response = await fetch(`${app.url}${c.path}`, {
        method: c.method ?? 'GET',
        headers: { ...(c.body === undefined ? {} : { 'content-type': c.contentType ?? 'application/json' }), ...c.headers },
        ...(c.body === undefined ? {} : { body: c.body }),
      });
      const text = await response.text();
      expect(response.status, text).toBe(c.status);
      const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
      const body: unknown = mediaType === 'application/json' ? JSON.parse(text) : text;
      expect(validator.validate(op.path, op.method, String(c.status), mediaType, body)).toEqual([]);
    },
  );

  it('fails on a body that breaks the schema (the validator is not a no-op)', () => {
    const home = operation('homeActivities');
    expect(validator.validate(home.path, 'get', '200', 'application/json', [{ uuid: 'x' }]).length).toBeGreaterThan(0);
    expect(validator.validate('/api/activities', 'post', '422', 'application/json', ['message_blank', 'extra'])).not.toEqual([]);
    expect(validator.validate('/api/activities', 'post', '422', 'application/json', ['not_a_key'])).not.toEqual([]);
    expect(validator.validate('/api/activities', 'post', '500', 'application/json', {})).toEqual([
      '500 is not documented for POST /api/activities',
    ]);
  });

  it('has no /debug routes on the process the fuzzer targets (CRUDDUR_DEBUG_ROUTES unset)', async () => {
    const response = await fetch(`${app.url}/debug/error`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not_found', detail: 'No route for GET /debug/error.' });
  });
});
