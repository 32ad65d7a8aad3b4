import { Histogram } from './histogram.js';

/** How a request or call ended, most severe last (the order exemplars are chosen by). */
export const Outcome = { Ok: 0, Error: 1, Throttle: 2, Fault: 3 } as const;
/** One of {@link Outcome}'s values. */
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/** The outcome a status stands for: 5xx fault, 429 throttle, other 4xx error. */
export function outcomeOfStatus(status: number): Outcome {
  if (status >= 500) return Outcome.Fault;
  if (status === 429) return Outcome.Throttle;
  return status >= 400 ? Outcome.Error : Outcome.Ok;
}

/** The trace of one request or call picked to stand for its aggregate. */
export interface Exemplar {
  TraceId: string;
  /** Why this one: the most severe failure of the interval (most recent of its kind), else the slowest. */
  Reason: 'fault' | 'throttle' | 'error' | 'slowest';
  LatencyMs: number;
  Status?: number;
}

const REASONS = ['slowest', 'error', 'throttle', 'fault'] as const;

/**
 * Count, outcomes and latency of the requests (or outgoing calls) of one dimension set over one
 * interval, with an exemplar: the trace id of a sampled one worth looking at.
 */
export class ExchangeStats {
  count = 0;
  errors = 0;
  faults = 0;
  throttles = 0;
  readonly latency = new Histogram();
  exemplar: Exemplar | undefined;
  #exemplarRank = -1;

  constructor(readonly dimensions: Readonly<Record<string, string>>) {}

  /**
   * Adds one request or call. `traceId` is given only for sampled ones: an exemplar must lead to
   * a trace that exists.
   */
  record(durationMs: number, outcome: Outcome, status: number | undefined, traceId: string | undefined): void {
    this.count++;
    if (outcome !== Outcome.Ok) {
      if (outcome === Outcome.Fault) this.faults++;
      else {
        // A throttle is an error too, as in X-Ray's flags.
        this.errors++;
        if (outcome === Outcome.Throttle) this.throttles++;
      }
    }
    this.latency.record(durationMs);
    if (traceId === undefined) return;
    // A worse outcome wins; among failures of one kind the latest; among successes the slowest.
    if (outcome > this.#exemplarRank || (outcome === this.#exemplarRank && (outcome !== Outcome.Ok || durationMs > this.exemplar!.LatencyMs))) {
      this.#exemplarRank = outcome;
      this.exemplar = status === undefined ? { TraceId: traceId, Reason: REASONS[outcome], LatencyMs: durationMs } : { TraceId: traceId, Reason: REASONS[outcome], LatencyMs: durationMs, Status: status };
    }
  }
}
