/** One rule's counts for a reporting window, as `SamplingTargets` expects them. */
export interface RuleStatisticsSnapshot {
  requestCount: number;
  sampledCount: number;
  borrowCount: number;
}

/**
 * Counts what a rule decided since the last report. `sampledCount` includes borrowed requests:
 * the API defines it as "the number of requests recorded" and `BorrowCount` as the part of those
 * recorded with borrowed quota.
 */
export class RuleStatistics {
  #requests = 0;
  #sampled = 0;
  #borrowed = 0;

  /** Counts a matched request and how it was decided. */
  record(sampled: boolean, borrowed: boolean): void {
    this.#requests++;
    if (sampled) this.#sampled++;
    if (borrowed) this.#borrowed++;
  }

  /** Requests matched since the last snapshot. */
  get requestCount(): number {
    return this.#requests;
  }

  /** Returns the counts and starts a new window. */
  snapshot(): RuleStatisticsSnapshot {
    const out = { requestCount: this.#requests, sampledCount: this.#sampled, borrowCount: this.#borrowed };
    this.#requests = 0;
    this.#sampled = 0;
    this.#borrowed = 0;
    return out;
  }
}
