// Type declarations for the part of autocannon (which ships none) that the benchmarks use: the
// framework comparison (load.ts) and the load run of the reference apps (micro/load-reference-apps.ts).
declare module 'autocannon' {
  interface Options {
    url: string;
    connections?: number;
    pipelining?: number;
    /** Seconds. */
    duration?: number;
    /** Stop after this many requests instead of after `duration`. */
    amount?: number;
    /** Requests per second over all connections; unlimited when absent. */
    overallRate?: number;
    /** Seconds before a request counts as a timeout. */
    timeout?: number;
    /** Requests sent in turn by every connection. */
    requests?: RequestSpec[];
  }

  /** One request of {@link Options.requests}. */
  interface RequestSpec {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    /** May rewrite the request before it goes. */
    setupRequest?: (request: RequestParams) => RequestParams;
    /** Called with every response to this request; header names as the server sent them. */
    onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string | string[]>) => void;
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
    /** Responses that failed an `expectBody` check. */
    mismatches: number;
  }

  /** The running job: a promise of its result that can also be stopped early. */
  interface Instance extends PromiseLike<Result> {
    stop(): void;
  }

  function autocannon(options: Options): Instance;
  namespace autocannon {
    export type Request = RequestParams;
    export type LoadRequest = RequestSpec;
    export type LoadResult = Result;
  }
  export = autocannon;
}
