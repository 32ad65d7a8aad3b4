/**
 * A queue of scheduled faults: "the next `count` calls to `target` fail with `kind`".
 * Shared by every fake that has per-operation fault controls.
 */

/** One scheduled fault as handed to the server when a request matches. */
export interface ScheduledFault<Kind extends string> {
  readonly kind: Kind;
  /** Delay for slow answers, in milliseconds. */
  readonly delayMs: number;
}

interface Entry<Target extends string, Kind extends string> {
  readonly target: Target | '*';
  readonly kind: Kind;
  readonly delayMs: number;
  remaining: number;
}

/** Faults in the order they were scheduled; `'*'` matches every target. */
export class FaultQueue<Target extends string, Kind extends string> {
  private readonly entries: Entry<Target, Kind>[] = [];

  /** Schedules `kind` for the next `count` requests to `target`. */
  add(target: Target | '*', kind: Kind, count: number, delayMs: number): void {
    if (!Number.isInteger(count) || count < 1) {
      throw new RangeError(`fault count must be a positive integer, got ${String(count)}`);
    }
    if (!Number.isFinite(delayMs) || delayMs < 0) {
      throw new RangeError(`fault delay must be a non-negative number of milliseconds, got ${String(delayMs)}`);
    }
    this.entries.push({ target, kind, delayMs, remaining: count });
  }

  /** Consumes one occurrence of the first fault scheduled for `target`, if any. */
  take(target: Target): ScheduledFault<Kind> | undefined {
    const index = this.entries.findIndex((entry) => entry.target === '*' || entry.target === target);
    if (index < 0) return undefined;
    const entry = this.entries[index];
    if (entry === undefined) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.entries.splice(index, 1);
    return { kind: entry.kind, delayMs: entry.delayMs };
  }

  /** Number of fault occurrences still scheduled. */
  get pending(): number {
    return this.entries.reduce((sum, entry) => sum + entry.remaining, 0);
  }

  /** Forgets every scheduled fault. */
  clear(): void {
    this.entries.length = 0;
  }
}
