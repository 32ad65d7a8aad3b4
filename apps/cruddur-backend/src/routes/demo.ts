import { Router } from 'express';
import { type ServiceContext } from '../services/context.js';

/** The path of the demo's induced error. */
export const INDUCED_ERROR_PATH = '/api/demo/induced-error';

/**
 * A route that fails on purpose, for the demo's tour only (`CRUDDUR_DEMO_ROUTES=1`; never mounted
 * otherwise): a GetItem with a key longer than the 2048 bytes DynamoDB allows, so DynamoDB answers
 * ValidationException and the request ends in a 500 — a fault in the trace, an error log line and
 * a Rollbar item, all with the same trace id. Client input can no longer cause this (handles are
 * validated first), so the demo asks for it explicitly.
 */
export function demoRoutes(ctx: ServiceContext): Router {
  const router = Router();
  router.get(INDUCED_ERROR_PATH, async (_req, res) => {
    res.json(await ctx.users.get('x'.repeat(2100)));
  });
  return router;
}
