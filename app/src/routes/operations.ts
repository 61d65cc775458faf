import { Router } from 'express';

import type { ErrorReporter } from '../errors/reporter.ts';

/** Liveness for orchestrators. The telemetry setup exports no span for it. */
export function healthRoutes(): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  return router;
}

/** Proves the Rollbar wiring end to end: one warning item per call. */
export function rollbarRoutes(reporter: ErrorReporter): Router {
  const router = Router();
  router.get('/rollbar/test', (req, res) => {
    reporter.warning('Hello World!', { request: req, userHandle: res.locals.userHandle });
    res.type('text/plain').send('Hello World!');
  });
  return router;
}

/**
 * Fault injection for demos and the end-to-end tests (a 5xx must reach every backend).
 * Mounted only when CRUDDUR_DEBUG_ROUTES is on; never in production.
 */
export function debugRoutes(): Router {
  const router = Router();
  router.get('/debug/error', () => {
    throw new Error('deliberate failure from /debug/error');
  });
  router.get('/debug/rejection', async () => {
    await Promise.resolve();
    throw new Error('deliberate async failure from /debug/rejection');
  });
  // Failures outside any request: what the process-level handlers are for.
  router.get('/debug/unhandled-rejection', (_req, res) => {
    void Promise.reject(new Error('deliberate unhandled rejection from /debug/unhandled-rejection'));
    res.status(202).json({ status: 'rejection scheduled' });
  });
  router.get('/debug/uncaught-exception', (_req, res) => {
    setImmediate(() => {
      throw new Error('deliberate uncaught exception from /debug/uncaught-exception');
    });
    res.status(202).json({ status: 'exception scheduled' });
  });
  return router;
}
