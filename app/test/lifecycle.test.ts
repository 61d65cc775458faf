import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';

import { parseConfig } from '../src/config.ts';
import { disabledReporter } from '../src/errors/reporter.ts';
import { createShutdown } from '../src/lifecycle/shutdown.ts';
import { setActiveTelemetry, shutdownTelemetry } from '../src/telemetry/handle.ts';
import { listen } from '@cruddur/testkit/http';

const silent = pino({ level: 'silent' });

describe('graceful shutdown', () => {
  it('lets an in-flight request finish, refuses new ones, flushes, then exits', async () => {
    let release: () => void = () => undefined;
    let arrived: () => void = () => undefined;
    const requestArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const { server, url } = await listen((_req, res) => {
      release = () => res.end('done');
      arrived();
    });
    const steps: string[] = [];
    const exit = vi.fn((code: number) => steps.push(`exit ${code}`));
    const shutdown = createShutdown({
      server,
      logger: silent,
      reporter: {
        ...disabledReporter,
        flush: () => {
          steps.push('rollbar');
          return Promise.resolve();
        },
      },
      flushTelemetry: () => {
        steps.push('telemetry');
        return Promise.resolve('flushed');
      },
      timeoutMs: 5000,
      exit,
    });

    const inFlight = fetch(url);
    await requestArrived;
    const done = shutdown('SIGTERM', 0);
    await expect(fetch(url)).rejects.toThrow();
    release();
    expect(await (await inFlight).text()).toBe('done');
    await done;
    expect(steps).toEqual(['rollbar', 'telemetry', 'exit 0']);
    // A second signal joins the shutdown under way instead of starting another.
    await shutdown('SIGINT', 0);
    expect(exit).toHaveBeenCalledTimes(1);
  });

  it('bounds a telemetry flush that never completes', async () => {
    setActiveTelemetry({ shutdown: () => new Promise<void>(() => undefined) });
    const started = Date.now();
    expect(await shutdownTelemetry(200)).toBe('timed-out');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('reports a failing flush instead of throwing', async () => {
    setActiveTelemetry({ shutdown: () => Promise.reject(new Error('collector gone')) });
    expect(await shutdownTelemetry(1000)).toBe('failed');
    expect(await shutdownTelemetry(1000)).toBe('inactive');
  });
});

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      port: 4567,
      host: '0.0.0.0',
      corsOrigins: [],
      deploymentEnvironment: 'development',
      logLevel: 'info',
      requestBodyLimit: '16kb',
      debugRoutes: false,
      rollbar: { accessToken: undefined, endpoint: undefined, environment: 'development' },
    });
  });

  it('treats empty variables as unset, as compose passes them', () => {
    const config = parseConfig({ ROLLBAR_ACCESS_TOKEN: '', FRONTEND_URL: '', PORT: '', HOST: ' ', LOG_LEVEL: '', SHUTDOWN_TIMEOUT_MS: '' });
    expect(config.rollbar.accessToken).toBeUndefined();
    expect(config.corsOrigins).toEqual([]);
    expect([config.port, config.host, config.logLevel, config.shutdownTimeoutMs]).toEqual([4567, '0.0.0.0', 'info', 10_000]);
  });

  it('normalises CORS origins and reads Rollbar settings', () => {
    const config = parseConfig({
      FRONTEND_URL: 'https://3000-workspace.example.com/',
      BACKEND_URL: 'http://localhost:4567',
      ROLLBAR_ACCESS_TOKEN: 'token',
      ROLLBAR_ENDPOINT: 'http://rollbar-standin:8085/api/1/item/',
      DEPLOYMENT_ENVIRONMENT: 'staging',
      CRUDDUR_DEBUG_ROUTES: 'true',
    });
    // BACKEND_URL, which the original's environment sets, is not a CORS origin.
    expect(config.corsOrigins).toEqual(['https://3000-workspace.example.com']);
    expect(config.rollbar).toEqual({ accessToken: 'token', endpoint: 'http://rollbar-standin:8085/api/1/item/', environment: 'staging' });
    expect(config.debugRoutes).toBe(true);
  });

  it('rejects bad values naming each variable, never echoing a value', () => {
    const attempt = (): unknown =>
      parseConfig({ PORT: '70000', LOG_LEVEL: 'loud', ROLLBAR_ENDPOINT: 'ftp://secret-host', CRUDDUR_DEBUG_ROUTES: 'maybe' });
    expect(attempt).toThrow(/PORT/);
    // The throw itself is asserted just above; catch it here to read the whole message.
    let message: string | undefined;
    try {
      attempt();
    } catch (error) {
      message = (error as Error).message;
    }
    for (const name of ['PORT', 'LOG_LEVEL', 'ROLLBAR_ENDPOINT', 'CRUDDUR_DEBUG_ROUTES']) expect(message).toContain(name);
    expect(message).not.toContain('secret-host');
    expect(message).not.toContain('loud');
  });
});
