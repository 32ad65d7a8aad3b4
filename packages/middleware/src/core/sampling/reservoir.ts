/**
 * Takes at most `perSecond` items in each wall-clock second. The clock is injectable so tests
 * can step through seconds exactly.
 */
export class Reservoir {
  #second = -1;
  #taken = 0;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when the current second still has room (and counts the item). */
  take(): boolean {
    if (this.perSecond <= 0) return false;
    const second = Math.floor(this.now() / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#taken = 0;
    }
    if (this.#taken >= this.perSecond) return false;
    this.#taken++;
    return true;
  }
}
