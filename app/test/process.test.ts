import { spawnSync } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { startAppProcess, type AppProcess } from '@cruddur/testkit/app-process';
import { freePort } from '@cruddur/testkit/ports';
import { captureServer } from '@cruddur/testkit/http';
import { startOtlpCapture, type OtlpCapture } from '@cruddur/testkit/otlp-capture';

/** The real artefact as `make run` starts it, talking OTLP/gRPC to an endpoint the test owns. */

const TRACE_ID = '6b03f00d0123456789abcdef01234567';
const traceparent = `00-${TRACE_ID}-1111222233334444-01`;
const traceIdBytes = Buffer.from(TRACE_ID, 'hex');

let app: AppProcess | undefined;
let capture: OtlpCapture | undefined;

afterEach(async () => {
  await app?.stop('SIGKILL');
  await capture?.close();
  app = undefined;
  capture = undefined;
});

/** Starts an OTLP capture and the app exporting to it; afterEach stops both, even if the app fails to start. */
async function startExporting(env: Record<string, string>): Promise<{ app: AppProcess; capture: OtlpCapture }> {
  capture = await startOtlpCapture();
  app = await startAppProcess({ OTEL_EXPORTER_OTLP_ENDPOINT: capture.endpoint, ...env });
  return { app, capture };
}

/** A GET to the running app carrying the test's traceparent, its body read to the end. */
async function get(path: string): Promise<Response> {
  if (app === undefined) throw new Error('get() needs a running app');
  const response = await fetch(`${app.url}${path}`, { headers: { traceparent } });
  await response.arrayBuffer();
  return response;
}

describe('the running service', () => {
  it('exports traces and logs over OTLP/gRPC to OTEL_EXPORTER_OTLP_ENDPOINT, and no metrics', async () => {
    ({ app, capture } = await startExporting({ OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_BLRP_SCHEDULE_DELAY: '100' }));
    const response = await get('/api/activities/home');
    expect(response.status).toBe(200);

    const traces = await capture.waitFor('traces', [
      traceIdBytes,
      'home-activities-mock-data',
      'GET /api/activities/home',
      'cruddur-backend',
      'app.result_length',
    ]);
    const logs = await capture.waitFor('logs', [traceIdBytes, 'GET http /api/activities/home 200', 'http.response.status_code']);
    // The app never holds a vendor key: nothing but OTLP leaves it.
    for (const sent of [traces, logs]) expect(Object.keys(sent.metadata)).not.toContain('x-honeycomb-team');
    expect(capture.exports.filter((entry) => entry.signal === 'metrics')).toEqual([]);
  });

  it('applies OTEL_BLRP_* to the log processor it builds (the SDK would silently ignore them)', async () => {
    ({ app, capture } = await startExporting({
      OTEL_BSP_SCHEDULE_DELAY: '100',
      // With the SDK's built-in 1 s delay the access record would leave within about a second.
      OTEL_BLRP_SCHEDULE_DELAY: '60000',
    }));
    await get('/api/activities/home');
    await capture.waitFor('traces', [traceIdBytes, 'GET /api/activities/home']);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(capture.exports.filter((entry) => entry.signal === 'logs')).toEqual([]);
    // ...and they are only held back, not lost: the shutdown flush delivers them.
    expect((await app.stop('SIGTERM')).code).toBe(0);
    await capture.waitFor('logs', [traceIdBytes, '/api/activities/home'], 1000);
  });

  it('flushes buffered telemetry on SIGTERM and exits 0', async () => {
    ({ app, capture } = await startExporting({
      // Nothing would leave before a minute: only the shutdown flush can deliver it.
      OTEL_BSP_SCHEDULE_DELAY: '60000',
      OTEL_BLRP_SCHEDULE_DELAY: '60000',
    }));
    await get('/api/activities/notifications');
    expect(capture.exports).toEqual([]);
    const { code } = await app.stop('SIGTERM');
    expect(code).toBe(0);
    await capture.waitFor('traces', [traceIdBytes, 'GET /api/activities/notifications'], 1000);
    await capture.waitFor('logs', [traceIdBytes, '/api/activities/notifications'], 1000);
  });

  it('shuts down within its budget when the collector accepts connections but never answers', async () => {
    const sockets: Socket[] = [];
    const blackHole = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const address = blackHole.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      app = await startAppProcess({
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_BSP_SCHEDULE_DELAY: '60000',
        SHUTDOWN_TIMEOUT_MS: '3000',
      });
      for (let i = 0; i < 20; i += 1) await get('/api/activities/home');
      const { code, elapsedMs } = await app.stop('SIGTERM');
      expect(code).toBe(0);
      expect(elapsedMs).toBeLessThan(3000 + 1500);
      expect(app.output()).toContain('"msg":"shutdown complete"');
    } finally {
      for (const socket of sockets) socket.destroy();
      blackHole.close();
    }
  });

  it('keeps serving while no collector is listening at all', async () => {
    // A port that was free a moment ago: nothing listens there.
    app = await startAppProcess({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`, OTEL_BSP_SCHEDULE_DELAY: '50' });
    for (let i = 0; i < 50; i += 1) {
      expect((await fetch(`${app.url}/api/activities/home`)).status).toBe(200);
    }
    const { code } = await app.stop('SIGTERM');
    expect(code).toBe(0);
  });
});

describe('process-level failures', () => {
  it('reports an unhandled rejection to Rollbar and keeps serving; reports an uncaught exception and exits 1', async () => {
    const rollbar = await captureServer();
    try {
      app = await startAppProcess({
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
        CRUDDUR_DEBUG_ROUTES: 'true',
        ROLLBAR_ACCESS_TOKEN: 'process-test-token',
        ROLLBAR_ENDPOINT: `${rollbar.url}/api/1/item/`,
      });
      expect((await fetch(`${app.url}/debug/unhandled-rejection`)).status).toBe(202);
      const [rejection] = await rollbar.waitFor(1, 10_000);
      expect(JSON.parse(rejection?.body ?? '{}')).toMatchObject({
        data: {
          level: 'error',
          body: { trace_chain: [{ exception: { message: 'deliberate unhandled rejection from /debug/unhandled-rejection' } }] },
        },
      });
      expect((await fetch(`${app.url}/api/activities/home`)).status).toBe(200);

      const exited = new Promise<number | null>((resolve) => app?.child.once('exit', (code) => resolve(code)));
      expect((await fetch(`${app.url}/debug/uncaught-exception`)).status).toBe(202);
      expect(await exited).toBe(1);
      const bodies = rollbar.requests.map((request) => request.body);
      expect(bodies.some((body) => body.includes('deliberate uncaught exception from /debug/uncaught-exception'))).toBe(true);
      expect(app.output()).toContain('"msg":"uncaught exception"');
    } finally {
      await rollbar.close();
    }
  });
});

describe('start-up configuration', () => {
  it('refuses to start on invalid settings, naming the variables but never their values', () => {
    const secret = 'canary-not-a-url-7d3e';
    const result = spawnSync(process.execPath, ['--require', './dist/src/telemetry/register.js', 'dist/src/server.js'], {
      cwd: fileURLToPath(new URL('../', import.meta.url)),
      env: { PATH: process.env.PATH ?? '', PORT: 'eighty', ROLLBAR_ENDPOINT: secret },
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/invalid configuration/);
    expect(result.stderr).toMatch(/PORT/);
    expect(result.stderr).toMatch(/ROLLBAR_ENDPOINT/);
    expect(result.stderr + result.stdout).not.toContain(secret);
  });

  it('refuses an xray sampler argument the sampler would silently replace, naming it', () => {
    const result = spawnSync(process.execPath, ['--require', './dist/src/telemetry/register.js', 'dist/src/server.js'], {
      cwd: fileURLToPath(new URL('../', import.meta.url)),
      env: {
        PATH: process.env.PATH ?? '',
        OTEL_TRACES_SAMPLER: 'xray',
        OTEL_TRACES_SAMPLER_ARG: 'endpoint=http://localhost:2000,polling_interval=5',
      },
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('OTEL_TRACES_SAMPLER_ARG polling_interval: must be at least 10 seconds');
  });
});
