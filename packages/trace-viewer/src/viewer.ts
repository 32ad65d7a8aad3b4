// Wiring: UDP receiver → (forwarder) → parser → store, OTLP receiver → span mapping → the same
// store, and the store → terminal printer and web server.
import { parseDatagram } from './datagram.js';
import { parseHostPort, startForwarder, type Forwarder, type HostPort } from './forwarder.js';
import { createOtlpIntake, type OtlpIntake } from './otlp-intake.js';
import { startOtlpReceiver, TRACES_PATH, type OtlpReceiver } from './otlp-receiver.js';
import { startReceiver, type Receiver } from './receiver.js';
import { httpUrl, startWebServer, type WebServer } from './server.js';
import { GroupStore } from './groups.js';
import { compileQuery } from './query.js';
import { TraceStore, type TraceStoreOptions } from './store.js';
import { renderTraceTree } from './terminal.js';
import type { MalformedReason, MalformedSample, ViewerStats } from './types.js';

/** Default UDP port: the X-Ray daemon's, so SDKs send here without configuration. */
export const DEFAULT_UDP_PORT = 2000;
/** Default web port: next to the daemon's. */
export const DEFAULT_HTTP_PORT = 2001;
/** The OTLP/HTTP port of the specification; the command line listens there unless told otherwise. */
export const DEFAULT_OTLP_PORT = 4318;
/** Default bind address: loopback only, documents can hold private data. */
export const DEFAULT_HOST = '127.0.0.1';

/** A stream the terminal view writes to (process.stdout, a file stream, a test buffer). */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Options of {@link startTraceViewer}. Every field is optional. */
export interface TraceViewerOptions extends TraceStoreOptions {
  /** Address both sockets bind to. Default `127.0.0.1`. */
  host?: string;
  /** UDP port for segments; 0 picks a free one. Default 2000. */
  udpPort?: number;
  /** Web view port; 0 picks a free one. Default 2001. */
  httpPort?: number;
  /**
   * OTLP/HTTP receiver port (`POST /v1/traces`, protobuf or JSON); 0 picks a free one, `'off'`
   * runs none. Default `'off'` here, so existing callers bind no port they did not ask for; the
   * command line defaults to {@link DEFAULT_OTLP_PORT} (4318).
   */
  otlpPort?: number | 'off';
  /** Largest OTLP request body, compressed or not. Default 8 MiB. */
  otlpMaxBodyBytes?: number;
  /** Serve the web view and API. Default true. */
  web?: boolean;
  /** Relay every datagram unchanged to this daemon or collector (`host:port` or an object). */
  forward?: string | HostPort;
  /** Print each finished trace as a tree here. Default: nothing is printed. */
  output?: OutputStream;
  /** ANSI colours in `output`. Default: when `output.isTTY` is true and `NO_COLOR` is not set. */
  color?: boolean;
  /** Kernel receive buffer of the UDP socket in bytes. Default 8 MiB. */
  recvBufferSize?: number;
  /**
   * Group files to load at start, each in the AWS CLI's create-group JSON shape
   * (`aws/json/xray-group.json`). A bad file or expression rejects the start.
   */
  groupFiles?: readonly string[];
  /**
   * Print only the finished traces matching this X-Ray filter expression (terminal view). A bad
   * expression throws a `FilterSyntaxError` naming the column before anything starts.
   */
  filter?: string;
  /** Trace summaries per page of the X-Ray API's GetTraceSummaries. Default 100. */
  xrayPageSize?: number;
}

/** A running viewer, as {@link startTraceViewer} returns it. */
export interface TraceViewer {
  /** The address the sockets are bound to. */
  readonly host: string;
  /** The UDP port actually bound. */
  readonly udpPort: number;
  /** `host:port` of the UDP socket, ready for `AWS_XRAY_DAEMON_ADDRESS`. */
  readonly daemonAddress: string;
  /** The OTLP/HTTP port actually bound, or undefined when the receiver is off. */
  readonly otlpPort: number | undefined;
  /** `http://host:port` of the OTLP receiver, ready for `OTEL_EXPORTER_OTLP_ENDPOINT`; undefined when off. */
  readonly otlpEndpoint: string | undefined;
  /** `http://host:port/v1/traces`, ready for `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`; undefined when off. */
  readonly otlpTracesUrl: string | undefined;
  /** The web port actually bound, or undefined with `web: false`. */
  readonly httpPort: number | undefined;
  /** `http://host:port/` of the web view, or undefined with `web: false`. */
  readonly url: string | undefined;
  /** The traces received so far, with query and wait methods. */
  readonly store: TraceStore;
  /** The groups (named filter expressions) the web view and the X-Ray API use. */
  readonly groups: GroupStore;
  /** Counters: received, malformed by reason, evictions, relay. */
  stats(): ViewerStats;
  /** Stops receiving, closes the web server and the relay. Safe to call twice. */
  close(): Promise<void>;
}

const MALFORMED_REASONS: readonly MalformedReason[] = [
  'too_large',
  'bad_header',
  'empty_body',
  'invalid_json',
  'not_object',
  'missing_field',
  'bad_id',
  'bad_trace_id',
  'too_deep',
];
const RECENT_MALFORMED = 20;

function checkPort(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new RangeError(`${name} must be 0-65535, got ${String(value)}`);
  return value;
}

function useColor(options: TraceViewerOptions): boolean {
  if (options.color !== undefined) return options.color;
  const noColor = process.env['NO_COLOR'];
  return options.output?.isTTY === true && (noColor === undefined || noColor === '');
}

function checkOtlpPort(value: number | 'off' | undefined): number | undefined {
  return value === 'off' || value === undefined ? undefined : checkPort('otlpPort', value, DEFAULT_OTLP_PORT);
}

/** Where a sender on this machine should send: wildcard binds are reached through loopback. */
function daemonAddress(host: string, port: number): string {
  const target = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `${target.includes(':') ? `[${target}]` : target}:${port}`;
}

/** `http://host:port` of the OTLP receiver, without a trailing slash (SDKs append `/v1/traces`). */
function otlpBase(host: string, port: number): string {
  return httpUrl(host, port).slice(0, -1);
}

/**
 * Starts a local X-Ray trace viewer: a UDP receiver speaking the daemon protocol, optionally an
 * OTLP/HTTP receiver (`otlpPort`) whose spans become segment documents, an in-memory store that
 * reassembles traces from both, and (unless `web: false`) a web view with a JSON API. Resolves
 * once every socket listens; rejects when a port cannot be bound or the forward target does not
 * resolve, after closing whatever had started.
 *
 * @example
 * const viewer = await startTraceViewer({ udpPort: 0, httpPort: 0 });
 * process.env.AWS_XRAY_DAEMON_ADDRESS = viewer.daemonAddress;
 * // … make requests …
 * const trace = await viewer.store.waitForTrace((t) => t.services.includes('worker'));
 * await viewer.close();
 */
export async function startTraceViewer(options: TraceViewerOptions = {}): Promise<TraceViewer> {
  const host = options.host ?? DEFAULT_HOST;
  const udpPort = checkPort('udpPort', options.udpPort, DEFAULT_UDP_PORT);
  const httpPort = checkPort('httpPort', options.httpPort, DEFAULT_HTTP_PORT);
  const otlpPort = checkOtlpPort(options.otlpPort);
  const maxBody = options.otlpMaxBodyBytes;
  if (maxBody !== undefined && (!Number.isSafeInteger(maxBody) || maxBody < 1)) {
    throw new RangeError(`otlpMaxBodyBytes must be a positive integer, got ${String(maxBody)}`);
  }
  const target = typeof options.forward === 'string' ? parseHostPort(options.forward) : options.forward;
  const groups = new GroupStore();
  for (const file of options.groupFiles ?? []) groups.loadFile(file);
  // Parsed before any socket opens: a typo in --filter must not leave ports bound.
  const printFilter = options.filter !== undefined && options.filter.trim() !== '' ? compileQuery({ filter: options.filter }, groups) : undefined;
  const store = new TraceStore(options);

  const counters = { received: 0, socketErrors: 0 };
  const malformed = Object.fromEntries(MALFORMED_REASONS.map((reason) => [reason, 0])) as Record<MalformedReason, number>;
  const recentMalformed: MalformedSample[] = [];
  let forwarder: Forwarder | undefined;
  let receiver: Receiver | undefined;
  let otlp: OtlpReceiver | undefined;
  let intake: OtlpIntake | undefined;
  let web: WebServer | undefined;
  let unsubscribePrinter: (() => void) | undefined;

  const stats = (): ViewerStats => {
    const result: ViewerStats = {
      ...store.stats(),
      received: counters.received,
      malformed: { ...malformed },
      recentMalformed: [...recentMalformed],
      socketErrors: counters.socketErrors,
    };
    if (forwarder) result.forward = forwarder.stats();
    if (intake) result.otlp = intake.stats();
    return result;
  };

  const onDatagram = (datagram: Buffer): void => {
    counters.received++;
    forwarder?.send(datagram);
    const parsed = parseDatagram(datagram);
    if (parsed.ok) {
      store.add(parsed);
      return;
    }
    malformed[parsed.reason]++;
    recentMalformed.push({ reason: parsed.reason, detail: parsed.detail, bytes: datagram.byteLength, at: Date.now() });
    if (recentMalformed.length > RECENT_MALFORMED) recentMalformed.shift();
  };

  const closeAll = async (): Promise<void> => {
    unsubscribePrinter?.();
    store.close();
    await Promise.all([receiver?.close(), otlp?.close(), web?.close(), forwarder?.close()]);
  };

  try {
    if (target) forwarder = await startForwarder(target);
    receiver = await startReceiver({
      host,
      port: udpPort,
      recvBufferSize: options.recvBufferSize ?? 8 * 1024 * 1024,
      onDatagram,
      onError: () => {
        counters.socketErrors++;
      },
    });
    if (otlpPort !== undefined) {
      const bound = createOtlpIntake(store);
      otlp = await startOtlpReceiver({
        host,
        port: otlpPort,
        ...(options.otlpMaxBodyBytes !== undefined ? { maxBodyBytes: options.otlpMaxBodyBytes } : {}),
        onTraces: bound.onTraces,
        onRefused: bound.onRefused,
      });
      intake = bound;
    }
    if (options.web ?? true) {
      const info: Record<string, string | number> = {
        daemonAddress: daemonAddress(host, receiver.port),
        maxTraces: store.options.maxTraces,
        finishAfterMs: store.options.finishAfterMs,
      };
      if (otlp) info['otlpTracesUrl'] = `${otlpBase(host, otlp.port)}${TRACES_PATH}`;
      web = await startWebServer({
        host,
        port: httpPort,
        store,
        stats,
        info,
        groups,
        ...(options.xrayPageSize !== undefined ? { xrayPageSize: options.xrayPageSize } : {}),
      });
    }
  } catch (error) {
    await closeAll();
    throw error;
  }

  const output = options.output;
  if (output) {
    const color = useColor(options);
    unsubscribePrinter = store.subscribe((event) => {
      if (event.type !== 'finished') return;
      if (printFilter && !printFilter(event.trace)) return;
      output.write(`${event.again ? '(updated) ' : ''}${renderTraceTree(event.trace, { color })}\n`);
    });
  }

  const boundUdpPort = receiver.port;
  const otlpEndpoint = otlp ? otlpBase(host, otlp.port) : undefined;
  let closing: Promise<void> | undefined;
  return {
    host,
    udpPort: boundUdpPort,
    daemonAddress: daemonAddress(host, boundUdpPort),
    otlpPort: otlp?.port,
    otlpEndpoint,
    otlpTracesUrl: otlpEndpoint !== undefined ? `${otlpEndpoint}${TRACES_PATH}` : undefined,
    httpPort: web?.port,
    url: web ? httpUrl(host, web.port) : undefined,
    store,
    groups,
    stats,
    close: () => (closing ??= closeAll()),
  };
}
