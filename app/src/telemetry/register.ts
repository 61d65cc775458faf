/**
 * The telemetry bootstrap: the one module with side effects at import. Load it before anything
 * else (`node --require ./dist/src/telemetry/register.js dist/src/server.js`) so the
 * instrumentations hook `http`, `undici` and `pino` before the application requires them.
 */
import { randomUUID } from 'node:crypto';

import { ConfigError, loadConfig } from '../config.ts';
import { setActiveTelemetry } from './handle.ts';
import { createTelemetrySdk } from './sdk.ts';

function start(): void {
  const config = loadConfig();
  const sdk = createTelemetrySdk({
    serviceVersion: config.serviceVersion,
    deploymentEnvironment: config.deploymentEnvironment,
    serviceInstanceId: randomUUID(),
    exportRetryMaxElapsedMs: config.telemetryRetryMaxElapsedMs,
    ...(config.rollbar.endpoint === undefined ? {} : { errorReportingUrl: config.rollbar.endpoint }),
  });
  sdk.start();
  setActiveTelemetry(sdk);
}

try {
  start();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // Before the logger exists; the message names variables, never their values.
  process.stderr.write(`cruddur: ${error.message}\n`);
  process.exit(2);
}
