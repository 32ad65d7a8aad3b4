/** Anything with a bounded flush: a logger, an error reporter, a tracer. */
export interface Flushable {
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
  /** Runs after flushing and before exiting (close servers, databases); bounded by the same timeout. */
  beforeExit?: (signal: NodeJS.Signals) => Promise<void> | void;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 };

/**
 * On SIGTERM/SIGINT: flushes logs and error reports (bounded by `timeoutMs`), then exits. A
 * second signal while flushing exits at once. Returns a function that removes the handlers.
 */
export function installShutdownFlush(options: ShutdownFlushOptions): () => void {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let running = false;
  const handler = (signal: NodeJS.Signals): void => {
    const code = options.exitCode ?? 128 + (SIGNAL_NUMBERS[signal] ?? 0);
    if (running) process.exit(code);
    running = true;
    const work = (async () => {
      await Promise.allSettled(options.flush.map((target) => Promise.resolve().then(() => target.flush(timeoutMs))));
      await options.beforeExit?.(signal);
    })();
    // Ref'd on purpose: this timer is what keeps the process alive until the deadline.
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs));
    void Promise.race([work.catch(() => undefined), deadline]).then(() => process.exit(code));
  };
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
