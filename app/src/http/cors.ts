import cors from 'cors';
import type { RequestHandler } from 'express';

/**
 * Browser tracing needs the propagation headers allowed, or the frontend's traces stop at the
 * network boundary, and `server-timing` exposed, so a page can read the server span's
 * traceparent; `location`/`link` are exposed as the original backend did.
 */
export const CORS_ALLOWED_HEADERS = [
  'content-type',
  'if-modified-since',
  'traceparent',
  'tracestate',
  'baggage',
  'x-amzn-trace-id',
  'x-cruddur-user-handle',
] as const;

export function corsPolicy(origins: readonly string[]): RequestHandler {
  return cors({
    origin: [...origins],
    methods: ['OPTIONS', 'GET', 'HEAD', 'POST'],
    allowedHeaders: [...CORS_ALLOWED_HEADERS],
    exposedHeaders: ['location', 'link', 'server-timing'],
    maxAge: 600,
  });
}
