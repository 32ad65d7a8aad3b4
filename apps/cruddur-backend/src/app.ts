import express, { type Express } from 'express';
import { type BackendDeps } from './deps.js';
import { errorHandler, notFoundHandler } from './http/error-handler.js';
import { activityRoutes } from './routes/activities.js';
import { generalRoutes } from './routes/general.js';
import { messageRoutes } from './routes/messages.js';
import { userRoutes } from './routes/users.js';
import { createServiceContext } from './services/context.js';

export type { BackendDeps, Instrumentation, Logger, TracedBlock } from './deps.js';

/**
 * The Cruddur API as an Express app (not listening). Instrumentation hooks:
 * request middleware goes first (marked below), the error handler is the
 * single `errorHandler`, outgoing calls go through `deps.fetch`, DynamoDB
 * calls through `deps.db`, custom blocks through `deps.instrumentation`.
 */
export function createApp(deps: BackendDeps): Express {
  const ctx = createServiceContext(deps);
  const app = express();
  app.disable('x-powered-by');

  // Request-level middleware (tracing, access log) goes here, before the routes.

  app.use(express.json({ limit: '64kb' }));
  app.use(generalRoutes(ctx));
  app.use(activityRoutes(ctx));
  app.use(messageRoutes(ctx));
  app.use(userRoutes(ctx));
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
