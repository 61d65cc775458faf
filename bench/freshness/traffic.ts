/** The traffic: requests in a fixed mix, each with its own X-Ray-compatible trace id, timed to the response. */
import { traceparent } from '@cruddur/testkit/trace-ids';
import type { BackendName } from './results.ts';

export const now = (): number => performance.timeOrigin + performance.now();

export type RequestKind = 'GET /api/activities/home' | 'GET /api/activities/@andrewbrown' | 'POST /api/activities';
export const MIX: readonly RequestKind[] = [
  'GET /api/activities/home',
  'GET /api/activities/@andrewbrown',
  'GET /api/activities/home',
  'POST /api/activities',
];

export interface Sent {
  readonly traceId: string;
  readonly kind: RequestKind;
  readonly warmup: boolean;
  readonly sentAt: number;
  respondedAt?: number;
  /** HTTP status; 0 = no response (network error or timeout). */
  status?: number;
  seen: Partial<Record<BackendName, number>>;
}

/** A request answered with a 2xx: the ones whose trace and access log are expected in the backends. */
export type Answered = Sent & { readonly respondedAt: number };
export const answered = (sent: Sent): sent is Answered =>
  sent.respondedAt !== undefined && sent.status !== undefined && sent.status >= 200 && sent.status < 300;

export async function drive(appUrl: string, kind: RequestKind, index: number, sent: Sent): Promise<void> {
  const headers: Record<string, string> = { traceparent: traceparent(sent.traceId) };
  const [method, route] = kind.split(' ') as [string, string];
  let body: string | undefined;
  if (method === 'POST') {
    headers['content-type'] = 'application/json';
    headers['x-cruddur-user-handle'] = 'garek';
    body = JSON.stringify({ message: `freshness probe ${String(index)}`, ttl: '1-hour' });
  } else {
    headers['x-cruddur-user-handle'] = 'worf';
  }
  try {
    const response = await fetch(`${appUrl}${route}`, {
      method,
      headers,
      signal: AbortSignal.timeout(10_000),
      ...(body === undefined ? {} : { body }),
    });
    await response.arrayBuffer();
    sent.respondedAt = now();
    sent.status = response.status;
  } catch {
    sent.status = 0;
  }
}
