import type { AwsCredentialsSetting, AwsSdkClient } from '../core/aws-sdk-shapes.js';
import type { DiagnosticLevel, DiagnosticLogger } from '../core/diagnostics.js';
import type { Tracer } from '../core/tracer.js';

/** How entries look on the console. */
export type ConsoleMode = 'auto' | 'json' | 'pretty' | 'off';

/**
 * CloudWatch Logs delivery. Enabled when a log group is given here or in `CRUDDUR_LOG_GROUP`;
 * `false` turns it off whatever the environment says.
 */
export interface LoggerCloudWatchOptions {
  /** Log group. Env: `CRUDDUR_LOG_GROUP`. */
  logGroup?: string;
  /** Log stream. Env: `CRUDDUR_LOG_STREAM`. Default `<service>/<host>/<start time>/<pid>-<random>`. */
  logStream?: string;
  /** Region. Env: `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the SDK's profile resolution. */
  region?: string;
  /** Retention in days, one of CloudWatch's allowed values. Env: `CRUDDUR_LOG_RETENTION_DAYS`. Default: leave as is. */
  retentionDays?: number;
  /** Endpoint URL. Env: `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS` (read by the SDK). */
  endpoint?: string;
  /** Credentials or a provider. Default: the SDK's chain. */
  credentials?: AwsCredentialsSetting;
  /** A ready client (region, endpoint and credentials are then ignored). */
  client?: AwsSdkClient;
  /** Create the group when missing. Default true. */
  createLogGroup?: boolean;
  /** Cap on buffered entries. Default 20,000. */
  maxBufferedEvents?: number;
  /** Cap on buffered bytes (message bytes + 26 each). Default 16 MiB. */
  maxBufferedBytes?: number;
  /** Gathering time before a send. Default 1,000 ms. */
  flushIntervalMs?: number;
  /** First retry delay. Default 200 ms. */
  retryBaseMs?: number;
  /** Longest retry delay. Default 30,000 ms. */
  maxRetryDelayMs?: number;
  /** Timeout of one request. Default 10,000 ms. */
  requestTimeoutMs?: number;
  /** How long the flush on a natural process exit (`beforeExit`) may take. Default 5,000 ms. */
  exitFlushTimeoutMs?: number;
}

/** Options of {@link createLogger}. Explicit options win over environment variables. */
export interface LoggerOptions {
  /** Service name, written as `service` on every entry and used in the default stream name. */
  service: string;
  /** Lowest level written. Env: `CRUDDUR_LOG_LEVEL`. Default `info`. */
  level?: string;
  /** CloudWatch Logs delivery (see {@link LoggerCloudWatchOptions}); `false` to turn it off. */
  cloudwatch?: LoggerCloudWatchOptions | false;
  /** One access-log entry per finished request. Env: `CRUDDUR_ACCESS_LOG=false` turns it off. Default true. */
  accessLog?: boolean;
  /** Console output. Env: `CRUDDUR_LOG_CONSOLE`. Default `auto`: pretty in a TTY, JSON otherwise. */
  console?: ConsoleMode;
  /** Fields added to every entry. */
  defaultMeta?: Record<string, unknown>;
  /**
   * The tracer whose segments get `aws.cloudwatch_logs` when CloudWatch is on. Default: the
   * process-wide tracer.
   */
  tracer?: Tracer;
  /** Where the logger reports its own trouble (never itself, to avoid loops). Default: the console. */
  diagnostics?: DiagnosticLogger;
  /** Level of those reports. Default `warn`. */
  diagnosticLevel?: DiagnosticLevel;
}
