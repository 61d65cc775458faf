import type { Express } from 'express';

import type { AppConfig } from './config.ts';
import { systemClock, type Clock } from './domain/time.ts';
import { createErrorReporter, type ErrorReporter } from './errors/reporter.ts';
import { createApp } from './http/app.ts';
import type { Logger } from './logging/logger.ts';
import { ActivitiesService } from './services/activities-service.ts';
import { MessagesService } from './services/messages-service.ts';
import { MemoryStore } from './store/memory-store.ts';

export interface Service {
  readonly app: Express;
  readonly reporter: ErrorReporter;
}

export interface ServiceOptions {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Tests pass their own; otherwise built from the Rollbar settings. */
  readonly reporter?: ErrorReporter;
}

/** The composition root: store → services → routes, wired once. */
export function createService(options: ServiceOptions): Service {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const reporter =
    options.reporter ??
    createErrorReporter({
      rollbar: config.rollbar,
      codeVersion: config.serviceVersion,
      root: process.cwd(),
    });
  const store = new MemoryStore(clock);
  const app = createApp({
    config,
    logger,
    reporter,
    activities: new ActivitiesService({ store, clock, logger }),
    messages: new MessagesService({ store, clock, logger }),
  });
  return { app, reporter };
}
