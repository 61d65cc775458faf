import { Router } from 'express';
import { z } from 'zod';

import { jsonBody, optionalText, parseBody } from '../http/body.ts';
import type { ActivitiesService } from '../services/activities-service.ts';

/** Express 5 types wildcard params as arrays; these routes have none, but narrow anyway. */
function singleParam(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join('/') : value;
}

const createActivitySchema = z.object({ message: optionalText, ttl: optionalText });
const createReplySchema = z.object({ message: optionalText });

/** HTTP only: read the request, call the service, write the answer. */
export function activitiesRoutes(service: ActivitiesService, bodyLimit: string): Router {
  const router = Router();
  const body = jsonBody(bodyLimit);

  // Fixed paths first: they must win over `/:uuid`.
  router.get('/api/activities/home', (_req, res) => {
    res.json(service.home());
  });
  router.get('/api/activities/notifications', (_req, res) => {
    res.json(service.notifications());
  });
  router.get('/api/activities/search', (req, res) => {
    const term = req.query.term;
    res.json(service.search(typeof term === 'string' ? term : undefined));
  });
  // `@{:handle}`: the handle is optional in the pattern so `/@` reaches the service's 422.
  router.get('/api/activities/@{:handle}', (req, res) => {
    res.json(service.userFeed(req.params.handle));
  });
  router.get('/api/activities/:uuid', (req, res) => {
    res.json(service.show(req.params.uuid));
  });
  router.post('/api/activities', ...body, (req, res) => {
    const { message, ttl } = parseBody(createActivitySchema, req.body);
    res.json(service.create({ message, ttl, handle: res.locals.userHandle }));
  });
  router.post('/api/activities/:uuid/reply', ...body, (req, res) => {
    const { message } = parseBody(createReplySchema, req.body);
    res.json(service.reply({ message, activityUuid: singleParam(req.params.uuid), handle: res.locals.userHandle }));
  });
  return router;
}
