// The counting sink: its own process, one UDP socket per traced variant, each with a large
// receive buffer. It counts datagrams, bytes and the entities (segment and subsegments: one span
// each) they carry, keeps only the last few datagrams, and discards the rest, so the measured
// server pays nothing for the receiving side.
import { createSocket, type Socket } from 'node:dgram';
import { announceReady, serveRpc } from './rpc.js';

/** Requested receive buffer; the kernel caps it at net.core.rmem_max (and reports twice that). */
const RECEIVE_BUFFER_BYTES = 32 * 1024 * 1024;

/** Datagrams kept per socket (references only: nothing is parsed here). */
const KEEP_LAST = 8;

/** What the sink saw on one socket. */
export interface SinkCount {
  datagrams: number;
  bytes: number;
  /** Segments and subsegments in the datagrams: what an OTLP exporter would send as spans. */
  spans: number;
  /** Datagrams whose document did not parse (their spans are not counted). */
  unparsed: number;
  /** The last few datagrams, as text, oldest first. */
  last: string[];
}

interface Port {
  socket: Socket;
  datagrams: number;
  bytes: number;
  spans: number;
  unparsed: number;
  /** Ring of the last datagrams. */
  ring: Buffer[];
}

const ports = new Map<string, Port>();

interface Document {
  subsegments?: Document[];
}

function entities(doc: Document): number {
  let n = 1;
  for (const sub of doc.subsegments ?? []) n += entities(sub);
  return n;
}

/**
 * The segment or independent subsegment in a daemon datagram (header line, then the document),
 * with its nested subsegments. A parse per datagram costs the sink a few µs on the helper core;
 * spans per request and bytes per span then compare honestly with the OTLP sink's decoded count.
 */
function countEntities(datagram: Buffer): number | undefined {
  const text = datagram.toString('utf8');
  try {
    return entities(JSON.parse(text.slice(text.indexOf('\n') + 1)) as Document);
  } catch {
    return undefined;
  }
}

async function open(label: string): Promise<{ port: number; receiveBufferBytes: number }> {
  const existing = ports.get(label);
  if (existing) return { port: existing.socket.address().port, receiveBufferBytes: existing.socket.getRecvBufferSize() };
  const socket = createSocket({ type: 'udp4', recvBufferSize: RECEIVE_BUFFER_BYTES });
  const entry: Port = { socket, datagrams: 0, bytes: 0, spans: 0, unparsed: 0, ring: [] };
  socket.on('message', (message) => {
    entry.ring[entry.datagrams % KEEP_LAST] = message;
    entry.datagrams++;
    entry.bytes += message.length;
    const spans = countEntities(message);
    if (spans === undefined) entry.unparsed++;
    else entry.spans += spans;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  ports.set(label, entry);
  return { port: socket.address().port, receiveBufferBytes: socket.getRecvBufferSize() };
}

function read(): Record<string, SinkCount> {
  const out: Record<string, SinkCount> = {};
  for (const [label, entry] of ports) {
    const start = entry.datagrams % KEEP_LAST;
    const ordered = [...entry.ring.slice(start), ...entry.ring.slice(0, start)];
    out[label] = { datagrams: entry.datagrams, bytes: entry.bytes, spans: entry.spans, unparsed: entry.unparsed, last: ordered.map((b) => b.toString('utf8')) };
  }
  return out;
}

async function stop(): Promise<void> {
  await Promise.all([...ports.values()].map((p) => new Promise<void>((resolve) => p.socket.close(() => resolve()))));
  ports.clear();
}

export type SinkApi = {
  open: typeof open;
  read: typeof read;
  stop: typeof stop;
};

serveRpc({ open, read, stop } satisfies SinkApi);
announceReady({ pid: process.pid });
