import { DEFAULT_MAX_DIMENSION_SETS } from './limits.js';
import type { MetricsOptions, MetricsOutput } from './options.js';
import { dimensionsProblem, namespaceProblem } from './validate.js';

/** Thrown by `createMetrics` for a setting that cannot work, naming it, its value and what was expected. */
export class MetricsConfigError extends Error {
  constructor(setting: string, value: unknown, expected: string) {
    super(`${setting} is ${JSON.stringify(value)}; expected ${expected}`);
    this.name = 'MetricsConfigError';
  }
}

/** Settings after options and environment were merged. */
export interface ResolvedMetricsSettings {
  namespace: string;
  service: string | undefined;
  output: MetricsOutput;
  flushIntervalMs: number;
  defaultDimensions: Readonly<Record<string, string>>;
  requestMetrics: boolean;
  callMetrics: boolean;
  maxDimensionSets: number;
}

/** The namespace when neither the option nor the environment gives one. */
export const DEFAULT_NAMESPACE = 'Application';
/** The interval when neither the option nor the environment gives one. */
export const DEFAULT_FLUSH_INTERVAL_MS = 60_000;

/** Merges options with the environment (options win) and validates the result. */
export function resolveMetricsSettings(options: MetricsOptions, env: NodeJS.ProcessEnv): ResolvedMetricsSettings {
  const namespace = options.namespace ?? (env.CRUDDUR_METRICS_NAMESPACE || env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_NAMESPACE);
  const nsProblem = namespaceProblem(namespace);
  if (nsProblem) throw new MetricsConfigError(options.namespace !== undefined ? 'namespace' : 'CRUDDUR_METRICS_NAMESPACE', namespace, nsProblem);

  const service = options.service ?? (env.CRUDDUR_METRICS_SERVICE || env.POWERTOOLS_SERVICE_NAME || undefined);
  if (service !== undefined && dimensionsProblem({ Service: service })) throw new MetricsConfigError('service', service, '1-1024 printable ASCII characters');

  const flushIntervalMs = options.flushIntervalMs ?? (env.CRUDDUR_METRICS_FLUSH_INTERVAL_MS ? Number(env.CRUDDUR_METRICS_FLUSH_INTERVAL_MS) : DEFAULT_FLUSH_INTERVAL_MS);
  if (!Number.isFinite(flushIntervalMs) || flushIntervalMs < 100) {
    throw new MetricsConfigError(options.flushIntervalMs !== undefined ? 'flushIntervalMs' : 'CRUDDUR_METRICS_FLUSH_INTERVAL_MS', options.flushIntervalMs ?? env.CRUDDUR_METRICS_FLUSH_INTERVAL_MS, 'a number of milliseconds ≥ 100');
  }

  const defaultDimensions = { ...options.defaultDimensions };
  // Request metrics add up to three dimensions of their own to each set.
  const dimProblem = dimensionsProblem(defaultDimensions, 3);
  if (dimProblem) throw new MetricsConfigError('defaultDimensions', defaultDimensions, `valid dimensions: ${dimProblem}`);

  const maxDimensionSets = options.maxDimensionSets ?? DEFAULT_MAX_DIMENSION_SETS;
  if (!Number.isInteger(maxDimensionSets) || maxDimensionSets < 1) throw new MetricsConfigError('maxDimensionSets', maxDimensionSets, 'a positive integer');

  return {
    namespace,
    service,
    output: options.output ?? outputFromEnv(env),
    flushIntervalMs,
    defaultDimensions,
    requestMetrics: options.requestMetrics ?? env.CRUDDUR_METRICS_REQUESTS?.toLowerCase() !== 'false',
    callMetrics: options.callMetrics ?? env.CRUDDUR_METRICS_CALLS?.toLowerCase() !== 'false',
    maxDimensionSets,
  };
}

function outputFromEnv(env: NodeJS.ProcessEnv): MetricsOutput {
  // Powertools' switch is honoured, so one variable turns both off.
  if (env.POWERTOOLS_METRICS_DISABLED?.toLowerCase() === 'true') return 'off';
  const value = env.CRUDDUR_METRICS_OUTPUT?.toLowerCase();
  if (value === undefined || value === '' || value === 'stdout') return 'stdout';
  if (value === 'off') return 'off';
  throw new MetricsConfigError('CRUDDUR_METRICS_OUTPUT', env.CRUDDUR_METRICS_OUTPUT, 'stdout or off');
}
