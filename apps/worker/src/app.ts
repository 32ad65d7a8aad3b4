import { currentTraceId } from '@cruddur/middleware';
import xray from '@cruddur/middleware/fastify';
import { rollbarFastify } from '@cruddur/middleware/rollbar';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { BackendClient } from './clients/backend.js';
import { type WorkerDeps } from './deps.js';
import { isDependencyUnavailable, WorkerError } from './errors.js';
import { clientFailure, isClientAbort } from './http-errors.js';
import { requireInternalToken } from './internal-auth.js';
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
 * `inject`), instrumented only through `@cruddur/middleware`'s public
 * exports: the X-Ray plugin and the Rollbar plugin register first; outgoing
 * fetch and DynamoDB calls are traced where their clients are made (server.ts).
 */
export function createApp(deps: WorkerDeps): FastifyInstance {
  const app = Fastify({
    logger: false,
    // Errors raised before routing (a malformed percent-escape in the path) get the API's envelope.
    frameworkErrors: (err, _req, reply) => {
      const failure = clientFailure(err);
      void (reply as FastifyReply).status(failure?.status ?? 400).send([failure?.code ?? 'bad_request']);
    },
  });

  // Every request becomes an X-Ray segment (the access log line comes from the logger), and
  // unexpected errors go to Rollbar with their trace.
  void app.register(xray, { name: 'cruddur-worker', tracer: deps.tracer, ignore: (req) => req.url === '/health' });
  if (deps.reporter) void app.register(rollbarFastify, { reporter: deps.reporter });
  requireInternalToken(app, deps.internalToken);

  const backend = new BackendClient(deps.backendUrl, deps.logger, deps.fetch ?? fetch, deps.backendTimeoutMs ?? 3000);
  const groups = new GroupRepository(deps.db, deps.tableName);
  const notifications = new NotificationRepository(deps.db, deps.tableName);
  const moderate = createModerator({ ...DEFAULT_POLICY, ...deps.moderation });
  const now = deps.now ?? Date.now;

  healthRoutes(app);
  moderationRoutes(app, moderate);
  fanoutRoutes(app, groups, deps.logger, { now });
  notificationRoutes(app, backend, notifications, now);

  app.setNotFoundHandler((_req, reply) => reply.status(404).send(['route_not_found']));

  // The one error handler: expected failures and requests Fastify refused → status + JSON array
  // of codes, the backend's envelope;
  // DynamoDB throttled, failing or unreachable → 503 `{"error":"service_unavailable","trace_id":…}`
  // with `Retry-After: 1`; anything else → 500 `{"error":"internal_error","trace_id":…}`.
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof WorkerError) return reply.status(err.status).send(err.codes);
    if (err.validation) {
      deps.logger.warn('invalid request', { url: req.url, error: err.message });
      return reply.status(422).send(['invalid_request']);
    }
    if (isClientAbort(err, req.raw.destroyed)) {
      // The client went away mid-body: nobody to answer, nothing failed here (no error log).
      deps.logger.info('client went away', { method: req.method, url: req.url });
      return reply.status(400).send(['client_closed_request']);
    }
    const failure = clientFailure(err);
    if (failure) return reply.status(failure.status).send([failure.code]);
    const unavailable = isDependencyUnavailable(err);
    deps.logger.error(unavailable ? 'dependency unavailable' : 'unhandled error', { method: req.method, url: req.url, error: err.message, stack: err.stack });
    const traceId = currentTraceId() ?? req.segment?.traceId;
    const error = unavailable ? 'service_unavailable' : 'internal_error';
    if (unavailable) void reply.header('retry-after', '1');
    return reply.status(unavailable ? 503 : 500).send(traceId ? { error, trace_id: traceId } : { error });
  });

  return app;
}
