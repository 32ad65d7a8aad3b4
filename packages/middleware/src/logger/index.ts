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
export { installShutdownFlush, type Flushable, type ShutdownFlushOptions } from './shutdown.js';
export { CloudWatchLogsTransport, type LogInfo } from './cloudwatch/transport.js';
export type { CloudWatchTransportOptions, CloudWatchStats, FlushResult } from './cloudwatch/types.js';
export type { AwsSdkClient, AwsCredentialIdentity, AwsCredentialsSetting } from '../core/aws-sdk-shapes.js';
