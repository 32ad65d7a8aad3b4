// The framework matrix's view of the daemon: @cruddur/fakes' UDP sink, plus the exact header
// line our emitter promises (the fake, like the daemon, also accepts other spellings of it).
import { startDaemonSink, type DaemonSink as UdpSink } from '@cruddur/fakes';
import type { SegmentDocument } from '../../src/index.js';

const HEADER = Buffer.from('{"format":"json","version":1}\n');

/** Documents received so far, and malformed datagrams described in `problems`. */
export class DaemonSink {
  readonly #sink: UdpSink;

  private constructor(sink: UdpSink) {
    this.#sink = sink;
  }

  /** Binds a sink to an ephemeral port. */
  static async start(): Promise<DaemonSink> {
    return new DaemonSink(await startDaemonSink());
  }

  /** `host:port` for the tracer's `daemonAddress`. */
  get address(): string {
    return this.#sink.address;
  }

  /** Every parsed document, in arrival order. */
  get documents(): SegmentDocument[] {
    return this.#sink.documents.map((d) => d.document as SegmentDocument);
  }

  /** Datagrams the daemon would drop, and datagrams without the exact header line. */
  get problems(): string[] {
    const problems = this.#sink.rejected.map((r) => `${r.problem}: ${r.detail}`);
    for (const d of this.#sink.datagrams) {
      if (!d.raw.subarray(0, HEADER.length).equals(HEADER)) problems.push(`datagram without the exact daemon header: ${d.raw.toString('utf8', 0, 80)}`);
    }
    return problems;
  }

  /** The documents of one trace. */
  forTrace(traceId: string): SegmentDocument[] {
    return this.documents.filter((d) => d.trace_id === traceId);
  }

  /** The segment of trace `traceId` (already received or still to come). */
  async segmentOf(traceId: string): Promise<SegmentDocument> {
    const [found] = await this.#sink.waitForDocuments((d) => (d.document as SegmentDocument).trace_id === traceId, 5000);
    return found!.document as SegmentDocument;
  }

  close(): Promise<void> {
    return this.#sink.close();
  }
}
