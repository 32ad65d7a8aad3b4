import type { EmfHistogram } from './histogram.js';
import type { MetricUnit, StorageResolution } from './units.js';

/** One metric of a document: its definition and its value over the interval. */
export interface EmfMetric {
  name: string;
  unit: MetricUnit;
  resolution?: StorageResolution;
  value: number | EmfHistogram;
}

/** What one EMF document holds (one `MetricDirective`). */
export interface EmfDocumentInput {
  namespace: string;
  /** Epoch milliseconds the values belong to. */
  timestamp: number;
  /** Dimension sets: each a list of keys of `dimensions`. */
  dimensionSets: readonly (readonly string[])[];
  dimensions: Readonly<Record<string, string>>;
  /** At most 100 (the caller splits). */
  metrics: readonly EmfMetric[];
  /** Other root members: exemplar, metadata. Keys taken by a dimension or a metric are left out. */
  properties?: Readonly<Record<string, unknown>>;
}

/**
 * The EMF document as one JSON line: `_aws` first (CloudWatch reads the directive before the
 * members it names), then dimensions, metric values and properties as root members.
 */
export function emfDocument(input: EmfDocumentInput): string {
  const root: Record<string, unknown> = {
    _aws: {
      Timestamp: input.timestamp,
      CloudWatchMetrics: [
        {
          Namespace: input.namespace,
          Dimensions: input.dimensionSets,
          Metrics: input.metrics.map((m) => (m.resolution === 1 ? { Name: m.name, Unit: m.unit, StorageResolution: 1 } : { Name: m.name, Unit: m.unit })),
        },
      ],
    },
  };
  for (const key of Object.keys(input.dimensions)) root[key] = input.dimensions[key];
  for (const metric of input.metrics) root[metric.name] = metric.value;
  if (input.properties) {
    for (const [key, value] of Object.entries(input.properties)) if (!(key in root) && value !== undefined) root[key] = value;
  }
  return JSON.stringify(root);
}
