import express, { type Express } from 'express';
import { xray, xrayErrorHandler } from '@cruddur/middleware/express';
import { rollbarErrorHandler } from '@cruddur/middleware/rollbar';
import { type BackendDeps } from './deps.js';
import { errorHandler, notFoundHandler } from './http/error-handler.js';
import { activityRoutes } from './routes/activities.js';
import { demoRoutes } from './routes/demo.js';
import { generalRoutes } from './routes/general.js';
import { messageRoutes } from './routes/messages.js';
import { userRoutes } from './routes/users.js';
import { createServiceContext } from './services/context.js';

export type { BackendDeps, Instrumentation, Logger, TracedBlock } from './deps.js';

/**
 * The Cruddur API as an Express app (not listening), instrumented only through
 * `@cruddur/middleware`'s public exports: the X-Ray middleware first, its
 * error handler and the Rollbar reporter after the routes. Outgoing fetch and
 * DynamoDB calls are traced where their clients are made (server.ts).
 */
function personOf(handle: string | undefined): { id: string; username: string } | undefined {
  return handle ? { id: handle, username: handle } : undefined;
}

export function createApp(deps: BackendDeps): Express {
  const ctx = createServiceContext(deps);
  const app = express();
  app.disable('x-powered-by');

  // Every request becomes an X-Ray segment; the access log line comes from the logger.
  app.use(xray({ name: 'cruddur-backend', tracer: deps.tracer }));

  app.use(express.json({ limit: '64kb' }));
  app.use(generalRoutes(ctx));
  app.use(activityRoutes(ctx));
  app.use(messageRoutes(ctx));
  app.use(userRoutes(ctx));
  if (deps.demoRoutes) app.use(demoRoutes(ctx));
  app.use(notFoundHandler);
  app.use(xrayErrorHandler());
  if (deps.reporter) app.use(rollbarErrorHandler({ reporter: deps.reporter, person: (req) => personOf(req.header('x-cruddur-user')) }));
  app.use(errorHandler(deps.logger));
  return app;
}
