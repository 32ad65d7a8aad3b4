/**
 * The UDP side of the X-Ray daemon: receives `{"format":"json","version":1}\n<document>` datagrams,
 * checks the header exactly like the daemon and the OpenTelemetry receiver, and validates each
 * document with {@link validateSegmentDocument}.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isRecord, parseJson } from './http-json.js';
import { validateSegmentDocument } from './segment-validator.js';
import { type CountOrPredicate, Waiters } from './wait.js';

/** Options of {@link startDaemonSink}. */
export interface DaemonSinkOptions {
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string;
  /** UDP port; `0` picks a free one. Default `0`. */
  port?: number;
  /**
   * Requested kernel receive buffer, in bytes, so bursts are not dropped before they are read.
   * The kernel may grant less (see {@link DaemonSink.receiveBufferBytes}). Default 8 MiB.
   */
  receiveBufferBytes?: number;
  /**
   * `false` keeps nothing and validates nothing: the sink only counts ({@link DaemonSink.stats},
   * {@link DaemonSink.malformed}) and hands each document to `onDocument`, so it can receive a
   * benchmark's millions of datagrams in constant memory. Default `true`.
   */
  keep?: boolean;
  /** Called with every datagram whose header is valid and whose body is JSON, as it arrives. */
  onDocument?: (document: unknown, raw: Buffer) => void;
  /**
   * Whether each datagram's header and body are parsed. `false` only counts datagrams and bytes,
   * the cheapest receiving side there is (malformed, documents and entities stay 0). Default:
   * `true` when the sink keeps what it receives or has an `onDocument`, else `false`.
   */
  parse?: boolean;
}

/** Running totals of a sink, kept whether or not it keeps what it receives. */
export interface DaemonSinkStats {
  /** Datagrams received (dropped ones by {@link DaemonSink.dropNext} excluded). */
  readonly datagrams: number;
  /** Their bytes. */
  readonly bytes: number;
  /** The largest datagram, in bytes. */
  readonly largest: number;
  /** Datagrams with a valid header and a JSON body. */
  readonly documents: number;
  /** Segments and subsegments in those documents, nested ones included: one span each. */
  readonly entities: number;
}

/** One datagram as it arrived. */
export interface DaemonDatagram {
  /** The exact bytes received. */
  readonly raw: Buffer;
  /** Sender address and port. */
  readonly from: { readonly address: string; readonly port: number };
  /** `Date.now()` at reception. */
  readonly receivedAt: number;
}

/** Why a datagram was dropped before its body could be used. */
export type DaemonDatagramProblem = 'missing-header-or-segment' | 'invalid-header' | 'invalid-json';

/** A datagram the daemon would drop, with the reason. */
export interface DaemonRejectedDatagram {
  readonly datagram: DaemonDatagram;
  readonly problem: DaemonDatagramProblem;
  /** Human-readable detail (the parse error, the header text...). */
  readonly detail: string;
}

/** A datagram whose header was valid and whose body parsed as JSON. */
export interface DaemonDocument {
  /** The parsed header object. */
  readonly header: Readonly<Record<string, unknown>>;
  /** The body text after the first newline. */
  readonly body: string;
  /** The parsed body. */
  readonly document: unknown;
  /** {@link validateSegmentDocument} of the body; empty when the receiver would accept it. */
  readonly violations: readonly string[];
  /** The datagram it came from. */
  readonly datagram: DaemonDatagram;
}

/** Counters of dropped datagrams, by reason. */
export interface DaemonMalformedCounts {
  /** No newline, or nothing after it ("Missing header or segment" in the daemon). */
  readonly missingHeaderOrSegment: number;
  /** Header not JSON, `format` not "json" (case-insensitive) or `version` not the number 1. */
  readonly invalidHeader: number;
  /** Body is not JSON. */
  readonly invalidJson: number;
}

/** Handle of a running daemon sink. */
export interface DaemonSink {
  /** Bound interface. */
  readonly host: string;
  /** Bound UDP port. */
  readonly port: number;
  /** `host:port`, the value for `AWS_XRAY_DAEMON_ADDRESS`. */
  readonly address: string;
  /** Receive buffer size the kernel actually granted, in bytes. */
  readonly receiveBufferBytes: number;
  /** Every datagram received (including dropped and malformed ones), in order. */
  readonly datagrams: readonly DaemonDatagram[];
  /** Every datagram with a valid header and a JSON body, in order. */
  readonly documents: readonly DaemonDocument[];
  /** Datagrams the daemon would drop, with the reason. */
  readonly rejected: readonly DaemonRejectedDatagram[];
  /** Counts of {@link DaemonSink.rejected} by reason. */
  readonly malformed: DaemonMalformedCounts;
  /** Running totals (also when the sink was started with `keep: false`). */
  readonly stats: DaemonSinkStats;
  /** Datagrams discarded on purpose by {@link DaemonSink.dropNext}. */
  readonly dropped: number;
  /**
   * Resolves with the first `count` documents once that many arrived, or — given a predicate —
   * with every matching document once at least one matches. Rejects after `timeoutMs`
   * (default 2000) with what did arrive.
   */
  waitForDocuments(condition: CountOrPredicate<DaemonDocument>, timeoutMs?: number): Promise<DaemonDocument[]>;
  /** Silently discards the next `count` datagrams (simulated packet loss); they are counted in `dropped`. */
  dropNext(count: number): void;
  /** Closes the socket: datagrams sent meanwhile are lost (connected senders see ECONNREFUSED). */
  goDown(): Promise<void>;
  /** Binds again on the same port. */
  comeBack(): Promise<void>;
  /** Forgets everything recorded so far. */
  clear(): void;
  /** Closes the socket and rejects pending waits. */
  close(): Promise<void>;
}

const DEFAULT_RECEIVE_BUFFER = 8 * 1024 * 1024;

/**
 * Starts a UDP listener that behaves like the X-Ray daemon's segment port.
 *
 * @example
 * const sink = await startDaemonSink();
 * process.env.AWS_XRAY_DAEMON_ADDRESS = sink.address;
 * // ... exercise traced code ...
 * const [segment] = await sink.waitForDocuments(1);
 * assert.deepEqual(segment.violations, []);
 */
export async function startDaemonSink(options: DaemonSinkOptions = {}): Promise<DaemonSink> {
  const host = options.host ?? '127.0.0.1';
  const requestedBuffer = options.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER;
  const datagrams: DaemonDatagram[] = [];
  const documents: DaemonDocument[] = [];
  const rejected: DaemonRejectedDatagram[] = [];
  const counts = { missingHeaderOrSegment: 0, invalidHeader: 0, invalidJson: 0 };
  const stats = { datagrams: 0, bytes: 0, largest: 0, documents: 0, entities: 0 };
  const keep = options.keep ?? true;
  const onDocument = options.onDocument;
  const parse = options.parse ?? (keep || onDocument !== undefined);
  const waiters = new Waiters();
  let dropped = 0;
  let toDrop = 0;
  let closed = false;

  const reject = (datagram: DaemonDatagram, problem: DaemonDatagramProblem, detail: string): void => {
    if (keep) rejected.push({ datagram, problem, detail });
    if (problem === 'missing-header-or-segment') counts.missingHeaderOrSegment += 1;
    else if (problem === 'invalid-header') counts.invalidHeader += 1;
    else counts.invalidJson += 1;
  };

  const onMessage = (raw: Buffer, remote: RemoteInfo): void => {
    if (toDrop > 0) {
      toDrop -= 1;
      dropped += 1;
      return;
    }
    stats.datagrams += 1;
    stats.bytes += raw.length;
    if (raw.length > stats.largest) stats.largest = raw.length;
    if (!keep && !parse) return; // counting only: nothing to record, nobody can wait on documents
    const datagram: DaemonDatagram = { raw, from: { address: remote.address, port: remote.port }, receivedAt: Date.now() };
    if (keep) datagrams.push(datagram);
    if (!parse) {
      waiters.notify();
      return;
    }
    const newline = raw.indexOf(0x0a);
    if (newline < 0 || newline === raw.length - 1) {
      reject(datagram, 'missing-header-or-segment', newline < 0 ? 'no newline after the header' : 'empty body');
    } else {
      const headerText = raw.subarray(0, newline).toString('utf8');
      const header = parseJson(headerText);
      const headerProblem = header.ok ? describeHeaderProblem(header.value) : `header is not JSON: ${header.error}`;
      if (headerProblem !== undefined || !header.ok || !isRecord(header.value)) {
        reject(datagram, 'invalid-header', `${headerProblem ?? 'invalid header'} (${JSON.stringify(headerText)})`);
      } else {
        const body = raw.subarray(newline + 1).toString('utf8');
        const parsed = parseJson(body);
        if (!parsed.ok) {
          reject(datagram, 'invalid-json', `body is not JSON: ${parsed.error}`);
        } else {
          stats.documents += 1;
          stats.entities += countEntities(parsed.value);
          if (keep) documents.push({ header: header.value, body, document: parsed.value, violations: validateSegmentDocument(parsed.value), datagram });
          onDocument?.(parsed.value, raw);
        }
      }
    }
    waiters.notify();
  };

  const bindSocket = (port: number): Promise<Socket> =>
    new Promise((resolve, rejectBind) => {
      const socket = createSocket({ type: 'udp4', recvBufferSize: requestedBuffer });
      socket.once('error', rejectBind);
      socket.bind(port, host, () => {
        socket.off('error', rejectBind);
        socket.on('error', () => undefined);
        socket.on('message', onMessage);
        resolve(socket);
      });
    });

  let socket: Socket | undefined = await bindSocket(options.port ?? 0);
  const port = socket.address().port;
  const receiveBufferBytes = socket.getRecvBufferSize();

  const closeSocket = async (): Promise<void> => {
    const current = socket;
    socket = undefined;
    if (current === undefined) return;
    await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  const progress = (): string => {
    const names = documents.map((entry) => (isRecord(entry.document) ? String(entry.document.name) : '?'));
    return (
      `received ${documents.length} document(s) [${names.join(', ')}] in ${datagrams.length} datagram(s); ` +
      `malformed: ${counts.missingHeaderOrSegment} missing header or segment, ${counts.invalidHeader} invalid header, ` +
      `${counts.invalidJson} invalid JSON; sink ${socket === undefined ? 'down' : 'up'} on ${host}:${port}`
    );
  };

  return {
    host,
    port,
    address: `${host}:${port}`,
    receiveBufferBytes,
    datagrams,
    documents,
    rejected,
    get malformed() {
      return { ...counts };
    },
    get stats() {
      return { ...stats };
    },
    get dropped() {
      return dropped;
    },
    waitForDocuments(condition, timeoutMs = 2000) {
      return waiters.waitForRecords(documents, condition, timeoutMs, 'documents', progress);
    },
    dropNext(count) {
      if (!Number.isInteger(count) || count < 0) throw new RangeError(`dropNext expects a non-negative integer, got ${count}`);
      toDrop += count;
    },
    goDown: closeSocket,
    async comeBack() {
      if (closed) throw new Error('comeBack() after close(): start a new sink instead');
      if (socket !== undefined) return;
      socket = await bindSocket(port);
    },
    clear() {
      datagrams.length = 0;
      documents.length = 0;
      rejected.length = 0;
      counts.missingHeaderOrSegment = 0;
      counts.invalidHeader = 0;
      counts.invalidJson = 0;
      Object.assign(stats, { datagrams: 0, bytes: 0, largest: 0, documents: 0, entities: 0 });
      dropped = 0;
      toDrop = 0;
    },
    async close() {
      closed = true;
      waiters.rejectAll(`daemon sink on ${host}:${port} closed`);
      await closeSocket();
    },
  };
}

function describeHeaderProblem(header: unknown): string | undefined {
  if (!isRecord(header)) return 'header is not a JSON object';
  if (typeof header.format !== 'string' || header.format.toLowerCase() !== 'json') {
    return `header format must be "json", got ${JSON.stringify(header.format)}`;
  }
  if (header.version !== 1) return `header version must be the number 1, got ${JSON.stringify(header.version)}`;
  return undefined;
}

/** The entity and its nested subsegments: what an OpenTelemetry exporter would send as spans. */
function countEntities(document: unknown): number {
  let n = 1;
  const subsegments = isRecord(document) ? document.subsegments : undefined;
  if (Array.isArray(subsegments)) for (const sub of subsegments) n += countEntities(sub);
  return n;
}
