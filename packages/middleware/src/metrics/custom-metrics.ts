import { currentEntity } from '../core/context.js';
import { Histogram } from './histogram.js';
import { OTHER } from './aggregate-table.js';
import type { StorageResolution, MetricUnit } from './units.js';

/** One custom metric over the interval. */
export interface CustomMetric {
  unit: MetricUnit;
  resolution: StorageResolution;
  values: Histogram;
}

/** The custom metrics sharing one dimension set (and, for high resolution, one second). */
export interface CustomGroup {
  dimensions: Readonly<Record<string, string>>;
  /** Epoch ms of the second the values belong to (high resolution); undefined: the flush time. */
  timestamp: number | undefined;
  metrics: Map<string, CustomMetric>;
  /** The latest sampled trace that recorded into this group. */
  traceId: string | undefined;
}

/** Why a value was refused after validation (a unit clash), or undefined when it was kept. */
export type CustomRecordProblem = string | undefined;

/**
 * Custom metric values aggregated per dimension set over the interval, like request metrics:
 * values of one metric become a Values/Counts histogram, so a counter added 10,000 times costs
 * one entry. Values of high-resolution metrics are kept per second, so their per-second storage
 * means something.
 */
export class CustomMetrics {
  readonly #max: number;
  #groups = new Map<string, CustomGroup>();
  #overflowed = 0;
  #dropped = 0;

  constructor(maxDimensionSets: number) {
    this.#max = maxDimensionSets;
  }

  /** Adds one validated value. Returns a problem when it clashes with what this interval holds. */
  record(name: string, unit: MetricUnit, value: number, resolution: StorageResolution, dimensions: Record<string, string>, now: number): CustomRecordProblem {
    const second = resolution === 1 ? Math.floor(now / 1000) * 1000 : undefined;
    const group = this.#group(dimensions, second);
    if (group === undefined) {
      this.#dropped++;
      return undefined;
    }
    const entity = currentEntity();
    if (entity?.sampled) group.traceId = entity.traceId;
    let metric = group.metrics.get(name);
    if (metric === undefined) group.metrics.set(name, (metric = { unit, resolution, values: new Histogram() }));
    else if (metric.unit !== unit) return `metric "${name}" was added with unit ${metric.unit} and now with ${unit}; one metric has one unit`;
    metric.values.record(value);
    return undefined;
  }

  /** Hands over this interval's groups and starts the next interval empty. */
  take(): { groups: CustomGroup[]; overflowed: number; dropped: number } {
    const taken = { groups: [...this.#groups.values()], overflowed: this.#overflowed, dropped: this.#dropped };
    this.#groups = new Map();
    this.#overflowed = 0;
    this.#dropped = 0;
    return taken;
  }

  #group(dimensions: Record<string, string>, second: number | undefined): CustomGroup | undefined {
    const names = Object.keys(dimensions).sort();
    const key = keyOf(names, dimensions, second);
    const found = this.#groups.get(key);
    if (found !== undefined) return found;
    if (this.#groups.size < this.#max) return this.#add(key, dimensions, second);
    // Beyond the cap the values keep their dimension names with every value `Other`: the number of
    // such groups is bounded by the code's distinct name sets; past twice the cap they are dropped.
    this.#overflowed++;
    const other: Record<string, string> = {};
    for (const name of names) other[name] = OTHER;
    const otherKey = keyOf(names, other, second);
    const existing = this.#groups.get(otherKey);
    if (existing !== undefined) return existing;
    return this.#groups.size < this.#max * 2 ? this.#add(otherKey, other, second) : undefined;
  }

  #add(key: string, dimensions: Record<string, string>, second: number | undefined): CustomGroup {
    const group: CustomGroup = { dimensions: { ...dimensions }, timestamp: second, metrics: new Map(), traceId: undefined };
    this.#groups.set(key, group);
    return group;
  }
}

function keyOf(names: readonly string[], dimensions: Record<string, string>, second: number | undefined): string {
  let key = second === undefined ? '' : String(second);
  for (const name of names) key += `\u0000${name}\u0000${dimensions[name]}`;
  return key;
}
