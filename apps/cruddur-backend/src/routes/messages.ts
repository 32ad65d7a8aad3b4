import { Router } from 'express';
import { currentUser, param, requireUser } from '../http/current-user.js';
import { idempotencyKey } from '../http/idempotency-key.js';
import { type ServiceContext } from '../services/context.js';
import { createMessage } from '../services/create-message.js';
import { listMessageGroups, listMessages } from '../services/messages.js';

export function messageRoutes(ctx: ServiceContext): Router {
  const router = Router();
  const withUser = requireUser(ctx);

  router.get('/api/message_groups', withUser, async (_req, res) => {
    res.json(await listMessageGroups(ctx, currentUser(res)));
  });

  router.get('/api/messages/:message_group_uuid', withUser, async (req, res) => {
    res.json(await listMessages(ctx, currentUser(res), param(req.params.message_group_uuid)));
  });

  router.post('/api/messages', withUser, async (req, res) => {
    const result = await createMessage(ctx, currentUser(res), req.body, idempotencyKey(req));
    ctx.metrics?.addMetric('MessagesSent', 'Count', 1);
    res.json(result);
  });

  return router;
}
