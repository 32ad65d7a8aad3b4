/**
 * Promise-based waiting on recorded traffic: a waiter is re-checked whenever the fake records
 * something, and rejects with a description of what did arrive when its time runs out.
 */

interface Waiter {
  check(): void;
  fail(error: Error): void;
}

/** Either "at least this many" or "at least one record matching". */
export type CountOrPredicate<T> = number | ((record: T) => boolean);

/** The set of pending waits of one fake. */
export class Waiters {
  private readonly pending = new Set<Waiter>();

  /**
   * Resolves with `select()`'s result as soon as it is not `undefined`; rejects after `timeoutMs`
   * with `${what} within ${timeoutMs} ms; ${progress()}`.
   */
  wait<R>(select: () => R | undefined, timeoutMs: number, what: string, progress: () => string): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const first = select();
      if (first !== undefined) {
        resolve(first);
        return;
      }
      const waiter: Waiter = {
        check: () => {
          const value = select();
          if (value === undefined) return;
          this.pending.delete(waiter);
          clearTimeout(timer);
          resolve(value);
        },
        fail: (error) => {
          this.pending.delete(waiter);
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        waiter.fail(new Error(`timed out waiting for ${what} within ${timeoutMs} ms; ${progress()}`));
      }, timeoutMs);
      this.pending.add(waiter);
    });
  }

  /**
   * Waits on a growing list: a number resolves with the first `n` records once that many exist;
   * a predicate resolves with every matching record once at least one matches.
   */
  waitForRecords<T>(
    records: readonly T[],
    condition: CountOrPredicate<T>,
    timeoutMs: number,
    noun: string,
    progress: () => string,
  ): Promise<T[]> {
    if (typeof condition === 'number') {
      if (!Number.isInteger(condition) || condition < 0) {
        return Promise.reject(new RangeError(`expected a non-negative integer count, got ${String(condition)}`));
      }
      return this.wait(
        () => (records.length >= condition ? records.slice(0, condition) : undefined),
        timeoutMs,
        `${condition} ${noun}`,
        progress,
      );
    }
    return this.wait(
      () => {
        const matching = records.filter(condition);
        return matching.length > 0 ? matching : undefined;
      },
      timeoutMs,
      `a matching ${noun.replace(/s$/, '')}`,
      progress,
    );
  }

  /** Re-checks every pending wait; call after recording something. */
  notify(): void {
    for (const waiter of [...this.pending]) waiter.check();
  }

  /** Rejects every pending wait (used on close so no test waits for nothing). */
  rejectAll(reason: string): void {
    for (const waiter of [...this.pending]) waiter.fail(new Error(reason));
  }
}
