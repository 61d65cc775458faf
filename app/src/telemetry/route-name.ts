import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { RequestHandler } from 'express';

/**
 * Names the request span after the Express route that answered it (`GET /api/activities/:uuid`)
 * and sets `http.route`: the one thing @opentelemetry/instrumentation-express was loaded for.
 *
 * Why not that instrumentation: to learn the route it wraps every middleware, router and route
 * layer of every request (about a dozen per request here), even with all layer spans switched
 * off: 10-27 µs of CPU per request in the benchmark's ablations, a small but real part of what the
 * telemetry adds (docs/bench/RESULTS.md). Express already knows the answer: once a
 * route matched, `req.route.path` is its pattern. The HTTP instrumentation reads `route` from the
 * request's RPC metadata when the response closes and then renames the span and sets http.route
 * itself, so writing it there when the response finishes ('finish' precedes 'close') is enough.
 *
 * Requests no route answered (404s, body-parser errors before a route) keep the bare method as
 * their name, as before. Routers are mounted at '/', so `req.baseUrl` is '' here; it is kept in
 * the concatenation so a router mounted under a path would still be named by its full pattern.
 */
export function routeName(): RequestHandler {
  return (req, res, next) => {
    const metadata = getRPCMetadata(context.active());
    // No SDK (or a request the HTTP instrumentation ignores, like /health): nothing to name.
    if (metadata?.type === RPCType.HTTP) {
      res.once('finish', () => {
        const route: unknown = (req.route as { path?: unknown } | undefined)?.path;
        if (typeof route === 'string') metadata.route = `${req.baseUrl}${route}`;
      });
    }
    next();
  };
}
