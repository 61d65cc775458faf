import { isSpanContextValid } from '@opentelemetry/api';
import type { RequestHandler } from 'express';

import { requestSpan } from './request-span.ts';

/**
 * `Server-Timing: traceparent;desc="00-<trace id>-<span id>-<flags>"` on every traced response:
 * the trace-context convention by which browser instrumentation (document load, resource timing)
 * ties its spans to the request's server span. `Timing-Allow-Origin` lets the front end's origins
 * read it from resource timing (CORS exposes it to fetch, cors.ts). Without an SDK there is no
 * span, so no header.
 */
export function serverTiming(origins: readonly string[]): RequestHandler {
  const timingAllowOrigin = origins.join(', ');
  return (_req, res, next) => {
    const context = requestSpan()?.spanContext();
    if (context !== undefined && isSpanContextValid(context)) {
      const flags = context.traceFlags.toString(16).padStart(2, '0');
      res.setHeader('server-timing', `traceparent;desc="00-${context.traceId}-${context.spanId}-${flags}"`);
      if (timingAllowOrigin !== '') res.setHeader('timing-allow-origin', timingAllowOrigin);
    }
    next();
  };
}
