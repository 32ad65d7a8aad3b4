import type { Emitter } from './emitter.js';

/** Prints each document as one line, prefixed, to a stream (stdout by default). Handy in workshops. */
export class ConsoleEmitter implements Emitter {
  readonly #write: (line: string) => void;

  constructor(options: { write?: (line: string) => void; pretty?: boolean } = {}) {
    const pretty = options.pretty === true;
    const write = options.write ?? ((line: string) => process.stdout.write(line));
    this.#write = pretty
      ? (doc) => write(`[xray] ${JSON.stringify(JSON.parse(doc), null, 2)}\n`)
      : (doc) => write(`[xray] ${doc}\n`);
  }

  send(document: string): void {
    try {
      this.#write(document);
    } catch {
      // a closed stdout must not fail the request
    }
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }
}
