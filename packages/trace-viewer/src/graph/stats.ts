// Request statistics of a graph node or edge: counts by outcome as X-Ray's console splits them
// (ok, 4xx error, 429 throttle, 5xx fault), latency percentiles and a small histogram.
import type { CallFacts } from './trace-facts.js';

/** Upper bounds (ms) of the latency histogram's buckets; the last bucket is open-ended. */
export const HISTOGRAM_BOUNDS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] as const;

/** One bucket: requests that took at most `leMs` milliseconds (null: longer than every bound). */
export interface HistogramBucket {
  leMs: number | null;
  count: number;
}

/** Counts and latency of the requests to a node or along an edge. */
export interface GraphStats {
  /** Every request or call. */
  total: number;
  ok: number;
  /** 4xx responses other than 429. */
  error: number;
  /** 429 responses (X-Ray counts them among the errors too: see `errorTotal`). */
  throttle: number;
  /** 5xx responses. */
  fault: number;
  /** Errors including throttles, X-Ray's `ErrorStatistics.TotalCount`. */
  errorTotal: number;
  /** Sum of the response times in seconds, X-Ray's `TotalResponseTime`. */
  totalResponseTime: number;
  /** Median and 99th percentile in milliseconds; undefined without a complete request. */
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  histogram: HistogramBucket[];
}

/** Collects calls, then summarises them once. */
export class StatsAccumulator {
  #ok = 0;
  #error = 0;
  #throttle = 0;
  #fault = 0;
  readonly #times: number[] = [];

  add(call: CallFacts): void {
    // One outcome per request, the worst one: a 5xx that also set error counts as a fault.
    if (call.fault) this.#fault++;
    else if (call.throttle) this.#throttle++;
    else if (call.error) this.#error++;
    else this.#ok++;
    if (call.responseTime !== undefined) this.#times.push(call.responseTime);
  }

  /** Response times in seconds, in arrival order. */
  get times(): readonly number[] {
    return this.#times;
  }

  summary(): GraphStats {
    const sorted = [...this.#times].sort((a, b) => a - b);
    const histogram: HistogramBucket[] = [...HISTOGRAM_BOUNDS_MS.map((leMs) => ({ leMs, count: 0 })), { leMs: null, count: 0 }];
    for (const seconds of sorted) {
      const ms = seconds * 1000;
      const index = HISTOGRAM_BOUNDS_MS.findIndex((bound) => ms <= bound);
      histogram[index === -1 ? histogram.length - 1 : index]!.count++;
    }
    return {
      total: this.#ok + this.#error + this.#throttle + this.#fault,
      ok: this.#ok,
      error: this.#error,
      throttle: this.#throttle,
      fault: this.#fault,
      errorTotal: this.#error + this.#throttle,
      totalResponseTime: round(sorted.reduce((sum, t) => sum + t, 0), 6),
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      histogram,
    };
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Nearest-rank percentile of sorted seconds, in milliseconds. */
function percentile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(0, Math.ceil(q * sorted.length) - 1);
  return round(sorted[rank]! * 1000, 3);
}
