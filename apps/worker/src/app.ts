import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { BackendClient } from './clients/backend.js';
import { type WorkerDeps } from './deps.js';
import { WorkerError } from './errors.js';
import { GroupRepository } from './repositories/groups.js';
import { NotificationRepository } from './repositories/notifications.js';
import { fanoutRoutes } from './routes/fanout.js';
import { healthRoutes } from './routes/health.js';
import { moderationRoutes } from './routes/moderation.js';
import { notificationRoutes } from './routes/notifications.js';
import { DEFAULT_POLICY, createModerator } from './services/moderation.js';

export type { Logger, WorkerDeps } from './deps.js';

/**
 * The worker as a Fastify instance (not listening; call `listen` or
 * `inject`). Instrumentation hooks: a tracing plugin registers first
 * (marked below), the error handler is the single `setErrorHandler`,
 * outgoing calls go through `deps.fetch`, DynamoDB calls through `deps.db`.
 */
export function createApp(deps: WorkerDeps): FastifyInstance {
  const app = Fastify({ logger: false });

  // Request-level plugins (tracing, access log) are registered here, before the routes.

  const backend = new BackendClient(deps.backendUrl, deps.logger, deps.fetch ?? fetch, deps.backendTimeoutMs ?? 3000);
  const groups = new GroupRepository(deps.db, deps.tableName);
  const notifications = new NotificationRepository(deps.db, deps.tableName);
  const moderate = createModerator({ ...DEFAULT_POLICY, ...deps.moderation });

  healthRoutes(app);
  moderationRoutes(app, moderate);
  fanoutRoutes(app, groups, deps.logger);
  notificationRoutes(app, backend, notifications);

  app.setNotFoundHandler((_req, reply) => reply.status(404).send(['route_not_found']));

  // The one error handler: expected failures → status + JSON array of codes;
  // anything else → 500 `{"error":"internal_error"}` (the tracing layer adds the trace id here).
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof WorkerError) return reply.status(err.status).send(err.codes);
    if (err.validation) {
      deps.logger.warn('invalid request', { url: req.url, error: err.message });
      return reply.status(422).send(['invalid_request']);
    }
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send([err.code ? err.code.toLowerCase() : 'bad_request']);
    }
    deps.logger.error('unhandled error', { method: req.method, url: req.url, error: err.message, stack: err.stack });
    return reply.status(500).send({ error: 'internal_error' });
  });

  return app;
}
