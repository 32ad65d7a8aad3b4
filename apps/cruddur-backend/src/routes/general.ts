import { Router } from 'express';
import { type ServiceContext } from '../services/context.js';

export function generalRoutes(ctx: ServiceContext): Router {
  const router = Router();

  router.get('/api/health-check', (_req, res) => {
    res.json({ success: true, ver: 1 });
  });

  // The bootcamp's check that Rollbar is wired: one `warning` item, linked to this request's trace.
  // Express answers HEAD with the GET route; a safe method must not report (link checkers and
  // uptime probes send HEAD), so HEAD gets the same headers and nothing else happens.
  router.get('/rollbar/test', (req, res) => {
    if (req.method === 'GET') {
      ctx.logger.warn('Hello World!', { route: '/rollbar/test' });
      ctx.reporter?.reportMessage('Hello World!', 'warning');
    }
    res.type('text/plain').send('Hello World!');
  });

  return router;
}
