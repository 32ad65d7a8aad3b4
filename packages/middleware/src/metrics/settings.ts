import { DEFAULT_MAX_DIMENSION_SETS } from './limits.js';
import type { MetricsOptions, MetricsOutput } from './options.js';
import { dimensionsProblem, namespaceProblem } from './validate.js';
import { ConfigError } from '../core/config-error.js';
import { envReader, type EnvReader } from '../core/env.js';

/** Thrown by `createMetrics` for a setting that cannot work, naming it, its value and what was expected. */
export class MetricsConfigError extends ConfigError {
  override name = 'MetricsConfigError';
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
  const read = envReader(env, MetricsConfigError);
  const namespace = options.namespace ?? read.string('CRUDDUR_METRICS_NAMESPACE') ?? read.string('POWERTOOLS_METRICS_NAMESPACE') ?? DEFAULT_NAMESPACE;
  const nsProblem = namespaceProblem(namespace);
  if (nsProblem) throw new MetricsConfigError(options.namespace !== undefined ? 'namespace' : 'CRUDDUR_METRICS_NAMESPACE', namespace, nsProblem);

  const service = options.service ?? read.string('CRUDDUR_METRICS_SERVICE') ?? read.string('POWERTOOLS_SERVICE_NAME');
  if (service !== undefined && dimensionsProblem({ Service: service })) throw new MetricsConfigError('service', service, '1-1024 printable ASCII characters');

  const flushIntervalMs = options.flushIntervalMs ?? read.number('CRUDDUR_METRICS_FLUSH_INTERVAL_MS', { min: 100, unit: 'milliseconds' }) ?? DEFAULT_FLUSH_INTERVAL_MS;
  if (!Number.isFinite(flushIntervalMs) || flushIntervalMs < 100) throw new MetricsConfigError('flushIntervalMs', flushIntervalMs, 'a number of milliseconds ≥ 100');

  const defaultDimensions = { ...options.defaultDimensions };
  // Request metrics add up to three dimensions of their own to each set.
  const dimProblem = dimensionsProblem(defaultDimensions, 3);
  if (dimProblem) throw new MetricsConfigError('defaultDimensions', defaultDimensions, `valid dimensions: ${dimProblem}`);

  const maxDimensionSets = options.maxDimensionSets ?? DEFAULT_MAX_DIMENSION_SETS;
  if (!Number.isInteger(maxDimensionSets) || maxDimensionSets < 1) throw new MetricsConfigError('maxDimensionSets', maxDimensionSets, 'a positive integer');

  return {
    namespace,
    service,
    output: options.output ?? outputFromEnv(read),
    flushIntervalMs,
    defaultDimensions,
    requestMetrics: options.requestMetrics ?? read.boolean('CRUDDUR_METRICS_REQUESTS') ?? true,
    callMetrics: options.callMetrics ?? read.boolean('CRUDDUR_METRICS_CALLS') ?? true,
    maxDimensionSets,
  };
}

function outputFromEnv(read: EnvReader): MetricsOutput {
  // Powertools' switch is honoured, so one variable turns both off.
  if (read.boolean('POWERTOOLS_METRICS_DISABLED') === true) return 'off';
  return read.choice('CRUDDUR_METRICS_OUTPUT', ['stdout', 'off'] as const) ?? 'stdout';
}
