import type { AddressInfo } from 'node:net';

import { createService } from './compose.ts';
import { loadConfig } from './config.ts';
import { createShutdown } from './lifecycle/shutdown.ts';
import { createLogger } from './logging/logger.ts';
import { shutdownTelemetry } from './telemetry/handle.ts';

function main(): void {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const { app, reporter } = createService({ config, logger });

  // Express 5 calls back with the error when listening fails (e.g. the port is taken).
  const server = app.listen(config.port, config.host, (error?: Error) => {
    if (error !== undefined) {
      logger.fatal({ err: error }, `cannot listen on ${config.host}:${config.port}`);
      process.exit(1);
    }
    const { port } = server.address() as AddressInfo;
    logger.info(
      { port, 'service.version': config.serviceVersion, rollbar: reporter.enabled ? 'on' : 'off' },
      `cruddur listening on ${config.host}:${port}`,
    );
  });

  const shutdown = createShutdown({
    server,
    logger,
    reporter,
    flushTelemetry: shutdownTelemetry,
    timeoutMs: config.shutdownTimeoutMs,
  });
  // `on`, not `once`: a second Ctrl-C while draining joins the shutdown under way instead of
  // killing the process before telemetry is flushed.
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.on('SIGINT', () => void shutdown('SIGINT', 0));

  // Node's state after an uncaught exception is undefined: report it, then leave cleanly, with
  // a failing exit code even if a graceful shutdown was already under way.
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception');
    reporter.error(error);
    process.exitCode = 1;
    void shutdown('uncaughtException', 1);
  });
  // A stray rejection does not corrupt the process: report it and keep serving.
  process.on('unhandledRejection', (reason) => {
    const error = reason instanceof Error ? reason : new Error(`unhandled rejection: ${String(reason)}`);
    logger.error({ err: error }, 'unhandled promise rejection');
    reporter.error(error);
  });
}

main();
