import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { FIXED_NOW, startService, type TestService } from '@cruddur/testkit/service';

const DAY = 24 * 3_600_000;
const HOUR = 3_600_000;
const iso = (offsetMs: number): string => new Date(FIXED_NOW.getTime() + offsetMs).toISOString().replace('Z', '+00:00');
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/;
const ANDREW_POST = '0b8f3d7e-2c41-4a6b-9d55-1e7a9c3f6b21';

let service: TestService;

beforeEach(async () => {
  service = await startService({
    env: { FRONTEND_URL: 'https://frontend.example.com', BACKEND_URL: 'https://backend.example.com/' },
  });
});
afterEach(async () => {
  await service.close();
});

interface Reply {
  uuid: string;
  reply_to_activity_uuid: string;
  handle: string;
  message: string;
  likes_count: number;
  replies_count: number;
  reposts_count: number;
  created_at: string;
}
interface Activity {
  uuid: string;
  handle: string;
  display_name?: string;
  message: string;
  created_at: string;
  expires_at: string;
  likes_count: number;
  replies_count: number;
  reposts_count: number;
  replies: Reply[];
}

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(`${service.url}${path}`, { headers });
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.includes('application/json') ?? false;
  return { status: response.status, body: isJson ? (JSON.parse(text) as unknown) : text, headers: response.headers };
}

async function post(
  path: string,
  body: unknown,
  options: { headers?: Record<string, string>; raw?: string; contentType?: string } = {},
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${service.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': options.contentType ?? 'application/json', ...options.headers },
    body: options.raw ?? JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

const blankHandle = { 'X-Cruddur-User-Handle': '  ' };

describe('GET /api/activities/home', () => {
  it('serves exactly the three seeded activities, newest first, with contract fields', async () => {
    const { status, body } = await get('/api/activities/home');
    expect(status).toBe(200);
    const activities = body as Activity[];
    expect(activities.map((a) => [a.handle, a.message])).toEqual([
      ['garek', 'My dear doctor, I am just simple tailor'],
      ['andrewbrown', 'Cloud is very fun!'],
      ['worf', 'I am out of prune juice'],
    ]);
    const [garek, andrew, worf] = activities as [Activity, Activity, Activity];
    expect(andrew).toEqual({
      uuid: ANDREW_POST,
      handle: 'andrewbrown',
      display_name: 'Andrew Brown',
      message: 'Cloud is very fun!',
      created_at: iso(-2 * DAY),
      expires_at: iso(5 * DAY),
      likes_count: 5,
      replies_count: 1,
      reposts_count: 0,
      replies: [
        {
          uuid: expect.any(String) as string,
          reply_to_activity_uuid: ANDREW_POST,
          handle: 'worf',
          message: 'This post has no honor!',
          likes_count: 0,
          replies_count: 0,
          reposts_count: 0,
          created_at: iso(-2 * DAY),
        },
      ],
    });
    expect([worf.created_at, worf.expires_at]).toEqual([iso(-7 * DAY), iso(9 * DAY)]);
    expect([garek.created_at, garek.expires_at]).toEqual([iso(-HOUR), iso(12 * HOUR)]);
    for (const activity of activities) {
      expect(activity.likes_count).toBeTypeOf('number');
      expect(activity).not.toHaveProperty('likes');
      expect(activity.created_at).toMatch(TIMESTAMP);
    }
  });
});

describe('GET /api/activities/notifications', () => {
  it('serves the unicorn post by coco with its reply by worf', async () => {
    const { status, body } = await get('/api/activities/notifications');
    expect(status).toBe(200);
    const [only, ...rest] = body as Activity[];
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ handle: 'coco', message: 'I am white unicorn', replies_count: 1 });
    expect(only?.replies.map((r) => [r.handle, r.message, r.reply_to_activity_uuid])).toEqual([
      ['worf', 'This post has no honor!', only?.uuid],
    ]);
  });
});

describe('GET /api/activities/search', () => {
  it('finds activities whose message contains the term, ignoring case', async () => {
    const { status, body } = await get('/api/activities/search?term=CLOUD');
    expect(status).toBe(200);
    expect((body as Activity[]).map((a) => a.uuid)).toEqual([ANDREW_POST]);
  });

  it('answers an empty list when nothing matches', async () => {
    expect(await get('/api/activities/search?term=klingon')).toMatchObject({ status: 200, body: [] });
  });

  it.each(['', '?term=', '?term=%20%20', '?term[a]=x'])('rejects a blank term (%s)', async (query) => {
    expect(await get(`/api/activities/search${query}`)).toMatchObject({ status: 422, body: ['search_term_blank'] });
  });
});

describe('GET /api/activities/@:handle', () => {
  it("serves that user's activities", async () => {
    const { status, body } = await get('/api/activities/@worf');
    expect(status).toBe(200);
    expect((body as Activity[]).map((a) => [a.handle, a.message])).toEqual([['worf', 'I am out of prune juice']]);
  });

  it('serves an empty feed for a user with no posts', async () => {
    expect(await get('/api/activities/@nobody')).toMatchObject({ status: 200, body: [] });
  });

  it.each(['/api/activities/@', '/api/activities/@%20'])('rejects a blank handle (%s)', async (path) => {
    expect(await get(path)).toMatchObject({ status: 422, body: ['blank_user_handle'] });
  });
});

describe('GET /api/activities/:uuid', () => {
  it('serves the activity with its replies', async () => {
    const { status, body } = await get(`/api/activities/${ANDREW_POST}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ uuid: ANDREW_POST, message: 'Cloud is very fun!', replies: [{ handle: 'worf' }] });
  });

  it('answers 404 with the JSON error shape for an unknown activity', async () => {
    const { status, body } = await get('/api/activities/4f1c2e0a-0000-4000-8000-000000000000');
    expect(status).toBe(404);
    expect(body).toEqual({ error: 'not_found', detail: expect.stringContaining('4f1c2e0a') as string });
  });

  it('answers 400, not 500, for a malformed percent-encoding', async () => {
    const { status, body } = await get('/api/activities/%E0%A4%A');
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: 'bad_request' });
  });
});

describe('POST /api/activities', () => {
  it('creates an activity that shows up in every feed', async () => {
    const created = await post(
      '/api/activities',
      { message: 'Tracing all the way down', ttl: '3-hours' },
      { headers: { 'X-Cruddur-User-Handle': 'worf' } },
    );
    expect(created.status).toBe(200);
    const activity = created.body as Activity;
    expect(activity).toEqual({
      uuid: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
      handle: 'worf',
      display_name: 'Worf',
      message: 'Tracing all the way down',
      created_at: iso(0),
      expires_at: iso(3 * HOUR),
      likes_count: 0,
      replies_count: 0,
      reposts_count: 0,
      replies: [],
    });
    const home = (await get('/api/activities/home')).body as Activity[];
    expect(home.map((a) => a.uuid)).toContain(activity.uuid);
    expect(((await get('/api/activities/@worf')).body as Activity[]).map((a) => a.uuid)).toContain(activity.uuid);
    expect(((await get('/api/activities/search?term=all the way')).body as Activity[])[0]?.uuid).toBe(activity.uuid);
    expect((await get(`/api/activities/${activity.uuid}`)).body).toEqual(activity);
  });

  it('posts as andrewbrown when no user header is sent', async () => {
    const { body } = await post('/api/activities', { message: 'hi', ttl: '1-day' });
    expect(body).toMatchObject({ handle: 'andrewbrown', expires_at: iso(DAY) });
  });

  it.each([
    ['30-days', 30 * DAY],
    ['7-days', 7 * DAY],
    ['3-days', 3 * DAY],
    ['1-day', DAY],
    ['12-hours', 12 * HOUR],
    ['3-hours', 3 * HOUR],
    ['1-hour', HOUR],
  ])('sets expires_at from ttl %s', async (ttl, lifetime) => {
    const { status, body } = await post('/api/activities', { message: 'ttl check', ttl });
    expect(status).toBe(200);
    expect((body as Activity).expires_at).toBe(iso(lifetime));
  });

  it('accepts 280 characters, counting an emoji as one', async () => {
    expect((await post('/api/activities', { message: '🚀'.repeat(280), ttl: '1-day' })).status).toBe(200);
  });

  it.each<[string, unknown, Record<string, string>, string]>([
    ['missing message', { ttl: '1-day' }, {}, 'message_blank'],
    ['empty message', { message: '', ttl: '1-day' }, {}, 'message_blank'],
    ['whitespace message', { message: ' \n\t', ttl: '1-day' }, {}, 'message_blank'],
    ['null message', { message: null, ttl: '1-day' }, {}, 'message_blank'],
    ['281 characters', { message: 'x'.repeat(281), ttl: '1-day' }, {}, 'message_exceed_max_chars'],
    ['blank user handle', { message: 'hi', ttl: '1-day' }, blankHandle, 'user_handle_blank'],
    ['missing ttl', { message: 'hi' }, {}, 'ttl_blank'],
    ['unknown ttl', { message: 'hi', ttl: '2-weeks' }, {}, 'ttl_invalid'],
    ['all blank: message first', { message: '', ttl: '' }, blankHandle, 'message_blank'],
    ['handle before ttl', { message: 'hi', ttl: '' }, blankHandle, 'user_handle_blank'],
    ['too long before handle', { message: 'y'.repeat(300) }, blankHandle, 'message_exceed_max_chars'],
  ])('answers 422 for %s', async (_name, body, headers, key) => {
    expect(await post('/api/activities', body, { headers })).toEqual({ status: 422, body: [key] });
  });

  it('creates nothing when validation fails', async () => {
    await post('/api/activities', { message: '', ttl: '1-day' });
    expect(((await get('/api/activities/home')).body as Activity[]).length).toBe(3);
  });

  it('answers 400 naming the field when a field has the wrong type', async () => {
    const { status, body } = await post('/api/activities', { message: 42, ttl: '1-day' });
    expect(status).toBe(400);
    expect(body).toEqual({ error: 'invalid_field_type', detail: expect.stringMatching(/^message: .*string/) as string });
  });

  it('answers 400 for a body that is not JSON', async () => {
    expect(await post('/api/activities', undefined, { raw: '{"message": "hi",' })).toEqual({
      status: 400,
      body: { error: 'invalid_json', detail: expect.any(String) as string },
    });
  });

  it.each(['[1,2]', '"text"', '17'])('answers 400 for a JSON body that is not an object (%s)', async (raw) => {
    const { status, body } = await post('/api/activities', undefined, { raw });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: expect.stringMatching(/^invalid_(body|json)$/) as string });
  });

  it('answers 413 for a body over the limit', async () => {
    const { status, body } = await post('/api/activities', { message: 'x'.repeat(20_000), ttl: '1-day' });
    expect(status).toBe(413);
    expect(body).toMatchObject({ error: 'payload_too_large' });
  });

  it('answers 415 for a body that is not application/json', async () => {
    const { status, body } = await post('/api/activities', undefined, { raw: 'message=hi', contentType: 'text/plain' });
    expect(status).toBe(415);
    expect(body).toMatchObject({ error: 'unsupported_media_type' });
  });
});

describe('POST /api/activities/:uuid/reply', () => {
  it('adds a reply that shows up under its parent', async () => {
    const { status, body } = await post(
      `/api/activities/${ANDREW_POST}/reply`,
      { message: 'Qapla!' },
      { headers: { 'X-Cruddur-User-Handle': 'worf' } },
    );
    expect(status).toBe(200);
    expect(body).toEqual({
      uuid: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
      reply_to_activity_uuid: ANDREW_POST,
      handle: 'worf',
      message: 'Qapla!',
      likes_count: 0,
      replies_count: 0,
      reposts_count: 0,
      created_at: iso(0),
    });
    const parent = (await get(`/api/activities/${ANDREW_POST}`)).body as Activity;
    expect(parent.replies_count).toBe(2);
    expect(parent.replies.map((r) => r.message)).toEqual(['This post has no honor!', 'Qapla!']);
    const home = (await get('/api/activities/home')).body as Activity[];
    expect(home.find((a) => a.uuid === ANDREW_POST)?.replies_count).toBe(2);
  });

  it('answers 404 for a reply to an unknown activity', async () => {
    const { status, body } = await post('/api/activities/unknown-activity/reply', { message: 'hello?' });
    expect(status).toBe(404);
    expect(body).toMatchObject({ error: 'not_found' });
  });

  it.each<[string, string, unknown, Record<string, string>, string]>([
    ['blank message', ANDREW_POST, { message: ' ' }, {}, 'message_blank'],
    ['1025 characters', ANDREW_POST, { message: 'z'.repeat(1025) }, {}, 'message_exceed_max_chars'],
    ['blank user handle', ANDREW_POST, { message: 'ok' }, blankHandle, 'user_handle_blank'],
    ['blank activity uuid', '%20', { message: 'ok' }, {}, 'activity_uuid_blank'],
    ['message before handle', ANDREW_POST, {}, blankHandle, 'message_blank'],
    ['handle before uuid', '%20', { message: 'ok' }, blankHandle, 'user_handle_blank'],
  ])('answers 422 (not 500) for %s', async (_name, uuid, body, headers, key) => {
    expect(await post(`/api/activities/${uuid}/reply`, body, { headers })).toEqual({ status: 422, body: [key] });
  });

  it('accepts exactly 1024 characters', async () => {
    expect((await post(`/api/activities/${ANDREW_POST}/reply`, { message: 'z'.repeat(1024) })).status).toBe(200);
  });
});

describe('messages', () => {
  it('lists the seeded message groups', async () => {
    const { status, body } = await get('/api/message_groups');
    expect(status).toBe(200);
    expect(body).toEqual([
      { uuid: expect.any(String) as string, display_name: 'Andrew Brown', handle: 'andrewbrown', created_at: iso(-7 * DAY) },
      { uuid: expect.any(String) as string, display_name: 'Worf', handle: 'worf', created_at: iso(-7 * DAY) },
    ]);
  });

  it('serves the conversation with a user, oldest first', async () => {
    const { status, body } = await get('/api/messages/@worf');
    expect(status).toBe(200);
    const messages = body as Array<{ handle: string; display_name: string; message: string; created_at: string }>;
    expect(messages.map((m) => m.handle)).toEqual(['worf', 'andrewbrown']);
    expect(messages[0]).toMatchObject({ display_name: 'Worf', created_at: iso(-3 * DAY) });
  });

  it('sends a message that shows up in the conversation and adds a group', async () => {
    const sent = await post('/api/messages', { message: 'Fancy a suit?', user_receiver_handle: 'garek' });
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({
      uuid: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
      display_name: 'Andrew Brown',
      handle: 'andrewbrown',
      message: 'Fancy a suit?',
      created_at: iso(0),
    });
    expect((await get('/api/messages/@garek')).body).toEqual([sent.body]);
    const asGarek = (await get('/api/messages/@andrewbrown', { 'X-Cruddur-User-Handle': 'garek' })).body;
    expect(asGarek).toEqual([sent.body]);
    const groups = (await get('/api/message_groups')).body as Array<{ handle: string; display_name: string }>;
    expect(groups.map((g) => [g.handle, g.display_name])).toContainEqual(['garek', 'Garek']);
  });

  it.each(['/api/messages/@', '/api/messages/@%20'])('rejects a blank receiver in %s', async (path) => {
    expect(await get(path)).toMatchObject({ status: 422, body: ['user_reciever_handle_blank'] });
  });

  it.each<[string, unknown, Record<string, string>, string]>([
    ['blank message', { message: '', user_receiver_handle: 'worf' }, {}, 'message_blank'],
    ['1025 characters', { message: 'm'.repeat(1025), user_receiver_handle: 'worf' }, {}, 'message_exceed_max_chars'],
    ['blank sender', { message: 'hi', user_receiver_handle: 'worf' }, blankHandle, 'user_sender_handle_blank'],
    ['blank receiver', { message: 'hi', user_receiver_handle: '' }, {}, 'user_reciever_handle_blank'],
    ['message first', { user_receiver_handle: '' }, blankHandle, 'message_blank'],
    ['sender before receiver', { message: 'hi' }, blankHandle, 'user_sender_handle_blank'],
  ])('answers 422 for %s', async (_name, body, headers, key) => {
    expect(await post('/api/messages', body, { headers })).toEqual({ status: 422, body: [key] });
  });

  it('answers 400 when the receiver is not a string', async () => {
    const { status, body } = await post('/api/messages', { message: 'hi', user_receiver_handle: ['worf'] });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: 'invalid_field_type', detail: expect.stringContaining('user_receiver_handle') as string });
  });
});

describe('operations routes', () => {
  it('GET /rollbar/test answers Hello World! as text', async () => {
    const { status, body, headers } = await get('/rollbar/test');
    expect(status).toBe(200);
    expect(body).toBe('Hello World!');
    expect(headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('GET /health answers ok', async () => {
    expect(await get('/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('answers 404 with the JSON error shape for an unknown route', async () => {
    expect(await get('/api/nothing-here')).toMatchObject({
      status: 404,
      body: { error: 'not_found', detail: 'No route for GET /api/nothing-here.' },
    });
  });

  it('answers a server fault with a generic 500 that leaks no internals', async () => {
    const { status, body } = await get('/debug/error');
    expect(status).toBe(500);
    expect(body).toEqual({ error: 'internal_error', detail: expect.any(String) as string });
    expect(JSON.stringify(body)).not.toMatch(/deliberate|at |\.ts/);
  });
});

describe('CORS', () => {
  const preflight = (origin: string): Promise<Response> =>
    fetch(`${service.url}/api/activities`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,traceparent,x-amzn-trace-id',
      },
    });

  it("allows the front end's origin with the tracing headers", async () => {
    const origin = 'https://frontend.example.com';
    const response = await preflight(origin);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').split(',');
    for (const header of ['content-type', 'if-modified-since', 'traceparent', 'tracestate', 'baggage', 'x-amzn-trace-id']) {
      expect(allowed).toContain(header);
    }
  });

  it("does not allow BACKEND_URL's origin: only the front end's", async () => {
    const response = await preflight('https://backend.example.com');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('exposes location, link and server-timing on responses', async () => {
    const response = await fetch(`${service.url}/api/activities/home`, { headers: { origin: 'https://frontend.example.com' } });
    expect(response.headers.get('access-control-expose-headers')).toBe('location,link,server-timing');
  });

  it('does not allow other origins', async () => {
    const response = await preflight('https://evil.example.net');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('access log', () => {
  it('writes one structured record per request with address, method, scheme, full path, status and duration', async () => {
    await get('/api/activities/search?term=cloud');
    await get('/api/activities/@');
    const access = service.logs.filter((record) => record['log.type'] === 'access');
    expect(access).toHaveLength(2);
    expect(access[0]).toMatchObject({
      level: 'info',
      'client.address': '127.0.0.1',
      'http.request.method': 'GET',
      'url.scheme': 'http',
      'url.path': '/api/activities/search',
      'url.query': 'term=cloud',
      'http.response.status_code': 200,
      'app.user_handle': 'andrewbrown',
      msg: expect.stringContaining('GET http /api/activities/search?term=cloud 200') as string,
    });
    expect(access[0]?.duration_ms).toBeGreaterThan(0);
    expect(new Date(String(access[0]?.time)).getTime()).not.toBeNaN();
    expect(access[1]).toMatchObject({ level: 'warn', 'http.response.status_code': 422 });
  });

  it('logs a server fault at error level with the stack, and the access record too', async () => {
    await get('/debug/error');
    const errors = service.logs.filter((record) => record.level === 'error');
    expect(errors.map((record) => record.msg)).toEqual([
      'unhandled error while serving request',
      expect.stringContaining('/debug/error 500') as string,
    ]);
    expect(JSON.stringify(errors[0]?.err)).toContain('deliberate failure');
  });
});

describe('client input never yields a 5xx', () => {
  const weirdBodies = [
    '{}',
    'null',
    'true',
    '{"message":{"a":1},"ttl":[]}',
    '{"message":"\\u0000","ttl":"1-day"}',
    '{"__proto__":{"x":1}}',
    '\u00ff\u00fe',
  ];
  it.each(weirdBodies)('POST /api/activities with %j', async (raw) => {
    const { status } = await post('/api/activities', undefined, { raw });
    expect(status).toBeGreaterThanOrEqual(200);
    expect(status).toBeLessThan(500);
  });

  it.each(['/api/activities/%', '/api/messages/@%ZZ', '/api/activities/@%C0%AF', '/%2e%2e/%2e%2e/etc/passwd'])('GET %s', async (path) => {
    const { status } = await get(path);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
  });
});
