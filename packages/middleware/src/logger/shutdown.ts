/** Anything with a bounded flush: a logger, an error reporter, a tracer. */
export interface Flushable {
  /** Delivers what is buffered within `timeoutMs`; never rejects (README-lifecycle.md). */
  flush(timeoutMs?: number): Promise<unknown>;
}

/** Options of {@link installShutdownFlush}. */
export interface ShutdownFlushOptions {
  /** What to flush, in parallel: loggers, error reporters, tracers. */
  flush: ReadonlyArray<Flushable>;
  /** Upper bound for all flushes together. Default 5,000 ms (ECS and Kubernetes give 30 s). */
  timeoutMs?: number;
  /** Signals to handle. Default SIGTERM and SIGINT. */
  signals?: ReadonlyArray<NodeJS.Signals>;
  /** Exit code after flushing. Default 128 + the signal number (143 for SIGTERM, 130 for SIGINT). */
  exitCode?: number;
  /**
   * Runs first, before the flush (stop accepting requests, let those in flight finish, close
   * databases), so what the last requests log, trace and report is flushed too. It may take at
   * most half of `timeoutMs`; the flush then gets whatever time is left.
   */
  beforeExit?: (signal: NodeJS.Signals) => Promise<void> | void;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 };

/**
 * On SIGTERM/SIGINT: runs `beforeExit` (drain the server), then flushes logs, segments and error
 * reports, all within `timeoutMs`, then exits. A second signal while shutting down exits at once.
 * Returns a function that removes the handlers.
 */
export function installShutdownFlush(options: ShutdownFlushOptions): () => void {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let running = false;
  const handler = (signal: NodeJS.Signals): void => {
    const code = options.exitCode ?? 128 + (SIGNAL_NUMBERS[signal] ?? 0);
    if (running) process.exit(code);
    running = true;
    const deadline = Date.now() + timeoutMs;
    const work = (async () => {
      // Drain first: requests still in flight log, trace and report until they finish, and all of
      // that must be in the flush. A drain that hangs still leaves the flush half the time.
      if (options.beforeExit) await within(Promise.resolve().then(() => options.beforeExit?.(signal)).catch(() => undefined), timeoutMs / 2);
      const left = Math.max(0, deadline - Date.now());
      await Promise.allSettled(options.flush.map((target) => Promise.resolve().then(() => target.flush(left))));
    })();
    // Ref'd on purpose: this timer is what keeps the process alive until the deadline.
    const limit = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs));
    void Promise.race([work.catch(() => undefined), limit]).then(() => process.exit(code));
  };
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}

// Resolves when `work` settles or after `ms`, whichever comes first; the timer never outlives it.
async function within(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
  }
}
