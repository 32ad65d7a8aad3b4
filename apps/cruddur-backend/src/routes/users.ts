import { Router } from 'express';
import { currentUser, param, requireUser } from '../http/current-user.js';
import { type ServiceContext } from '../services/context.js';
import { updateProfile, userShort } from '../services/users.js';

export function userRoutes(ctx: ServiceContext): Router {
  const router = Router();

  router.get('/api/users/@:handle/short', async (req, res) => {
    res.json(await userShort(ctx, param(req.params.handle)));
  });

  router.post('/api/profile/update', requireUser(ctx), async (req, res) => {
    res.json(await updateProfile(ctx, currentUser(res), req.body));
  });

  return router;
}
