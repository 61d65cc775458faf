import { Router } from 'express';
import { z } from 'zod';

import { jsonBody, optionalText, parseBody } from '../http/body.ts';
import type { MessagesService } from '../services/messages-service.ts';

const sendMessageSchema = z.object({ message: optionalText, user_receiver_handle: optionalText });

export function messagesRoutes(service: MessagesService, bodyLimit: string): Router {
  const router = Router();

  router.get('/api/message_groups', (_req, res) => {
    res.json(service.groups(res.locals.userHandle));
  });
  router.get('/api/messages/@{:handle}', (req, res) => {
    res.json(service.conversation(res.locals.userHandle, req.params.handle));
  });
  router.post('/api/messages', ...jsonBody(bodyLimit), (req, res) => {
    const { message, user_receiver_handle: receiverHandle } = parseBody(sendMessageSchema, req.body);
    res.json(service.send({ message, receiverHandle, senderHandle: res.locals.userHandle }));
  });
  return router;
}
