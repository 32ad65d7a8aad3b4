import { MAX_VALUES_PER_METRIC } from './limits.js';

/** A metric value in EMF's histogram form: distinct values, how often each occurred, and statistics. */
export interface EmfHistogram {
  Values: number[];
  Counts: number[];
  Max: number;
  Min: number;
  Count: number;
  Sum: number;
}

// Buckets 10 % wide on a log scale (the official EMF libraries use the same width): every value
// is represented within 5 %, and 100 buckets span four orders of magnitude.
const BIN = Math.log(1.1);
const INV_BIN = 1 / BIN;

/**
 * The values of one metric over one interval, in bounded memory. Values are kept exactly while
 * there are at most 100 distinct ones (counters, small samples); past that they go into
 * log-scale buckets. Count, sum, min and max stay exact either way.
 */
export class Histogram {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  // Exact values and their counts, until the 101st distinct value arrives.
  #exact: Map<number, number> | undefined = new Map();
  // Then: bucket index (of |value|) → count, one map per sign; zeros counted apart.
  #positive: Map<number, number> | undefined;
  #negative: Map<number, number> | undefined;
  #zeros = 0;

  /** Adds one value (finite numbers only; the caller validated it). */
  record(value: number): void {
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    const exact = this.#exact;
    if (exact !== undefined) {
      const seen = exact.get(value);
      if (seen !== undefined) {
        exact.set(value, seen + 1);
        return;
      }
      if (exact.size < MAX_VALUES_PER_METRIC) {
        exact.set(value, 1);
        return;
      }
      this.#toBuckets(exact);
    }
    this.#bucket(value, 1);
  }

  /** The EMF form, with at most 100 distinct values. */
  toEmf(): EmfHistogram {
    const values: number[] = [];
    const counts: number[] = [];
    if (this.#exact !== undefined) {
      for (const [value, count] of this.#exact) {
        values.push(value);
        counts.push(count);
      }
    } else {
      this.#bucketsToEmf(values, counts);
    }
    return { Values: values, Counts: counts, Max: this.max, Min: this.min, Count: this.count, Sum: round(this.sum) };
  }

  #toBuckets(exact: Map<number, number>): void {
    this.#exact = undefined;
    this.#positive = new Map();
    this.#negative = new Map();
    for (const [value, count] of exact) this.#bucket(value, count);
  }

  #bucket(value: number, count: number): void {
    if (value === 0) {
      this.#zeros += count;
      return;
    }
    const map = value > 0 ? this.#positive! : this.#negative!;
    const index = Math.floor(Math.log(Math.abs(value)) * INV_BIN);
    map.set(index, (map.get(index) ?? 0) + count);
  }

  // Coarsens the buckets (twice as wide each round) until at most 100 remain: counts stay exact,
  // only the values they are attributed to get less precise. Runs at flush time, not per value.
  #bucketsToEmf(values: number[], counts: number[]): void {
    let positive = this.#positive!;
    let negative = this.#negative!;
    let width = 1;
    while (positive.size + negative.size + (this.#zeros > 0 ? 1 : 0) > MAX_VALUES_PER_METRIC) {
      positive = halve(positive);
      negative = halve(negative);
      width *= 2;
    }
    // A bucket's value is its geometric centre, kept within the exact min and max.
    const clamp = (value: number): number => Math.min(this.max, Math.max(this.min, value));
    const centre = (index: number): number => round(Math.exp((index + 0.5) * width * BIN));
    for (const [index, count] of negative) {
      values.push(clamp(-centre(index)));
      counts.push(count);
    }
    if (this.#zeros > 0) {
      values.push(0);
      counts.push(this.#zeros);
    }
    for (const [index, count] of positive) {
      values.push(clamp(centre(index)));
      counts.push(count);
    }
  }
}

function halve(buckets: Map<number, number>): Map<number, number> {
  const merged = new Map<number, number>();
  for (const [index, count] of buckets) {
    const wider = Math.floor(index / 2);
    merged.set(wider, (merged.get(wider) ?? 0) + count);
  }
  return merged;
}

// Six significant digits: enough for any latency, and the document stays short.
function round(value: number): number {
  return Number.isInteger(value) ? value : Number(value.toPrecision(6));
}
