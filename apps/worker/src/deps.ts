import { type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Tracer } from '@cruddur/middleware';
import { type ErrorReporter } from '@cruddur/middleware/rollbar';
import { type ModerationPolicy } from './services/moderation.js';

/** Structured logger. A winston logger satisfies this interface as is. */
export interface Logger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export interface WorkerDeps {
  /** DynamoDB document client (the AWS SDK middleware of a tracing layer attaches here). */
  db: DynamoDBDocumentClient;
  tableName: string;
  /** Base URL of the backend, e.g. `http://127.0.0.1:4567` (the worker reads users from it). */
  backendUrl: string;
  logger: Logger;
  /** Outgoing HTTP; global `fetch` by default (an instrumented fetch can be passed instead). */
  fetch?: typeof fetch;
  /** Timeout of each call to the backend, in ms (default 3000). */
  backendTimeoutMs?: number;
  /** The X-Ray tracer of the service; the process-wide one (configured from the environment) by default. */
  tracer?: Tracer;
  /** Rollbar reports of unexpected errors; none by default. */
  reporter?: ErrorReporter;
  /**
   * Shared secret required on `/internal/*` as `X-Cruddur-Internal-Token` (`CRUDDUR_INTERNAL_TOKEN`).
   * Without one every caller is accepted: keep such a worker on the loopback.
   */
  internalToken?: string;
  /** The worker's clock in epoch ms, against which client timestamps are bounded (default `Date.now`). */
  now?: () => number;
  /** Overrides of the default moderation rules. */
  moderation?: Partial<ModerationPolicy>;
}
