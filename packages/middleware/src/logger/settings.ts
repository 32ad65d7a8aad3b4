import { RETENTION_DAYS } from './cloudwatch/limits.js';
import type { ConsoleMode, LoggerCloudWatchOptions, LoggerOptions } from './options.js';
import { defaultStreamName } from './stream-name.js';

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
export class LoggerConfigError extends Error {
  constructor(setting: string, value: unknown, expected: string) {
    super(`${setting} is ${JSON.stringify(value)}; expected ${expected}`);
    this.name = 'LoggerConfigError';
  }
}

/** Merges options with the environment (options win) and validates the result. */
export function resolveLoggerSettings(options: LoggerOptions, env: NodeJS.ProcessEnv, isTty: boolean): ResolvedLoggerSettings {
  if (typeof options.service !== 'string' || options.service.trim() === '') {
    throw new LoggerConfigError('service', options.service, 'a non-empty service name');
  }
  const service = options.service;
  const consoleMode = options.console ?? parseConsole(env.CRUDDUR_LOG_CONSOLE);
  return {
    service,
    level: options.level ?? (env.CRUDDUR_LOG_LEVEL || 'info'),
    console: consoleMode === 'auto' ? (isTty ? 'pretty' : 'json') : consoleMode,
    accessLog: options.accessLog ?? env.CRUDDUR_ACCESS_LOG?.toLowerCase() !== 'false',
    cloudwatch: resolveCloudWatch(options.cloudwatch, service, env),
  };
}

function parseConsole(value: string | undefined): ConsoleMode {
  if (value === undefined || value === '') return 'auto';
  const lower = value.toLowerCase();
  if (lower === 'auto' || lower === 'json' || lower === 'pretty' || lower === 'off') return lower;
  throw new LoggerConfigError('CRUDDUR_LOG_CONSOLE', value, 'auto, json, pretty or off');
}

function resolveCloudWatch(option: LoggerCloudWatchOptions | false | undefined, service: string, env: NodeJS.ProcessEnv): ResolvedCloudWatch | undefined {
  if (option === false) return undefined;
  const logGroup = option?.logGroup ?? (env.CRUDDUR_LOG_GROUP || undefined);
  if (logGroup === undefined) return undefined;
  if (!/^[\w./#-]{1,512}$/.test(logGroup)) {
    throw new LoggerConfigError(option?.logGroup !== undefined ? 'cloudwatch.logGroup' : 'CRUDDUR_LOG_GROUP', logGroup, '1-512 characters of a-z, A-Z, 0-9, _ - / . #');
  }
  const logStream = option?.logStream ?? (env.CRUDDUR_LOG_STREAM || defaultStreamName(service));
  if (logStream.length === 0 || logStream.length > 512 || /[:*]/.test(logStream)) {
    throw new LoggerConfigError(option?.logStream !== undefined ? 'cloudwatch.logStream' : 'CRUDDUR_LOG_STREAM', logStream, '1-512 characters without ":" or "*"');
  }
  let retentionDays = option?.retentionDays;
  if (retentionDays === undefined && env.CRUDDUR_LOG_RETENTION_DAYS) retentionDays = Number(env.CRUDDUR_LOG_RETENTION_DAYS);
  if (retentionDays !== undefined && !RETENTION_DAYS.has(retentionDays)) {
    throw new LoggerConfigError(
      option?.retentionDays !== undefined ? 'cloudwatch.retentionDays' : 'CRUDDUR_LOG_RETENTION_DAYS',
      option?.retentionDays ?? env.CRUDDUR_LOG_RETENTION_DAYS,
      `one of ${[...RETENTION_DAYS].join(', ')}`,
    );
  }
  for (const key of ['maxBufferedEvents', 'maxBufferedBytes', 'flushIntervalMs', 'retryBaseMs', 'maxRetryDelayMs', 'requestTimeoutMs', 'exitFlushTimeoutMs'] as const) {
    const value = option?.[key];
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw new LoggerConfigError(`cloudwatch.${key}`, value, 'a positive number');
  }
  const region = option?.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined);
  return { ...option, logGroup, logStream, region, retentionDays };
}
