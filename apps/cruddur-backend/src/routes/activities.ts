import { Router } from 'express';
import { currentUser, param, requireUser } from '../http/current-user.js';
import { idempotencyKey } from '../http/idempotency-key.js';
import {
  homeActivities,
  notificationActivities,
  searchActivities,
  showActivity,
} from '../services/activities.js';
import { type ServiceContext } from '../services/context.js';
import { createActivity } from '../services/create-activity.js';
import { createReply } from '../services/create-reply.js';
import { userActivities } from '../services/user-activities.js';

export function activityRoutes(ctx: ServiceContext): Router {
  const router = Router();
  const withUser = requireUser(ctx);

  router.get('/api/activities/home', async (_req, res) => {
    res.json(await homeActivities(ctx));
  });

  router.get('/api/activities/notifications', withUser, async (_req, res) => {
    res.json(await notificationActivities(ctx, currentUser(res)));
  });

  router.get('/api/activities/search', async (req, res) => {
    const term = typeof req.query.term === 'string' ? req.query.term : '';
    res.json(await searchActivities(ctx, term));
  });

  router.get('/api/activities/@:handle/status/:uuid', async (req, res) => {
    res.json(await showActivity(ctx, param(req.params.uuid), param(req.params.handle)));
  });

  router.get('/api/activities/@:handle', async (req, res) => {
    res.json(await userActivities(ctx, param(req.params.handle)));
  });

  router.get('/api/activities/:uuid', async (req, res) => {
    res.json(await showActivity(ctx, param(req.params.uuid)));
  });

  router.post('/api/activities', withUser, async (req, res) => {
    res.json(await createActivity(ctx, currentUser(res), req.body, idempotencyKey(req)));
  });

  router.post('/api/activities/:uuid/reply', withUser, async (req, res) => {
    const key = idempotencyKey(req);
    const reply = await createReply(ctx, currentUser(res), param(req.params.uuid), req.body, key);
    ctx.metrics?.addMetric('RepliesCreated', 'Count', 1);
    res.json(reply);
  });

  return router;
}
