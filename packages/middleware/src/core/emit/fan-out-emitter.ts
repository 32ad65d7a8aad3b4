import { shutdownEmitter, type Emitter } from './emitter.js';

/**
 * Hands each document to several emitters (the X-Ray daemon and the console, say): the document
 * is written once, and one emitter's failure never reaches the others.
 */
export class FanOutEmitter implements Emitter {
  readonly #targets: readonly Emitter[];

  constructor(targets: readonly Emitter[]) {
    this.#targets = targets;
  }

  /** The emitters documents go to. */
  get targets(): readonly Emitter[] {
    return this.#targets;
  }

  /** Hands the document to every target. */
  send(document: string): void {
    for (const target of this.#targets) {
      try {
        target.send(document);
      } catch {
        // an emitter must not throw; one that does still must not cost the others the document
      }
    }
  }

  /** Flushes every target; resolves when all have settled. */
  async flush(): Promise<void> {
    await Promise.allSettled(this.#targets.map((t) => t.flush?.()));
  }

  /** Shuts every target down (each one idempotent, so this is too). */
  async shutdown(): Promise<void> {
    await Promise.all(this.#targets.map(shutdownEmitter));
  }

  /**
   * The former name of {@link FanOutEmitter.shutdown}, which it calls.
   * @deprecated Use {@link FanOutEmitter.shutdown}.
   */
  close(): Promise<void> {
    return this.shutdown();
  }
}
