import type { Server } from 'node:http';

import type { ErrorReporter } from '../errors/reporter.ts';
import type { Logger } from '../logging/logger.ts';

export interface ShutdownOptions {
  readonly server: Server;
  readonly logger: Logger;
  readonly reporter: ErrorReporter;
  /** Flushes telemetry within the given time; must never reject. */
  readonly flushTelemetry: (timeoutMs: number) => Promise<string>;
  /** The whole budget; orchestrators usually SIGKILL 10 s after SIGTERM. */
  readonly timeoutMs: number;
  readonly exit?: (code: number) => void;
}

export type Shutdown = (reason: string, exitCode: number) => Promise<void>;

/**
 * Stops taking requests, lets in-flight ones finish, then flushes Rollbar and the SDK, each step
 * bounded so the total stays within `timeoutMs` even if a backend is dead. Idempotent: a second
 * signal while draining does not start a second shutdown.
 */
export function createShutdown(options: ShutdownOptions): Shutdown {
  const { server, logger, reporter, flushTelemetry, timeoutMs } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let running: Promise<void> | undefined;

  const drain = (budgetMs: number): Promise<'drained' | 'forced'> =>
    new Promise((resolve) => {
      // close() only drops the sockets idle at that moment; a keep-alive socket whose request
      // finishes later would hold it open until the client hangs up, so keep sweeping.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const force = setTimeout(() => {
        server.closeAllConnections();
        resolve('forced');
      }, budgetMs);
      force.unref();
      sweep.unref();
      server.close(() => {
        clearTimeout(force);
        clearInterval(sweep);
        resolve('drained');
      });
    });

  return (reason, exitCode) => {
    running ??= (async () => {
      const deadline = Date.now() + timeoutMs;
      const remaining = (share: number): number => Math.max(0, Math.floor((deadline - Date.now()) * share));
      logger.info({ reason }, 'shutting down');
      const requests = await drain(remaining(0.5));
      await reporter.flush(remaining(0.3));
      logger.info({ requests }, 'stopped accepting requests; flushing telemetry');
      const telemetry = await flushTelemetry(remaining(1));
      // A failure recorded meanwhile (an uncaught exception while draining) wins over a clean exit.
      const code = typeof process.exitCode === 'number' && process.exitCode !== 0 ? process.exitCode : exitCode;
      // After the SDK is down the bridge no longer exports; this line reaches stdout only.
      logger.info({ requests, telemetry, exitCode: code }, 'shutdown complete');
      exit(code);
    })();
    return running;
  };
}
