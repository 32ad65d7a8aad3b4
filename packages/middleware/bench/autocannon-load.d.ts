// The part of autocannon (it ships no types) that load-reference-apps.ts drives.
declare module 'autocannon' {
  namespace autocannon {
    interface LoadRequest {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
      /** Called with every response to this request; header names as the server sent them. */
      onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string | string[]>) => void;
    }

    interface LoadOptions {
      url: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      /** Requests per second over all connections; unlimited when absent. */
      overallRate?: number;
      /** Seconds before a request counts as a timeout. */
      timeout?: number;
      /** Cycled through, in order, on every connection. */
      requests?: LoadRequest[];
    }

    interface Distribution {
      average: number;
      total: number;
      min: number;
      max: number;
      p50: number;
      p99: number;
    }

    interface LoadResult {
      /** Per-second samples; `total` counts completed requests. */
      requests: Distribution & { sent: number };
      /** Milliseconds. */
      latency: Distribution;
      errors: number;
      timeouts: number;
      non2xx: number;
      mismatches: number;
    }

    interface LoadInstance extends PromiseLike<LoadResult> {
      stop(): void;
    }
  }

  function autocannon(options: autocannon.LoadOptions): autocannon.LoadInstance;
  export = autocannon;
}
