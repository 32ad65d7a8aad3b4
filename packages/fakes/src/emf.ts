/**
 * CloudWatch's reading of embedded metric format (EMF) log events: which events are EMF, which of
 * those CloudWatch would extract metrics from, and the metric data it would extract. Written from
 * the EMF specification and the CloudWatch metric limits, independently of any EMF producer, so
 * tests can hold a producer's documents against it.
 */

/** The units CloudWatch accepts. */
export const CLOUDWATCH_UNITS: ReadonlySet<string> = new Set([
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes',
  'Bits', 'Kilobits', 'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count',
  'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second',
  'Bits/Second', 'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None',
]);

/** EMF limits as CloudWatch applies them. */
export const EMF_LIMITS = Object.freeze({
  metricsPerDirective: 100,
  valuesPerMetric: 100,
  dimensionsPerSet: 30,
  metricNameLength: 1024,
  dimensionNameLength: 250,
  dimensionValueLength: 1024,
  namespaceLength: 255,
  maxPastMs: 14 * 86_400_000,
  maxFutureMs: 2 * 3_600_000,
});

/** One metric datum CloudWatch would store: one metric, one dimension set, its values. */
export interface MetricDatumRecord {
  readonly namespace: string;
  readonly metricName: string;
  readonly unit: string;
  /** 1 (high resolution) or 60. */
  readonly storageResolution: number;
  /** The dimension set's keys with their values. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** Epoch ms from `_aws.Timestamp`. */
  readonly timestamp: number;
  /** Distinct values, and how often each occurred (1 each for a plain number or array). */
  readonly values: readonly number[];
  readonly counts: readonly number[];
  /** Total of the counts. */
  readonly sampleCount: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  /** The whole document, parsed (properties such as exemplars included). */
  readonly document: Readonly<Record<string, unknown>>;
}

/** What CloudWatch makes of one log event. */
export type EmfReading =
  | { readonly kind: 'log' }
  | { readonly kind: 'metrics'; readonly data: MetricDatumRecord[] }
  | { readonly kind: 'invalid'; readonly problems: string[] };

/**
 * Reads one log event message as CloudWatch does: not JSON, or JSON without `_aws`, is a plain
 * log event; with `_aws`, every rule of the specification must hold, or CloudWatch extracts
 * nothing from the event (it counts an `EMFValidationErrors` metric instead) — `invalid`, with
 * every problem found.
 */
export function readEmf(message: string, now: number = Date.now()): EmfReading {
  if (!message.startsWith('{')) return { kind: 'log' };
  let root: unknown;
  try {
    root = JSON.parse(message);
  } catch {
    return { kind: 'log' };
  }
  if (!isObject(root) || !('_aws' in root)) return { kind: 'log' };
  const problems: string[] = [];
  const data: MetricDatumRecord[] = [];
  const aws = root._aws;
  if (!isObject(aws)) return { kind: 'invalid', problems: ['_aws is not an object'] };
  const timestamp = aws.Timestamp;
  if (typeof timestamp !== 'number' || !Number.isInteger(timestamp) || timestamp < 0) {
    problems.push(`_aws.Timestamp ${JSON.stringify(timestamp)} is not an integer number of epoch milliseconds`);
  } else if (timestamp < now - EMF_LIMITS.maxPastMs || timestamp > now + EMF_LIMITS.maxFutureMs) {
    problems.push(`_aws.Timestamp ${timestamp} is more than 14 days in the past or 2 hours in the future`);
  }
  const directives = aws.CloudWatchMetrics;
  if (!Array.isArray(directives)) {
    problems.push('_aws.CloudWatchMetrics is not an array');
    return { kind: 'invalid', problems };
  }
  directives.forEach((directive: unknown, d) => readDirective(root as Record<string, unknown>, directive, `_aws.CloudWatchMetrics[${d}]`, timestamp as number, problems, data));
  return problems.length > 0 ? { kind: 'invalid', problems } : { kind: 'metrics', data };
}

function readDirective(root: Record<string, unknown>, directive: unknown, at: string, timestamp: number, problems: string[], data: MetricDatumRecord[]): void {
  if (!isObject(directive)) {
    problems.push(`${at} is not an object`);
    return;
  }
  const namespace = directive.Namespace;
  if (typeof namespace !== 'string' || namespace.length === 0 || namespace.length > EMF_LIMITS.namespaceLength || !PRINTABLE.test(namespace) || namespace.startsWith(':')) {
    problems.push(`${at}.Namespace ${JSON.stringify(namespace)} is not a valid namespace`);
  }
  const dimensionSets: Record<string, string>[] = [];
  if (!Array.isArray(directive.Dimensions)) problems.push(`${at}.Dimensions is not an array of dimension sets`);
  else {
    directive.Dimensions.forEach((set: unknown, s) => {
      const where = `${at}.Dimensions[${s}]`;
      if (!Array.isArray(set) || !set.every((k) => typeof k === 'string')) {
        problems.push(`${where} is not an array of dimension names`);
        return;
      }
      if (set.length > EMF_LIMITS.dimensionsPerSet) problems.push(`${where} has ${set.length} dimensions; at most ${EMF_LIMITS.dimensionsPerSet}`);
      const resolved: Record<string, string> = {};
      for (const key of set as string[]) {
        const value = root[key];
        if (!(key in root)) problems.push(`${where}: dimension "${key}" has no member at the root`);
        else if (typeof value !== 'string') problems.push(`${where}: dimension "${key}" is ${typeof value}, not a string`);
        else if (key.length === 0 || key.length > EMF_LIMITS.dimensionNameLength || !PRINTABLE.test(key) || key.startsWith(':')) problems.push(`${where}: dimension name "${key}" is not valid`);
        else if (value.length === 0 || value.length > EMF_LIMITS.dimensionValueLength || !PRINTABLE.test(value)) problems.push(`${where}: dimension "${key}" has an invalid value ${JSON.stringify(value)}`);
        else resolved[key] = value;
      }
      dimensionSets.push(resolved);
    });
  }
  if (!Array.isArray(directive.Metrics)) {
    problems.push(`${at}.Metrics is not an array of metric definitions`);
    return;
  }
  if (directive.Metrics.length > EMF_LIMITS.metricsPerDirective) problems.push(`${at}.Metrics has ${directive.Metrics.length} definitions; at most ${EMF_LIMITS.metricsPerDirective}`);
  directive.Metrics.forEach((definition: unknown, m) => {
    const where = `${at}.Metrics[${m}]`;
    if (!isObject(definition) || typeof definition.Name !== 'string') {
      problems.push(`${where} has no Name`);
      return;
    }
    const name = definition.Name;
    if (name.length === 0 || name.length > EMF_LIMITS.metricNameLength || !PRINTABLE.test(name)) problems.push(`${where}: metric name ${JSON.stringify(name)} is not valid`);
    const unit = definition.Unit ?? 'None';
    if (typeof unit !== 'string' || !CLOUDWATCH_UNITS.has(unit)) problems.push(`${where}: unit ${JSON.stringify(unit)} is not a CloudWatch unit`);
    const resolution = definition.StorageResolution ?? 60;
    if (resolution !== 1 && resolution !== 60) problems.push(`${where}: StorageResolution ${JSON.stringify(resolution)} is not 1 or 60`);
    if (!(name in root)) {
      problems.push(`${where}: metric "${name}" has no member at the root`);
      return;
    }
    const values = readValues(root[name], `${where} ("${name}")`, problems);
    if (!values) return;
    // No dimension set: one datum without dimensions (the specification allows an empty list).
    for (const dimensions of dimensionSets.length > 0 ? dimensionSets : [{}]) {
      data.push({ namespace: String(namespace), metricName: name, unit: String(unit), storageResolution: Number(resolution), dimensions, timestamp, ...values, document: root });
    }
  });
}

interface Values {
  values: number[];
  counts: number[];
  sampleCount: number;
  sum: number;
  min: number;
  max: number;
}

// A metric member is a number, an array of up to 100 numbers, or a Values/Counts histogram
// (with optional Count, Sum, Min, Max that must agree with it).
function readValues(member: unknown, where: string, problems: string[]): Values | undefined {
  const fail = (why: string): undefined => {
    problems.push(`${where}: ${why}`);
    return undefined;
  };
  if (typeof member === 'number') return Number.isFinite(member) ? summarize([member], [1]) : fail('not a finite number');
  if (Array.isArray(member)) {
    if (member.length === 0) return fail('an empty array of values');
    if (member.length > EMF_LIMITS.valuesPerMetric) return fail(`${member.length} values; at most ${EMF_LIMITS.valuesPerMetric}`);
    if (!member.every(isFiniteNumber)) return fail('values that are not finite numbers');
    return summarize(member as number[], member.map(() => 1));
  }
  if (!isObject(member)) return fail(`a ${member === null ? 'null' : typeof member}, not a number, an array or Values/Counts`);
  const { Values: values, Counts: counts } = member;
  if (!Array.isArray(values) || !Array.isArray(counts)) return fail('Values and Counts must both be arrays');
  if (values.length !== counts.length) return fail(`${values.length} Values but ${counts.length} Counts`);
  if (values.length === 0) return fail('empty Values');
  if (values.length > EMF_LIMITS.valuesPerMetric) return fail(`${values.length} distinct values; at most ${EMF_LIMITS.valuesPerMetric}`);
  if (!values.every(isFiniteNumber)) return fail('Values that are not finite numbers');
  if (!counts.every((c) => isFiniteNumber(c) && c >= 0)) return fail('Counts that are not non-negative numbers');
  const summary = summarize(values as number[], counts as number[]);
  for (const key of ['Count', 'Sum', 'Min', 'Max'] as const) {
    if (key in member && !isFiniteNumber(member[key])) return fail(`${key} is not a finite number`);
  }
  if ('Count' in member && member.Count !== summary.sampleCount) return fail(`Count ${String(member.Count)} is not the total of Counts (${summary.sampleCount})`);
  if (typeof member.Min === 'number' && typeof member.Max === 'number' && member.Min > member.Max) return fail(`Min ${member.Min} is above Max ${member.Max}`);
  // The statistics, when given, are exact; the values are only as exact as their buckets.
  return {
    ...summary,
    sum: typeof member.Sum === 'number' ? member.Sum : summary.sum,
    min: typeof member.Min === 'number' ? member.Min : summary.min,
    max: typeof member.Max === 'number' ? member.Max : summary.max,
  };
}

function summarize(values: number[], counts: number[]): Values {
  let sampleCount = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sampleCount += counts[i]!;
    sum += values[i]! * counts[i]!;
  }
  return { values, counts, sampleCount, sum, min: Math.min(...values), max: Math.max(...values) };
}

const PRINTABLE = /^[\x20-\x7e]*[\x21-\x7e][\x20-\x7e]*$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
