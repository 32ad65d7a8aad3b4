// Epoch seconds with microsecond resolution: the monotonic clock anchored at process start, so
// durations never go negative when the wall clock is adjusted mid-request.
const origin = performance.timeOrigin;

/** Now, in epoch seconds as a float (what `start_time` and `end_time` hold). */
export function nowSeconds(): number {
  return Math.round((origin + performance.now()) * 1000) / 1e6;
}
