// The X-Ray daemon stand-in of the load run, in its own process: @cruddur/fakes' daemon sink with
// a large receive buffer, keeping nothing (`keep: false`); it checks each datagram's header and
// parses it, and keeps the trace id of every segment per service name. Answers `report` over IPC.
import { startDaemonSink } from '@cruddur/fakes';

/** What the sink received. */
export interface SinkReport {
  datagrams: number;
  /** Datagrams without the header line or with a body that is not JSON. */
  malformed: number;
  /** Largest datagram, in bytes. */
  largest: number;
  /** Independent subsegments. */
  subsegments: number;
  /** Trace ids of segment documents, by segment name. */
  segments: Record<string, string[]>;
}

const segments = new Map<string, string[]>();
let subsegments = 0;

const sink = await startDaemonSink({
  receiveBufferBytes: 32 * 1024 * 1024,
  keep: false,
  onDocument: (document) => {
    const doc = document as { name?: string; trace_id?: string; type?: string };
    if (doc.type === 'subsegment') {
      subsegments++;
      return;
    }
    const name = doc.name ?? '';
    let list = segments.get(name);
    if (list === undefined) segments.set(name, (list = []));
    list.push(doc.trace_id ?? '');
  },
});
process.send?.({ ready: { port: sink.port } });

process.on('message', (message: unknown) => {
  if (message === 'report') {
    const { datagrams, largest } = sink.stats;
    const { missingHeaderOrSegment, invalidHeader, invalidJson } = sink.malformed;
    const malformed = missingHeaderOrSegment + invalidHeader + invalidJson;
    process.send?.({ report: { datagrams, malformed, largest, subsegments, segments: Object.fromEntries(segments) } satisfies SinkReport });
  } else if (message === 'close') {
    void sink.close().then(() => process.exit(0));
  }
});
