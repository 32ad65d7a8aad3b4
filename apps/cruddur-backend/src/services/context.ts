import { HomeFeedCache } from '../cache/home-feed-cache.js';
import { WorkerClient } from '../clients/worker.js';
import { type BackendDeps, type Instrumentation, type Logger } from '../deps.js';
import { tracedInstrumentation } from '../instrumentation.js';
import { ActivityRepository } from '../repositories/activities.js';
import { MessageRepository } from '../repositories/messages.js';
import { NotificationRepository } from '../repositories/notifications.js';
import { Table } from '../repositories/table.js';
import { UserRepository } from '../repositories/users.js';

/** What the services need: repositories, the worker client and the cross-cutting hooks. */
export interface ServiceContext {
  activities: ActivityRepository;
  users: UserRepository;
  messages: MessageRepository;
  notifications: NotificationRepository;
  worker: WorkerClient;
  logger: Logger;
  instrumentation: Instrumentation;
  reporter: BackendDeps['reporter'];
  metrics: BackendDeps['metrics'];
  /** The Redis cache of the home feed, when the service has Redis. */
  homeFeedCache: HomeFeedCache | undefined;
}

export function createServiceContext(deps: BackendDeps): ServiceContext {
  const table = new Table(deps.db, deps.tableName);
  const instrumentation = deps.instrumentation ?? tracedInstrumentation;
  return {
    activities: new ActivityRepository(table),
    users: new UserRepository(table),
    messages: new MessageRepository(table),
    notifications: new NotificationRepository(table),
    worker: new WorkerClient(deps.workerUrl, deps.logger, deps.fetch ?? fetch, deps.workerTimeoutMs ?? 5000, deps.internalToken),
    logger: deps.logger,
    reporter: deps.reporter,
    metrics: deps.metrics,
    instrumentation,
    homeFeedCache: deps.redis ? new HomeFeedCache(deps.redis, instrumentation, deps.logger, deps.homeFeedCacheTtlMs) : undefined,
  };
}
