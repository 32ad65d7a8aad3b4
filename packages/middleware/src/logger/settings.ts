import { RETENTION_DAYS } from './cloudwatch/limits.js';
import type { ConsoleMode, LoggerCloudWatchOptions, LoggerOptions } from './options.js';
import { defaultStreamName } from './stream-name.js';
import { ConfigError } from '../core/config-error.js';
import { envReader, type EnvReader } from '../core/env.js';

/** CloudWatch settings after options and environment were merged. */
export type ResolvedCloudWatch = LoggerCloudWatchOptions & { logGroup: string; logStream: string };

/** Logger settings after options and environment were merged. */
export interface ResolvedLoggerSettings {
  service: string;
  level: string;
  console: Exclude<ConsoleMode, 'auto'>;
  accessLog: boolean;
  cloudwatch: ResolvedCloudWatch | undefined;
}

/** Thrown at start-up for a setting that cannot work, naming it, its value and what was expected. */
export class LoggerConfigError extends ConfigError {
  override name = 'LoggerConfigError';
}

/** Merges options with the environment (options win) and validates the result. */
export function resolveLoggerSettings(options: LoggerOptions, env: NodeJS.ProcessEnv, isTty: boolean): ResolvedLoggerSettings {
  if (typeof options.service !== 'string' || options.service.trim() === '') {
    throw new LoggerConfigError('service', options.service, 'a non-empty service name');
  }
  const service = options.service;
  const read = envReader(env, LoggerConfigError);
  const consoleMode = options.console ?? read.choice('CRUDDUR_LOG_CONSOLE', CONSOLE_MODES) ?? 'auto';
  return {
    service,
    level: options.level ?? read.string('CRUDDUR_LOG_LEVEL') ?? 'info',
    console: consoleMode === 'auto' ? (isTty ? 'pretty' : 'json') : consoleMode,
    accessLog: options.accessLog ?? read.boolean('CRUDDUR_ACCESS_LOG') ?? true,
    cloudwatch: resolveCloudWatch(options.cloudwatch, service, read),
  };
}

const CONSOLE_MODES: readonly ConsoleMode[] = ['auto', 'json', 'pretty', 'off'];

function resolveCloudWatch(option: LoggerCloudWatchOptions | false | undefined, service: string, read: EnvReader): ResolvedCloudWatch | undefined {
  if (option === false) return undefined;
  const logGroup = option?.logGroup ?? read.string('CRUDDUR_LOG_GROUP');
  if (logGroup === undefined) return undefined;
  if (!/^[\w./#-]{1,512}$/.test(logGroup)) {
    throw new LoggerConfigError(option?.logGroup !== undefined ? 'cloudwatch.logGroup' : 'CRUDDUR_LOG_GROUP', logGroup, '1-512 characters of a-z, A-Z, 0-9, _ - / . #');
  }
  const logStream = option?.logStream ?? read.string('CRUDDUR_LOG_STREAM') ?? defaultStreamName(service);
  if (logStream.length === 0 || logStream.length > 512 || /[:*]/.test(logStream)) {
    throw new LoggerConfigError(option?.logStream !== undefined ? 'cloudwatch.logStream' : 'CRUDDUR_LOG_STREAM', logStream, '1-512 characters without ":" or "*"');
  }
  const retentionExpected = `one of ${[...RETENTION_DAYS].join(', ')}`;
  let retentionDays = option?.retentionDays;
  if (retentionDays === undefined) {
    retentionDays = read.number('CRUDDUR_LOG_RETENTION_DAYS', { integer: true, min: 1, unit: `days (${retentionExpected})` });
  }
  if (retentionDays !== undefined && !RETENTION_DAYS.has(retentionDays)) {
    throw new LoggerConfigError(
      option?.retentionDays !== undefined ? 'cloudwatch.retentionDays' : 'CRUDDUR_LOG_RETENTION_DAYS',
      option?.retentionDays ?? read.string('CRUDDUR_LOG_RETENTION_DAYS'),
      retentionExpected,
    );
  }
  for (const key of ['maxBufferedEvents', 'maxBufferedBytes', 'flushIntervalMs', 'retryBaseMs', 'maxRetryDelayMs', 'requestTimeoutMs', 'exitFlushTimeoutMs'] as const) {
    const value = option?.[key];
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw new LoggerConfigError(`cloudwatch.${key}`, value, 'a positive number');
  }
  const region = option?.region ?? read.string('AWS_REGION') ?? read.string('AWS_DEFAULT_REGION');
  return { ...option, logGroup, logStream, region, retentionDays };
}
