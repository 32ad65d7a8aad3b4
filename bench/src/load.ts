// Load generation with autocannon (in the orchestrator's process, pinned to the other core).
import autocannon from 'autocannon';

export interface LoadResult {
  /** Completed requests. */
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  /** Errors, timeouts and non-2xx answers. */
  failures: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  /** Seconds; ignored when `amount` is given. */
  seconds?: number;
  amount?: number;
  /** Stops a run by `amount` after this many seconds at the latest. */
  maxSeconds?: number;
  /** Paths to request in turn (shared by all connections) instead of the URL's. */
  paths?: readonly string[];
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  const paths = options.paths;
  let next = 0;
  const instance = autocannon({
    url: options.url,
    ...(paths && paths.length > 0
      ? { requests: [{ setupRequest: (request: autocannon.Request) => ({ ...request, path: paths[next++ % paths.length] }) }] }
      : {}),
    connections: options.connections,
    pipelining: 1,
    timeout: 10,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.seconds ?? 1 }),
  });
  const guard = options.maxSeconds !== undefined ? setTimeout(() => instance.stop(), options.maxSeconds * 1000) : undefined;
  const result = await instance;
  clearTimeout(guard);
  const requests = result.requests.total;
  return {
    requests,
    seconds: result.duration,
    requestsPerSecond: result.duration > 0 ? requests / result.duration : 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}
