import { render, type RenderResult } from '@testing-library/react';
import { MemoryRouter } from 'react-router';

import { type Activity, createApiClient, type Message, type MessageGroup, type Reply } from '../src/api/client.ts';
import { ApiProvider } from '../src/api/context.tsx';
import { AppRoutes } from '../src/app.tsx';

/** One request the app made, as the fake backend received it. */
export interface Received {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly body: unknown;
}

/** Answers a request (`METHOD /path` key) with a status and JSON body. */
export type Handler = (received: Received) => { readonly status: number; readonly body: unknown };

const BASE_URL = 'http://api.test';

function hoursFromNow(hours: number): string {
  return new Date(Date.now() + hours * 3_600_000).toISOString().replace('Z', '+00:00');
}

let counter = 0;
function uuid(): string {
  counter++;
  return `00000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`;
}

export function anActivity(fields: Partial<Activity> & Pick<Activity, 'handle' | 'message'>): Activity {
  return {
    uuid: uuid(),
    created_at: hoursFromNow(-3),
    expires_at: hoursFromNow(48),
    likes_count: 0,
    replies_count: 0,
    reposts_count: 0,
    replies: [],
    ...fields,
  };
}

export function aReply(fields: Pick<Reply, 'handle' | 'message' | 'reply_to_activity_uuid'>): Reply {
  return { uuid: uuid(), created_at: hoursFromNow(-1), likes_count: 0, replies_count: 0, reposts_count: 0, ...fields };
}

export function aGroup(handle: string, displayName: string): MessageGroup {
  return { uuid: uuid(), handle, display_name: displayName, created_at: hoursFromNow(-24) };
}

export function aMessage(handle: string, displayName: string, message: string): Message {
  return { uuid: uuid(), handle, display_name: displayName, message, created_at: hoursFromNow(-2) };
}

/**
 * The app on a route, against a fake backend reached through the real generated client
 * (openapi-fetch builds the requests; the fake records them and answers from `routes`).
 */
export function renderAt(path: string, routes: Record<string, Handler>): RenderResult & { readonly received: Received[] } {
  const received: Received[] = [];
  const fetchFake = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const text = await request.text();
    const entry: Received = {
      method: request.method,
      path: decodeURIComponent(url.pathname),
      query: url.search,
      body: text === '' ? undefined : (JSON.parse(text) as unknown),
    };
    received.push(entry);
    const handler = routes[`${entry.method} ${entry.path}`];
    const answer = handler === undefined ? { status: 404, body: { error: 'not_found', detail: 'No such route' } } : handler(entry);
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } });
  };
  const client = createApiClient({ baseUrl: BASE_URL, fetch: fetchFake });
  const result = render(
    <ApiProvider client={client}>
      <MemoryRouter initialEntries={[path]}>
        <AppRoutes />
      </MemoryRouter>
    </ApiProvider>,
  );
  return { ...result, received };
}

export function ok(body: unknown): Handler {
  return () => ({ status: 200, body });
}
