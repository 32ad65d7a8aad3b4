// A stand-in for the X-Ray daemon: a real UDP socket on 127.0.0.1 that parses each datagram
// (the exact header line, then one JSON document) and lets tests wait for documents.
import { createSocket, type Socket } from 'node:dgram';
import type { SegmentDocument } from '../../src/index.js';

const HEADER = '{"format":"json","version":1}\n';

interface Waiter {
  match: (doc: SegmentDocument) => boolean;
  resolve: (doc: SegmentDocument) => void;
}

/** Documents received so far, and malformed datagrams described in `problems`. */
export class DaemonSink {
  readonly documents: SegmentDocument[] = [];
  readonly problems: string[] = [];
  readonly #socket: Socket;
  #waiters: Waiter[] = [];

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('message', (message) => this.#receive(message));
  }

  /** Binds a sink to an ephemeral port. */
  static async start(): Promise<DaemonSink> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve());
    });
    return new DaemonSink(socket);
  }

  /** `host:port` for the tracer's `daemonAddress`. */
  get address(): string {
    return `127.0.0.1:${this.#socket.address().port}`;
  }

  /** The documents of one trace. */
  forTrace(traceId: string): SegmentDocument[] {
    return this.documents.filter((d) => d.trace_id === traceId);
  }

  /** Resolves with the first document (already received or still to come) that `match` accepts. */
  waitFor(match: (doc: SegmentDocument) => boolean, what = 'a document', timeoutMs = 5000): Promise<SegmentDocument> {
    const found = this.documents.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`the daemon received no ${what} within ${timeoutMs} ms (${this.documents.length} documents so far)`));
      }, timeoutMs);
      const waiter: Waiter = {
        match,
        resolve: (doc) => {
          clearTimeout(timer);
          resolve(doc);
        },
      };
      this.#waiters.push(waiter);
    });
  }

  /** The segment of trace `traceId`. */
  segmentOf(traceId: string): Promise<SegmentDocument> {
    return this.waitFor((d) => d.trace_id === traceId, `segment for trace ${traceId}`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }

  #receive(message: Buffer): void {
    const text = message.toString('utf8');
    if (!text.startsWith(HEADER)) {
      this.problems.push(`datagram without the daemon header: ${text.slice(0, 80)}`);
      return;
    }
    let doc: SegmentDocument;
    try {
      doc = JSON.parse(text.slice(HEADER.length)) as SegmentDocument;
    } catch (err) {
      this.problems.push(`datagram with invalid JSON (${String(err)})`);
      return;
    }
    this.documents.push(doc);
    const ready = this.#waiters.filter((w) => w.match(doc));
    this.#waiters = this.#waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve(doc);
  }
}
