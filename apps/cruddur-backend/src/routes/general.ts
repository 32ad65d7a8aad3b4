import { Router } from 'express';
import { type ServiceContext } from '../services/context.js';

export function generalRoutes(ctx: ServiceContext): Router {
  const router = Router();

  router.get('/api/health-check', (_req, res) => {
    res.json({ success: true, ver: 1 });
  });

  // Stub: the error-reporting layer will send a `warning` item from here.
  router.get('/rollbar/test', (_req, res) => {
    ctx.logger.warn('Hello World!', { route: '/rollbar/test' });
    res.type('text/plain').send('Hello World!');
  });

  return router;
}
