/**
 * The units CloudWatch accepts (`StandardUnit` of the CloudWatch API): an EMF metric with any
 * other unit is not extracted.
 */
export const METRIC_UNITS = [
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
] as const;

/** A CloudWatch unit. */
export type MetricUnit = (typeof METRIC_UNITS)[number];

/** `1`: high resolution (stored per second); `60`: standard (per minute). */
export type StorageResolution = 1 | 60;

const UNITS: ReadonlySet<string> = new Set(METRIC_UNITS);

/** Whether `unit` is one CloudWatch accepts. */
export function isMetricUnit(unit: unknown): unit is MetricUnit {
  return typeof unit === 'string' && UNITS.has(unit);
}
