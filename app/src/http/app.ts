import express, { type Express } from 'express';

import type { AppConfig } from '../config.ts';
import type { ErrorReporter } from '../errors/reporter.ts';
import type { Logger } from '../logging/logger.ts';
import { activitiesRoutes } from '../routes/activities.ts';
import { messagesRoutes } from '../routes/messages.ts';
import { debugRoutes, healthRoutes, rollbarRoutes } from '../routes/operations.ts';
import type { ActivitiesService } from '../services/activities-service.ts';
import type { MessagesService } from '../services/messages-service.ts';
import { accessLog } from './access-log.ts';
import { corsPolicy } from './cors.ts';
import { errorHandler, notFound } from './errors.ts';
import { routeName } from '../telemetry/route-name.ts';
import { serverTiming } from '../telemetry/server-timing.ts';
import { userHandle } from './user-handle.ts';

export interface AppDependencies {
  readonly config: Pick<AppConfig, 'corsOrigins' | 'requestBodyLimit' | 'debugRoutes'>;
  readonly logger: Logger;
  readonly reporter: ErrorReporter;
  readonly activities: ActivitiesService;
  readonly messages: MessagesService;
}

export function createApp(deps: AppDependencies): Express {
  const { config, logger, reporter } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Behind a load balancer or the compose network, the client address is in X-Forwarded-For.
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');

  // Names the request span by route (replaces the Express instrumentation; see route-name.ts).
  app.use(routeName());
  app.use(accessLog(logger));
  app.use(corsPolicy(config.corsOrigins));
  app.use(serverTiming(config.corsOrigins));
  app.use(userHandle());

  app.use(healthRoutes());
  app.use(activitiesRoutes(deps.activities, config.requestBodyLimit));
  app.use(messagesRoutes(deps.messages, config.requestBodyLimit));
  app.use(rollbarRoutes(reporter));
  if (config.debugRoutes) app.use(debugRoutes());

  app.use(notFound());
  app.use(errorHandler({ logger, reporter }));
  return app;
}
