// The X-Ray daemon stand-in of the load run, in its own process: one UDP socket with a large
// receive buffer; each datagram is checked for the daemon header and parsed, and the trace id of
// every segment is kept per service name. Answers `report` over IPC.
import { createSocket } from 'node:dgram';

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

const HEADER = '{"format":"json","version":1}\n';
const segments = new Map<string, string[]>();
let datagrams = 0;
let malformed = 0;
let largest = 0;
let subsegments = 0;

const socket = createSocket({ type: 'udp4', recvBufferSize: 32 * 1024 * 1024 });
socket.on('message', (raw: Buffer) => {
  datagrams++;
  if (raw.length > largest) largest = raw.length;
  const text = raw.toString('utf8');
  if (!text.startsWith(HEADER)) {
    malformed++;
    return;
  }
  let doc: { name?: string; trace_id?: string; type?: string };
  try {
    doc = JSON.parse(text.slice(HEADER.length)) as typeof doc;
  } catch {
    malformed++;
    return;
  }
  if (doc.type === 'subsegment') {
    subsegments++;
    return;
  }
  const name = doc.name ?? '';
  let list = segments.get(name);
  if (list === undefined) segments.set(name, (list = []));
  list.push(doc.trace_id ?? '');
});
socket.bind(0, '127.0.0.1', () => process.send?.({ ready: { port: socket.address().port } }));

process.on('message', (message: unknown) => {
  if (message === 'report') {
    process.send?.({ report: { datagrams, malformed, largest, subsegments, segments: Object.fromEntries(segments) } satisfies SinkReport });
  } else if (message === 'close') {
    socket.close(() => process.exit(0));
  }
});
