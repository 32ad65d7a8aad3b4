import type { DiagnosticLevel, DiagnosticLogger } from '../core/diagnostics.js';

/**
 * Something that takes one EMF line per call, shaped like a winston transport: the logger's
 * `CloudWatchLogsTransport` (see `logger.cloudwatch.withStream(…)`) fits as it is. The line is
 * handed over as the entry's formatted message (`info[Symbol.for('message')]`).
 */
export interface MetricsTransport {
  /** Takes one EMF line (as winston's `Transport.log`); calls `next` once it is accepted. */
  log(info: Record<string | symbol, unknown>, next: () => void): unknown;
  /** Resolves once everything handed over was delivered (or at the deadline). */
  flush?(timeoutMs?: number): Promise<unknown>;
}

/**
 * Where EMF documents go: `stdout` (one JSON line each, for the CloudWatch agent, a log driver or
 * Lambda), `off`, a {@link MetricsTransport}, or a function called with each line.
 */
export type MetricsOutput = 'stdout' | 'off' | MetricsTransport | ((line: string) => void);

/** Options of {@link createMetrics}. Explicit options win over environment variables. */
export interface MetricsOptions {
  /**
   * CloudWatch namespace. Env: `CRUDDUR_METRICS_NAMESPACE`, then `POWERTOOLS_METRICS_NAMESPACE`.
   * Default `Application`.
   */
  namespace?: string;
  /**
   * The `Service` dimension. Env: `CRUDDUR_METRICS_SERVICE`, then `POWERTOOLS_SERVICE_NAME`.
   * Default: the name of each request's segment (the tracer's service name).
   */
  service?: string;
  /** Where documents go. Env: `CRUDDUR_METRICS_OUTPUT` (`stdout`, `off`). Default `stdout`. */
  output?: MetricsOutput;
  /** Aggregation interval. Env: `CRUDDUR_METRICS_FLUSH_INTERVAL_MS`. Default 60,000 ms. */
  flushIntervalMs?: number;
  /** Dimensions added to every dimension set (request, call and custom metrics). */
  defaultDimensions?: Record<string, string>;
  /** Request metrics from the Express and Fastify integrations. Env: `CRUDDUR_METRICS_REQUESTS=false`. Default true. */
  requestMetrics?: boolean;
  /** Outgoing HTTP and AWS SDK call metrics. Env: `CRUDDUR_METRICS_CALLS=false`. Default true. */
  callMetrics?: boolean;
  /**
   * Distinct dimension sets kept per kind (requests, calls, custom) and interval; beyond it values
   * go to one aggregate whose dimensions read `Other`. Default 1,000.
   */
  maxDimensionSets?: number;
  /** Where problems are reported (invalid metric names, units, dimensions). Default: the console. */
  diagnostics?: DiagnosticLogger;
  /** Level of those reports. Default `warn`. */
  diagnosticLevel?: DiagnosticLevel;
}

/** Options of one custom metric value. */
export interface AddMetricOptions {
  /** Dimensions of this value, added to the default dimensions. */
  dimensions?: Record<string, string>;
  /** `1` for high resolution (per-second storage); default `60`. */
  resolution?: 1 | 60;
}
