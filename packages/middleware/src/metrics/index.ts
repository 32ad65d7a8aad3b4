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
export { MetricsConfigError } from './settings.js';
export { METRIC_UNITS, type MetricUnit, type StorageResolution } from './units.js';
export type { Exemplar } from './exchange-stats.js';
export type { EmfHistogram } from './histogram.js';
