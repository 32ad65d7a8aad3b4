// The counting OTLP/HTTP sink: its own process (on the helper core, like the UDP sink), one HTTP
// server per OTLP variant, `POST /v1/traces` answered 200 with an empty ExportTraceServiceResponse.
// It counts requests, bytes on the wire and spans, keeps the last few span names, and discards the
// rest. Spans are counted by decoding each request with the OpenTelemetry project's own generated
// protobuf definitions (or JSON.parse for http/json), so a count is what a collector would see —
// and that decoding cost lands here, never in the measured server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { announceReady, serveRpc } from './rpc.js';

/** The part of the decoded request the sink reads (protobuf message and OTLP/JSON have the same shape). */
interface TraceRequest {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: Array<{ name?: string }> }> }>;
}

interface GeneratedRoot {
  opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: { decode(data: Uint8Array): TraceRequest } } } } } };
}

// The generated protobufjs module of @opentelemetry/otlp-transformer 0.200 (the last line that
// ships it): the official .proto definitions, compiled, independent of either exporter's encoder.
const requireHere = createRequire(import.meta.url);
const root = requireHere('@opentelemetry/otlp-transformer/build/src/generated/root.js') as GeneratedRoot;
const ExportTraceServiceRequest = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/** Span names kept per server, for the report's sanity sample. */
const KEEP_LAST = 6;

/** What the sink saw on one server. */
export interface OtlpSinkCount {
  /** Export requests answered 200. */
  requests: number;
  /** Request bytes on the wire: request line and headers plus the body as sent (compressed), without chunk framing. */
  bytes: number;
  /** Body bytes as sent (after the exporter's compression). */
  bodyBytes: number;
  /** Body bytes after gunzip: the encoded ExportTraceServiceRequest. */
  decodedBytes: number;
  spans: number;
  /** Requests answered 4xx (undecodable body, wrong path or method). */
  errors: number;
  /** The last span names, oldest first. */
  last: string[];
}

interface Endpoint {
  server: Server;
  count: OtlpSinkCount;
}

const endpoints = new Map<string, Endpoint>();

/** Bytes of the request head as it came over the wire (request line, headers, blank line). */
function headBytes(req: IncomingMessage): number {
  let n = req.method!.length + 1 + req.url!.length + ' HTTP/1.1\r\n'.length + 2;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) n += raw[i]!.length + 2 + raw[i + 1]!.length + 2;
  return n;
}

function decode(body: Buffer, contentType: string): TraceRequest {
  if (contentType.startsWith('application/json')) return JSON.parse(body.toString('utf8')) as TraceRequest;
  return ExportTraceServiceRequest.decode(body);
}

function handle(count: OtlpSinkCount, req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const refuse = (status: number, message: string): void => {
    count.errors++;
    res.writeHead(status, { 'content-type': 'text/plain' }).end(message);
  };
  if (req.method !== 'POST' || req.url !== '/v1/traces') return refuse(404, `${req.method} ${req.url}: only POST /v1/traces`);
  const contentType = req.headers['content-type'] ?? '';
  let message: TraceRequest;
  let decoded: Buffer;
  try {
    decoded = req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
    message = decode(decoded, contentType);
  } catch (err) {
    return refuse(400, `undecodable ExportTraceServiceRequest: ${String(err)}`);
  }
  let spans = 0;
  for (const resource of message.resourceSpans ?? []) {
    for (const scope of resource.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        spans++;
        count.last.push(span.name ?? '?');
      }
    }
  }
  if (count.last.length > KEEP_LAST) count.last.splice(0, count.last.length - KEEP_LAST);
  count.requests++;
  count.bytes += headBytes(req) + body.length;
  count.bodyBytes += body.length;
  count.decodedBytes += decoded.length;
  count.spans += spans;
  // An empty ExportTraceServiceResponse: zero bytes in protobuf, `{}` in JSON (no partial_success).
  if (contentType.startsWith('application/json')) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  else res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '0' }).end();
}

async function open(label: string): Promise<{ endpoint: string }> {
  const existing = endpoints.get(label);
  const url = (server: Server): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  if (existing) return { endpoint: url(existing.server) };
  const count: OtlpSinkCount = { requests: 0, bytes: 0, bodyBytes: 0, decodedBytes: 0, spans: 0, errors: 0, last: [] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(count, req, res, Buffer.concat(chunks)));
  });
  // Idle keep-alive connections stay open for the whole run: a server-side close racing a reused
  // socket would make an exporter retry (with back-off), and a flush would then wait on it.
  server.keepAliveTimeout = 600_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  endpoints.set(label, { server, count });
  return { endpoint: url(server) };
}

function read(): Record<string, OtlpSinkCount> {
  const out: Record<string, OtlpSinkCount> = {};
  for (const [label, { count }] of endpoints) out[label] = { ...count, last: [...count.last] };
  return out;
}

async function stop(): Promise<void> {
  await Promise.all(
    [...endpoints.values()].map(
      ({ server }) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  );
  endpoints.clear();
}

export type OtlpSinkApi = {
  open: typeof open;
  read: typeof read;
  stop: typeof stop;
};

serveRpc({ open, read, stop } satisfies OtlpSinkApi);
announceReady({ pid: process.pid });
