// The counting sink: its own process, one @cruddur/fakes daemon sink per traced variant, each
// with a large receive buffer and keeping nothing (`keep: false`). It counts datagrams, bytes and
// the entities (segment and subsegments: one span each) they carry, keeps only the last few
// documents, and discards the rest, so the measured server pays nothing for the receiving side.
import { startDaemonSink, type DaemonSink } from '@cruddur/fakes';
import { announceReady, serveRpc } from './rpc.js';

/** Requested receive buffer; the kernel caps it at net.core.rmem_max (and reports twice that). */
const RECEIVE_BUFFER_BYTES = 32 * 1024 * 1024;

/** Datagrams kept per socket (references only). */
const KEEP_LAST = 8;

/** What the sink saw on one socket. */
export interface SinkCount {
  datagrams: number;
  bytes: number;
  /** Segments and subsegments in the datagrams: what an OTLP exporter would send as spans. */
  spans: number;
  /** Datagrams whose header or document did not parse (their spans are not counted). */
  unparsed: number;
  /** The last few datagrams that parsed, as text, oldest first. */
  last: string[];
}

interface Port {
  sink: DaemonSink;
  /** Ring of the last datagrams, and how many went into it. */
  ring: Buffer[];
  written: number;
}

const ports = new Map<string, Port>();

async function open(label: string): Promise<{ port: number; receiveBufferBytes: number }> {
  const existing = ports.get(label);
  if (existing) return { port: existing.sink.port, receiveBufferBytes: existing.sink.receiveBufferBytes };
  const ring: Buffer[] = [];
  const entry: Port = { ring, written: 0, sink: undefined as unknown as DaemonSink };
  entry.sink = await startDaemonSink({
    receiveBufferBytes: RECEIVE_BUFFER_BYTES,
    keep: false,
    onDocument: (_document, raw) => {
      ring[entry.written % KEEP_LAST] = raw;
      entry.written++;
    },
  });
  ports.set(label, entry);
  return { port: entry.sink.port, receiveBufferBytes: entry.sink.receiveBufferBytes };
}

function read(): Record<string, SinkCount> {
  const out: Record<string, SinkCount> = {};
  for (const [label, { sink, ring, written }] of ports) {
    const start = written % KEEP_LAST;
    const ordered = [...ring.slice(start), ...ring.slice(0, start)];
    const { datagrams, bytes, entities } = sink.stats;
    const { missingHeaderOrSegment, invalidHeader, invalidJson } = sink.malformed;
    out[label] = { datagrams, bytes, spans: entities, unparsed: missingHeaderOrSegment + invalidHeader + invalidJson, last: ordered.map((b) => b.toString('utf8')) };
  }
  return out;
}

async function stop(): Promise<void> {
  await Promise.all([...ports.values()].map((p) => p.sink.close()));
  ports.clear();
}

export type SinkApi = {
  open: typeof open;
  read: typeof read;
  stop: typeof stop;
};

serveRpc({ open, read, stop } satisfies SinkApi);
announceReady({ pid: process.pid });
