import type { ErrorReporterOptions } from './types.js';
import { ConfigError } from '../core/config-error.js';
import { envReader } from '../core/env.js';

/** Reporter settings after options and environment were merged. */
export interface ResolvedReporterSettings {
  accessToken: string | undefined;
  environment: string;
  codeVersion: string | undefined;
  endpoint: string | undefined;
  region: string | undefined;
  captureUncaught: boolean;
  captureUnhandledRejections: boolean;
  maxPending: number;
  requestTimeoutMs: number;
  exitFlushTimeoutMs: number;
}

/** Thrown at start-up for a setting that cannot work, naming it, its value and what was expected. */
export class ReporterConfigError extends ConfigError {
  override name = 'ReporterConfigError';
}

/** Merges options with the environment (options win) and validates the result. */
export function resolveReporterSettings(options: ErrorReporterOptions, env: NodeJS.ProcessEnv): ResolvedReporterSettings {
  const read = envReader(env, ReporterConfigError);
  const endpoint = options.endpoint ?? read.string('ROLLBAR_ENDPOINT');
  if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint)) {
    throw new ReporterConfigError(options.endpoint !== undefined ? 'endpoint' : 'ROLLBAR_ENDPOINT', endpoint, 'an http(s) URL such as https://api.rollbar.com/api/1/item/');
  }
  const maxPending = options.maxPending ?? 1_000;
  if (!(Number.isInteger(maxPending) && maxPending > 0)) throw new ReporterConfigError('maxPending', maxPending, 'a positive integer');
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  if (!(Number.isFinite(requestTimeoutMs) && requestTimeoutMs > 0)) throw new ReporterConfigError('requestTimeoutMs', requestTimeoutMs, 'a positive number of milliseconds');
  return {
    accessToken: options.accessToken ?? read.string('ROLLBAR_ACCESS_TOKEN'),
    environment: options.environment ?? read.string('ROLLBAR_ENVIRONMENT') ?? read.string('NODE_ENV') ?? 'development',
    codeVersion: options.codeVersion ?? read.string('ROLLBAR_CODE_VERSION'),
    endpoint,
    region: options.region ?? read.string('AWS_REGION') ?? read.string('AWS_DEFAULT_REGION'),
    captureUncaught: options.captureUncaught ?? true,
    captureUnhandledRejections: options.captureUnhandledRejections ?? true,
    maxPending,
    requestTimeoutMs,
    exitFlushTimeoutMs: options.exitFlushTimeoutMs ?? 2_000,
  };
}
