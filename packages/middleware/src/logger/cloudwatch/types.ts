import type winston from 'winston';
import type { AwsCredentialsSetting, AwsSdkClient } from '../../core/aws-sdk-shapes.js';
import type { Diagnostics } from '../../core/diagnostics.js';
import type { BatchLimits } from './batch.js';

/** Where and how the CloudWatch Logs transport delivers entries. */
export interface CloudWatchTransportOptions {
  /** The log group. */
  logGroup: string;
  /** The log stream (created when missing). */
  logStream: string;
  /** AWS region; the SDK's own resolution (`AWS_REGION`, profile) when absent. */
  region?: string;
  /** Endpoint URL (a local server in tests); the SDK honours `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS` too. */
  endpoint?: string;
  /** Credentials or a provider; the SDK's default chain when absent. */
  credentials?: AwsCredentialsSetting;
  /** A ready `CloudWatchLogsClient` of `@aws-sdk/client-cloudwatch-logs`; region, endpoint and credentials are then ignored. */
  client?: AwsSdkClient;
  /** Retention set on the log group (one of CloudWatch's allowed values). */
  retentionDays?: number;
  /** Create the log group when missing. Default true; access denied on create is tolerated. */
  createLogGroup?: boolean;
  /** Cap on buffered entries; beyond it new entries are dropped and counted. Default 20,000. */
  maxBufferedEvents?: number;
  /** Cap on buffered bytes (message bytes + 26 per entry). Default 16 MiB. */
  maxBufferedBytes?: number;
  /** How long entries gather before a send, unless a full batch is ready. Default 1,000 ms. */
  flushIntervalMs?: number;
  /** First retry delay. Default 200 ms. */
  retryBaseMs?: number;
  /** Longest retry delay. Default 30,000 ms (1,000 ms while a flush is waiting). */
  maxRetryDelayMs?: number;
  /** Timeout of one request. Default 10,000 ms. */
  requestTimeoutMs?: number;
  /** How long the flush on a natural process exit may take. Default 5,000 ms. */
  exitFlushTimeoutMs?: number;
  /** Largest message in UTF-8 bytes before truncation. Default 262,118 (256 KiB minus 26). */
  maxMessageBytes?: number;
  /** Lower PutLogEvents limits (tests). Default: the service's limits. */
  batchLimits?: Partial<BatchLimits>;
  /** winston level of this transport. */
  level?: string;
  /** winston format of this transport (the logger's JSON line by default). */
  format?: winston.Logform.Format;
  /** Where the transport reports its own trouble. */
  diagnostics?: Diagnostics;
}

/** What the transport did so far. */
export interface CloudWatchStats {
  /** Entries CloudWatch Logs accepted. */
  delivered: number;
  /** Entries refused because the buffer was full, or because the transport was shut down. */
  dropped: number;
  /** Entries cut to the event size limit. */
  truncated: number;
  /** Entries given up for good (refused by the service, or still buffered at close). */
  failed: number;
  /** Entries the service refused as too old or too new. */
  rejected: number;
  /** Failed requests that were retried. */
  retries: number;
  /** Entries buffered now. */
  buffered: number;
  /** Bytes buffered now (message bytes + 26 per entry). */
  bufferedBytes: number;
  /** Most entries ever buffered at once. */
  peakBuffered: number;
  /** Most bytes ever buffered at once. */
  peakBufferedBytes: number;
}

/** How a flush ended. */
export interface FlushResult {
  /** Everything buffered was delivered or definitively failed before the deadline. */
  complete: boolean;
  /** Entries still buffered. */
  pending: number;
  /** Entries delivered so far (totals since the transport started, like `dropped` and `failed`). */
  delivered: number;
  /** Entries refused so far: the buffer was full, or the transport was shut down. */
  dropped: number;
  /** Entries given up on so far: refused by CloudWatch Logs, or still buffered at shutdown. */
  failed: number;
}
