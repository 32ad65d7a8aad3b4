/**
 * One pending, unref'd timeout at a time: pollers reschedule themselves after each run (so jitter
 * is drawn anew each time), never keep the process alive, and stop for good on `stop()`.
 */
export class PollTimer {
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #run: () => void;

  constructor(run: () => void) {
    this.#run = run;
  }

  /** True once {@link PollTimer.stop} was called. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Runs the task after `delayMs`, replacing any run already scheduled. */
  schedule(delayMs: number): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#run();
    }, Math.max(0, delayMs));
    this.#timer.unref();
  }

  /** Cancels the pending run and refuses later ones. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
