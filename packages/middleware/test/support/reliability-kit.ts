// Shared plumbing of the reliability and security suites: diagnostics observed through the
// public channel, servers that close completely, bounded waits and many requests at once.
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, request as httpRequest, type Agent, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { validateSegmentDocument } from '@cruddur/fakes';
import { DIAGNOSTICS_CHANNEL, type DiagnosticEvent } from '../../src/index.js';

/** Every diagnostic the package publishes while it is being watched. */
export interface DiagnosticsWatch {
  readonly events: DiagnosticEvent[];
  /** Messages at `level` (all levels when omitted) that match `pattern`. */
  matching(pattern: RegExp, level?: DiagnosticEvent['level']): string[];
  stop(): void;
}

/** Subscribes to {@link DIAGNOSTICS_CHANNEL} (any Diagnostics instance publishes there, whatever its level). */
export function watchDiagnostics(): DiagnosticsWatch {
  const events: DiagnosticEvent[] = [];
  const listener = (message: unknown): void => void events.push(message as DiagnosticEvent);
  subscribe(DIAGNOSTICS_CHANNEL, listener);
  return {
    events,
    matching: (pattern, level) => events.filter((e) => (level === undefined || e.level === level) && pattern.test(e.message)).map((e) => e.message),
    stop: () => void unsubscribe(DIAGNOSTICS_CHANNEL, listener),
  };
}

/** A listening HTTP server on 127.0.0.1 that `close()` shuts down with its open connections. */
export interface Listening {
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** Serves `handler` (an Express app, a plain listener) on 127.0.0.1, port 0. */
export async function listen(handler: RequestListener): Promise<Listening> {
  const server = createServer(handler);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A response as these suites look at it. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  /** Every header line as received, names as sent (`rawHeaders` pairs). */
  rawHeaders: string[];
  body: string;
  /** The `Root` of the `X-Amzn-Trace-Id` response header. */
  traceId: string | undefined;
}

/** Options of {@link request}. */
export interface RequestOptions {
  method?: string;
  /** Header values; an array sends the header once per value. */
  headers?: Record<string, string | string[]>;
  body?: string;
  /** A keep-alive agent; by default a new connection per request. */
  agent?: Agent;
}

/** One request to 127.0.0.1:`port`, the whole response read. */
export function request(port: number, path: string, options: RequestOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const header = res.headers['x-amzn-trace-id'];
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(chunks).toString('utf8'),
          traceId: /^Root=([^;]+)/.exec(typeof header === 'string' ? header : '')?.[1],
        });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Polls `condition` every 10 ms; fails naming `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Runs `count` calls of `fn`, at most `concurrency` at a time; results in call order. */
export async function inParallel<T>(count: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) results[i] = await fn(i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return results;
}

/** Asserts that the X-Ray receiver would accept every document (the strictest one: xray-wire §10). */
export function assertAcceptable(documents: readonly unknown[]): void {
  for (const doc of documents) {
    const problems = validateSegmentDocument(doc);
    assert.deepEqual(problems, [], `${JSON.stringify(doc).slice(0, 300)}: ${problems.join('; ')}`);
  }
}

/** `Root=<trace id>` and an optional `;Sampled=0|1`: the only shape a response header may have. */
export const RESPONSE_TRACE_HEADER = /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}(;Sampled=[01])?$/;

/** What the process printed while captured. */
export interface ConsoleCapture {
  /** Everything written to stdout and stderr as text. */
  readonly text: () => string;
  restore(): void;
}

/**
 * Captures what is written to stdout and stderr as text (winston's console transport and the
 * diagnostics' console sink write strings) and keeps it off the terminal. Binary chunks pass
 * through untouched: the test runner reports over stdout in its own serialised form.
 */
export function captureConsole(): ConsoleCapture {
  let captured = '';
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write);
  streams.forEach((stream, i) => {
    const original = originals[i]!;
    stream.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
      if (typeof chunk === 'string') {
        captured += chunk;
        const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        callback?.();
        return true;
      }
      return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
  });
  return {
    text: () => captured,
    restore: () => streams.forEach((stream, i) => void (stream.write = originals[i]!)),
  };
}

/** A response read off the wire byte for byte. */
export interface RawAnswer {
  /** The status code, 0 when the server closed without answering. */
  status: number;
  /** Every header line exactly as sent. */
  headerLines: string[];
  body: string;
}

/**
 * Writes `head` (request line and header lines, no final blank line) as raw bytes, so headers an
 * HTTP client would refuse (CR, LF, control characters, duplicates) reach the server, and reads
 * the answer until the server closes the connection (`Connection: close`; 5 s at most).
 */
export function rawExchange(port: number, head: string, body = ''): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const lines = (end < 0 ? text : text.slice(0, end)).split('\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0), headerLines: lines.slice(1), body: end < 0 ? '' : text.slice(end + 4) });
    });
    // Written, not ended: a server may drop a half-closed connection before answering.
    socket.write(Buffer.concat([Buffer.from(`${head}\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`, 'latin1'), Buffer.from(body)]));
    socket.setTimeout(5_000, () => socket.destroy());
  });
}
