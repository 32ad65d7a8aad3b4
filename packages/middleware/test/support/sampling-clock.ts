/** A clock tests move by hand: epoch milliseconds, starting on a whole second. */
export interface ManualClock {
  now: () => number;
  /** Moves forward by `ms`. */
  advance(ms: number): void;
  /** Epoch seconds now (whole). */
  seconds(): number;
}

/** A manual clock starting at the current second (so quotas from real-time fakes line up). */
export function manualClock(startMs: number = Math.floor(Date.now() / 1000) * 1000): ManualClock {
  let t = startMs;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
    seconds: () => Math.floor(t / 1000),
  };
}

/** Polls `condition` every 5 ms until it holds; rejects with `what` after `timeoutMs`. */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
