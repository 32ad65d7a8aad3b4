import { Router } from 'express';
import { type ServiceContext } from '../services/context.js';

export function generalRoutes(ctx: ServiceContext): Router {
  const router = Router();

  router.get('/api/health-check', (_req, res) => {
    res.json({ success: true, ver: 1 });
  });

  // The bootcamp's check that Rollbar is wired: one `warning` item, linked to this request's trace.
  router.get('/rollbar/test', (_req, res) => {
    ctx.logger.warn('Hello World!', { route: '/rollbar/test' });
    ctx.reporter?.reportMessage('Hello World!', 'warning');
    res.type('text/plain').send('Hello World!');
  });

  return router;
}
