/**
 * @packageDocumentation
 * Trace-correlated winston logging: every entry inside a request carries the X-Ray trace id,
 * entries go to the console and to CloudWatch Logs, one access-log entry per request, and a
 * SIGTERM/SIGINT helper that flushes before exit.
 */
export { createLogger, type Logger } from './create-logger.js';
export type { LoggerOptions, LoggerCloudWatchOptions, ConsoleMode } from './options.js';
export { LoggerConfigError } from './settings.js';
export { traceFields } from './trace-format.js';
export { scrubSecrets } from './scrub-format.js';
export { jsonLine } from './json-line.js';
export { accessLogEntry, subscribeAccessLog, type AccessLogEntry } from './access-log.js';
export { announceLogGroup } from './segment-logs.js';
export { defaultStreamName } from './stream-name.js';
export { installShutdownFlush, type Flushable, type ShutdownFlushOptions } from './shutdown.js';
export { CloudWatchLogsTransport, CLOUDWATCH_DEFAULTS, type LogInfo } from './cloudwatch/transport.js';
export type { CloudWatchTransportOptions, CloudWatchStats, FlushResult } from './cloudwatch/types.js';
export type { BatchLimits } from './cloudwatch/batch.js';
export { fitMessage, type FittedMessage } from './cloudwatch/truncate.js';
export { EVENT_OVERHEAD_BYTES, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_EVENT_BYTES, MAX_MESSAGE_BYTES, MAX_BATCH_SPAN_MS, RETENTION_DAYS } from './cloudwatch/limits.js';
export type { AwsSdkClient, AwsCredentialIdentity, AwsCredentialsSetting } from '../core/aws-sdk-shapes.js';
