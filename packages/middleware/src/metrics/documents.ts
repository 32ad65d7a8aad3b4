import { emfDocument, type EmfMetric } from './emf-document.js';
import type { CustomGroup } from './custom-metrics.js';
import type { ExchangeStats } from './exchange-stats.js';
import { MAX_METRICS_PER_DOCUMENT } from './limits.js';

/** What every document of one flush shares. */
export interface FlushContext {
  namespace: string;
  /** Epoch ms of the flush. */
  timestamp: number;
  defaultDimensions: Readonly<Record<string, string>>;
}

/** Metric names of one kind of exchange. */
interface ExchangeNames {
  count: string;
  latency: string;
  errors: string;
  faults: string;
  throttles: string;
}

/** Names of request metrics. */
export const REQUEST_METRIC_NAMES: ExchangeNames = { count: 'Requests', latency: 'Latency', errors: 'Errors', faults: 'Faults', throttles: 'Throttles' };
/** Names of outgoing call metrics. */
export const CALL_METRIC_NAMES: ExchangeNames = { count: 'Calls', latency: 'CallLatency', errors: 'CallErrors', faults: 'CallFaults', throttles: 'CallThrottles' };

/**
 * One document per aggregate: count, latency histogram and failure counts, with the exemplar as
 * a property. `extraSets` adds rollup dimension sets (e.g. `["Service"]` for requests), so a
 * service-wide alarm needs no metric math.
 */
export function exchangeDocuments(context: FlushContext, aggregates: readonly ExchangeStats[], names: ExchangeNames, extraSets: readonly (readonly string[])[] = []): string[] {
  const defaults = Object.keys(context.defaultDimensions);
  return aggregates.map((stats) => {
    const own = Object.keys(stats.dimensions);
    const metrics: EmfMetric[] = [
      { name: names.count, unit: 'Count', value: stats.count },
      { name: names.latency, unit: 'Milliseconds', value: stats.latency.toEmf() },
      { name: names.errors, unit: 'Count', value: stats.errors },
      { name: names.faults, unit: 'Count', value: stats.faults },
      { name: names.throttles, unit: 'Count', value: stats.throttles },
    ];
    return emfDocument({
      namespace: context.namespace,
      timestamp: context.timestamp,
      dimensionSets: [[...defaults, ...own], ...extraSets.map((set) => [...defaults, ...set])],
      dimensions: { ...context.defaultDimensions, ...stats.dimensions },
      metrics,
      properties: stats.exemplar ? { Exemplar: stats.exemplar } : undefined,
    });
  });
}

/** Custom metric documents: one per dimension set (split every 100 metrics), metadata as properties. */
export function customDocuments(context: FlushContext, groups: readonly CustomGroup[], metadata: Readonly<Record<string, unknown>>): string[] {
  const documents: string[] = [];
  for (const group of groups) {
    const metrics: EmfMetric[] = [];
    for (const [name, metric] of group.metrics) {
      // A single value stays a plain number, as Powertools writes it; more become a histogram.
      const value = metric.values.count === 1 ? metric.values.sum : metric.values.toEmf();
      metrics.push({ name, unit: metric.unit, resolution: metric.resolution, value });
    }
    const properties = group.traceId === undefined ? metadata : { ...metadata, Exemplar: { TraceId: group.traceId, Reason: 'latest' } };
    for (let i = 0; i < metrics.length; i += MAX_METRICS_PER_DOCUMENT) {
      documents.push(
        emfDocument({
          namespace: context.namespace,
          timestamp: group.timestamp ?? context.timestamp,
          dimensionSets: [Object.keys(group.dimensions)],
          dimensions: group.dimensions,
          metrics: metrics.slice(i, i + MAX_METRICS_PER_DOCUMENT),
          properties,
        }),
      );
    }
  }
  return documents;
}
