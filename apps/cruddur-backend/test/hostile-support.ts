// Tools of the hostile-input suites (this app's and the worker's): requests sent as raw bytes
// (fetch would normalise paths, refuse odd headers and never cut a body short), a Rollbar
// endpoint that records items, and the X-Ray segment of one request.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { createErrorReporter, type ErrorReporter } from '@cruddur/middleware/rollbar';
import { createTestTracer, type InMemoryEmitter } from '@cruddur/middleware/testing';
import { type Tracer } from '@cruddur/middleware';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Sends `head` (request line and headers, CRLF-separated, without the blank line) and `body`
 * over a plain TCP socket and parses the answer. Every byte is the caller's: nothing is
 * normalised or validated on the way out.
 */
export function rawRequest(baseUrl: string, head: string, body: Buffer | string = ''): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const lines = text.slice(0, split).split('\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? '')?.[1]);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      let payload = text.slice(split + 4);
      if (headers['transfer-encoding'] === 'chunked') payload = dechunk(payload);
      let parsed: unknown = payload;
      if (headers['content-type']?.includes('application/json') && payload) parsed = JSON.parse(payload);
      socket.destroy();
      resolve({ status, headers, body: parsed });
    });
    // `Connection: close` so that the server ends the socket after its answer. Not end(): a
    // half-closed socket may be dropped by the server before it answers.
    socket.write(Buffer.concat([Buffer.from(`${head}\r\nConnection: close\r\n\r\n`, 'latin1'), Buffer.from(body)]));
  });
}

function dechunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 4 + size);
  }
}

/**
 * Sends the head and part of a body announced longer, then resets the connection: a client that
 * goes away mid-body.
 */
export async function abortMidBody(baseUrl: string, head: string, partialBody: string): Promise<void> {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect({ host: hostname, port: Number(port) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(`${head}\r\nContent-Length: ${partialBody.length + 1000}\r\n\r\n${partialBody}`, 'latin1');
  await new Promise((r) => setTimeout(r, 50));
  socket.resetAndDestroy();
}

/** A local Rollbar item endpoint that keeps every item it receives. */
export interface RollbarSink {
  items: unknown[];
  reporter: ErrorReporter;
  stop: () => Promise<void>;
}

export async function startRollbarSink(): Promise<RollbarSink> {
  const items: unknown[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      items.push(JSON.parse(text));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ err: 0, result: { uuid: randomUUID() } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const reporter = createErrorReporter({
    accessToken: 'test-token',
    endpoint: `http://127.0.0.1:${port}/api/1/item/`,
    environment: 'test',
    captureUncaught: false,
    captureUnhandledRejections: false,
  });
  return {
    items,
    reporter,
    stop: async () => {
      await reporter.shutdown(1000);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What a hostile request must leave on its segment: `error` (a 4xx), never `fault`. */
export interface Observed {
  tracer: Tracer;
  emitter: InMemoryEmitter;
}

export function observe(): Observed {
  return createTestTracer();
}

interface SegmentFlags {
  error?: boolean;
  fault?: boolean;
  annotations?: Record<string, unknown>;
  http?: { request?: { url?: string }; response?: { status?: number } };
}

/** The segment of the request whose URL (its Host header) carries `marker` (waits for it). */
export async function segmentOf(emitter: InMemoryEmitter, marker: string): Promise<SegmentFlags> {
  const doc = await emitter.waitFor((d) => ((d as SegmentFlags).http?.request?.url ?? '').includes(marker), 3000);
  return doc as SegmentFlags;
}

/**
 * A unique host name that finds a request's segment: send it as the `Host` header (the segment's
 * URL keeps the host, not the query string).
 */
export function newMarker(): string {
  return `p-${randomUUID()}.test`;
}

/** The segment says "the client's mistake": `error`, no `fault`. */
export async function assertClientError(emitter: InMemoryEmitter, marker: string, what: string): Promise<void> {
  const segment = await segmentOf(emitter, marker);
  assert.equal(segment.fault, undefined, `${what}: no fault on the segment`);
  assert.equal(segment.error, true, `${what}: error on the segment`);
}

/** No Rollbar item arrived (after every pending report was answered). */
export async function assertNoRollbarItem(sink: RollbarSink, what: string): Promise<void> {
  await sink.reporter.flush(2000);
  assert.equal(sink.items.length, 0, `${what}: no Rollbar item`);
}
