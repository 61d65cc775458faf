import { Writable } from 'node:stream';

import { createService } from '../../app/src/compose.ts';
import { parseConfig, type AppConfig } from '../../app/src/config.ts';
import type { Clock } from '../../app/src/domain/time.ts';
import { disabledReporter, type ErrorReporter } from '../../app/src/errors/reporter.ts';
import { createLogger } from '../../app/src/logging/logger.ts';
import { listen, type Listening } from './http.ts';

export const FIXED_NOW = new Date('2026-02-25T18:39:27.123Z');
export const fixedClock: Clock = { now: () => FIXED_NOW };

export interface TestService extends Listening {
  readonly config: AppConfig;
  /** Every log line the service wrote, parsed. */
  readonly logs: Record<string, unknown>[];
}

export interface TestServiceOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly clock?: Clock;
  readonly reporter?: ErrorReporter;
}

/** The real service (config → store → services → routes) on a free port, logs captured. */
export async function startService(options: TestServiceOptions = {}): Promise<TestService> {
  const config = parseConfig({ CRUDDUR_DEBUG_ROUTES: 'true', ...options.env });
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  const { app } = createService({
    config,
    logger,
    clock: options.clock ?? fixedClock,
    reporter: options.reporter ?? disabledReporter,
  });
  const listening = await listen(app);
  return { ...listening, config, logs };
}
