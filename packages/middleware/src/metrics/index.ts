/**
 * @packageDocumentation
 * Metrics as CloudWatch embedded metric format (EMF): request metrics from the Express and
 * Fastify integrations and outgoing call metrics, sampled or not, aggregated in-process with
 * latency as Values/Counts histograms; a custom metrics API in the spirit of Powertools Metrics;
 * each aggregate carries the trace id of a request worth looking at. Output to stdout or the
 * logger's CloudWatch Logs transport.
 */
export { createMetrics, type Metrics, type MetricsFlushResult, type MetricsStats } from './metrics.js';
export type { MetricsOptions, MetricsOutput, MetricsTransport, AddMetricOptions } from './options.js';
export { MetricsConfigError, DEFAULT_NAMESPACE, DEFAULT_FLUSH_INTERVAL_MS } from './settings.js';
export { METRIC_UNITS, isMetricUnit, type MetricUnit, type StorageResolution } from './units.js';
export { UNMATCHED_ROUTE } from './request-metrics.js';
export { OTHER } from './aggregate-table.js';
export { REQUEST_METRIC_NAMES, CALL_METRIC_NAMES } from './documents.js';
export type { Exemplar } from './exchange-stats.js';
export type { EmfHistogram } from './histogram.js';
export {
  MAX_METRICS_PER_DOCUMENT,
  MAX_VALUES_PER_METRIC,
  MAX_DIMENSIONS_PER_SET,
  MAX_METRIC_NAME_LENGTH,
  MAX_DIMENSION_NAME_LENGTH,
  MAX_DIMENSION_VALUE_LENGTH,
  MAX_NAMESPACE_LENGTH,
} from './limits.js';
