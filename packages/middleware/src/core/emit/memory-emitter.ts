import type { SegmentDocument, SubsegmentDocument } from '../document.js';
import type { Emitter } from './emitter.js';

/** A document as the in-memory emitter keeps it: the text sent and its parsed form. */
export interface EmittedDocument {
  /** The JSON text as sent. */
  text: string;
  /** The parsed document. */
  document: SegmentDocument | SubsegmentDocument;
}

/** Keeps every document in memory, for tests. */
export class InMemoryEmitter implements Emitter {
  readonly #documents: EmittedDocument[] = [];
  readonly #waiters = new Set<() => void>();
  #closed = false;
  #dropped = 0;

  /** Keeps one document; after {@link InMemoryEmitter.shutdown} it is dropped and counted. */
  send(document: string): void {
    if (this.#closed) {
      this.#dropped++;
      return;
    }
    this.#documents.push({ text: document, document: JSON.parse(document) as SegmentDocument });
    for (const wake of this.#waiters) wake();
  }

  /** Everything sent so far, in order. */
  get documents(): readonly EmittedDocument[] {
    return this.#documents;
  }

  /** Segment documents only (not independent subsegments). */
  get segments(): SegmentDocument[] {
    return this.#documents.filter((d) => (d.document as SubsegmentDocument).type !== 'subsegment').map((d) => d.document as SegmentDocument);
  }

  /** Forgets everything sent so far. */
  clear(): void {
    this.#documents.length = 0;
  }

  /**
   * Resolves once `count` documents (or one matching `predicate`) have arrived; rejects after
   * `timeoutMs` saying how many did.
   */
  waitFor(
    countOrPredicate: number | ((doc: SegmentDocument | SubsegmentDocument) => boolean),
    timeoutMs = 2000,
  ): Promise<SegmentDocument | SubsegmentDocument | undefined> {
    const done = (): { ok: boolean; doc?: SegmentDocument | SubsegmentDocument } => {
      if (typeof countOrPredicate === 'number') return { ok: this.#documents.length >= countOrPredicate };
      const hit = this.#documents.find((d) => countOrPredicate(d.document));
      return { ok: hit !== undefined, doc: hit?.document };
    };
    const now = done();
    if (now.ok) return Promise.resolve(now.doc);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for documents: ${this.#documents.length} arrived`));
      }, timeoutMs);
      const check = (): void => {
        const state = done();
        if (!state.ok) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(state.doc);
      };
      this.#waiters.add(check);
    });
  }

  /** Documents that arrived after {@link InMemoryEmitter.shutdown}. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Resolves at once: documents are kept synchronously. */
  flush(): Promise<void> {
    return Promise.resolve();
  }

  /** Refuses later documents (dropped and counted); what was kept stays readable. Idempotent. */
  shutdown(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }
}
