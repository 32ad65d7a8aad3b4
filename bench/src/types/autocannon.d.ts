// Type declarations for the part of autocannon (which ships none) that the benchmark uses.
declare module 'autocannon' {
  interface Options {
    url: string;
    connections?: number;
    pipelining?: number;
    /** Seconds. */
    duration?: number;
    /** Stop after this many requests instead of after `duration`. */
    amount?: number;
    /** Seconds before a request counts as a timeout. */
    timeout?: number;
    /** Requests sent in turn by every connection; `setupRequest` may rewrite each one before it goes. */
    requests?: Array<{ setupRequest?: (request: RequestParams) => RequestParams }>;
  }

  /** What `setupRequest` receives and returns (the fields the benchmark touches). */
  interface RequestParams {
    path?: string;
    [key: string]: unknown;
  }

  interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p50: number;
    p90: number;
    p97_5: number;
    p99: number;
  }

  interface Result {
    /** Per-second samples; `total` is the number of completed requests. */
    requests: Histogram & { sent: number };
    /** Milliseconds. */
    latency: Histogram;
    /** Seconds. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
  }

  /** The running job: a promise of its result that can also be stopped early. */
  interface Instance extends PromiseLike<Result> {
    stop(): void;
  }

  function autocannon(options: Options): Instance;
  namespace autocannon {
    export type Request = RequestParams;
  }
  export = autocannon;
}
