import type { Emitter } from './emitter.js';

/** Prints each document as one line, prefixed, to a stream (stdout by default). Handy in workshops. */
export class ConsoleEmitter implements Emitter {
  /** `dropped`: documents that arrived after {@link ConsoleEmitter.shutdown}. */
  readonly stats = { dropped: 0 };
  readonly #write: (line: string) => void;
  #closed = false;

  /**
   * @param options - `write`: where lines go (default `process.stdout`); `pretty`: indent each
   * document over several lines.
   */
  constructor(options: { write?: (line: string) => void; pretty?: boolean } = {}) {
    const pretty = options.pretty === true;
    const write = options.write ?? ((line: string) => process.stdout.write(line));
    this.#write = pretty
      ? (doc) => write(`[xray] ${JSON.stringify(JSON.parse(doc), null, 2)}\n`)
      : (doc) => write(`[xray] ${doc}\n`);
  }

  /** Writes one document; after {@link ConsoleEmitter.shutdown} it is dropped and counted. */
  send(document: string): void {
    if (this.#closed) {
      this.stats.dropped++;
      return;
    }
    try {
      this.#write(document);
    } catch {
      // a closed stdout must not fail the request
    }
  }

  /** Resolves at once: every document is written synchronously. */
  flush(): Promise<void> {
    return Promise.resolve();
  }

  /** Refuses later documents (dropped and counted); the stream is the caller's and stays open. Idempotent. */
  shutdown(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }
}
