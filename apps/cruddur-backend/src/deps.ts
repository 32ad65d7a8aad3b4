import { type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Tracer } from '@cruddur/middleware';
import { type Metrics } from '@cruddur/middleware/metrics';
import { type ErrorReporter } from '@cruddur/middleware/rollbar';
import { type FeedCacheRedis } from './cache/home-feed-cache.js';

/** Structured logger. A winston logger satisfies this interface as is. */
export interface Logger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** The handle a traced block receives: where metadata and annotations go. */
export interface TracedBlock {
  addMetadata(key: string, value: unknown, namespace?: string): void;
  addAnnotation(key: string, value: string | number | boolean): void;
  /** Records an error the block recovered from (the block itself goes on). */
  addError(error: unknown): void;
}

/**
 * Seam for custom traced blocks. The default opens an X-Ray subsegment
 * (`tracedInstrumentation`); tests may pass `noopInstrumentation`.
 */
export interface Instrumentation {
  capture<T>(name: string, fn: (block: TracedBlock) => Promise<T>): Promise<T>;
}

export const noopInstrumentation: Instrumentation = {
  capture: (_name, fn) =>
    fn({
      addMetadata: () => undefined,
      addAnnotation: () => undefined,
      addError: () => undefined,
    }),
};

export interface BackendDeps {
  /** DynamoDB document client (the AWS SDK middleware of a tracing layer attaches here). */
  db: DynamoDBDocumentClient;
  /** Single table, `cruddur-messages` by default. */
  tableName: string;
  /** Base URL of the worker, e.g. `http://127.0.0.1:4568`. */
  workerUrl: string;
  logger: Logger;
  /** Custom traced blocks; X-Ray subsegments by default. */
  instrumentation?: Instrumentation;
  /** The X-Ray tracer of the service; the process-wide one (configured from the environment) by default. */
  tracer?: Tracer;
  /** Rollbar reports of unexpected errors; none by default. */
  reporter?: ErrorReporter;
  /** Business metrics (messages sent, replies created); none by default. */
  metrics?: Pick<Metrics, 'addMetric'>;
  /** Outgoing HTTP; global `fetch` by default (an instrumented fetch can be passed instead). */
  fetch?: typeof fetch;
  /**
   * Shared secret the worker requires on its internal endpoints (`CRUDDUR_INTERNAL_TOKEN`), sent
   * as `X-Cruddur-Internal-Token`. None by default (a worker without a token accepts any caller).
   */
  internalToken?: string;
  /** Mount the demo's induced-error route (`CRUDDUR_DEMO_ROUTES=1`). Default false. */
  demoRoutes?: boolean;
  /** Timeout of each call to the worker, in ms (default 5000). */
  workerTimeoutMs?: number;
  /**
   * Redis in front of the home feed (`CRUDDUR_REDIS_URL`; `connectTracedRedis` makes one): a
   * read-through cache, invalidated by every post and reply. None by default: DynamoDB only.
   */
  redis?: FeedCacheRedis;
  /** How long the home feed stays cached, in ms (default 5000). */
  homeFeedCacheTtlMs?: number;
}
