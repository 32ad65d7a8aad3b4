// The OTLP/HTTP side: `POST /v1/traces` with protobuf or JSON bodies, plain or gzip, as the
// OpenTelemetry SDKs' OTLP exporters send them (https://opentelemetry.io/docs/specs/otlp/).
// No Host check like the web view's: it serves no data to read, and a browser page cannot send
// the protobuf or JSON content types cross-origin without a preflight this server never allows.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gunzip } from 'node:zlib';
import { decodeJsonTraces, decodeProtobufTraces, OtlpDecodeError } from './otlp-decode.js';
import type { DecodedTraces } from './otlp-model.js';
import { CONTENT_TYPES, exportResponseBody, RpcCode, statusBody, type OtlpFormat } from './otlp-response.js';
import type { OtlpRefusal } from './types.js';

/** The OTLP/HTTP path for traces. */
export const TRACES_PATH = '/v1/traces';
/** Largest body accepted, compressed or not; senders split larger batches. */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
/** Past this much unread body after a 413, the connection is cut instead of drained. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/** What the viewer did with the spans of one request. */
export interface ExportOutcome {
  /** Spans not kept (invalid ids, …); reported back in `partial_success`. */
  rejectedSpans: number;
  /** Why, when some were rejected. */
  errorMessage: string;
}

/** Options of {@link startOtlpReceiver}. */
export interface OtlpReceiverOptions {
  host: string;
  port: number;
  /** Default 8 MiB; applies to the body as sent and after decompression. */
  maxBodyBytes?: number;
  /** Called with every decoded request; must not throw (a throw is answered with 500). */
  onTraces: (traces: DecodedTraces) => ExportOutcome;
  /** Called for every refused request, for the viewer's counters. */
  onRefused?: (reason: OtlpRefusal, status: number, detail: string) => void;
}

/** A listening OTLP/HTTP receiver. */
export interface OtlpReceiver {
  /** The port actually bound (useful after asking for port 0). */
  port: number;
  close(): Promise<void>;
}

class Refusal extends Error {
  constructor(
    readonly reason: OtlpRefusal,
    readonly status: number,
    readonly rpcCode: number,
    message: string,
  ) {
    super(message);
  }
}

function mediaType(header: string | undefined): OtlpFormat | undefined {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === CONTENT_TYPES.protobuf) return 'protobuf';
  if (type === CONTENT_TYPES.json) return 'json';
  return undefined;
}

/** Reads the body up to `limit` bytes; beyond it, drains (bounded) and refuses with 413. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        if (size > limit + MAX_DRAIN_BYTES) req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) reject(new Refusal('too_large', 413, RpcCode.RESOURCE_EXHAUSTED, `body larger than ${limit} bytes`));
      else resolve(Buffer.concat(chunks, size));
    });
    req.on('error', reject);
  });
}

function decompress(body: Buffer, encoding: string, limit: number): Promise<Buffer> {
  if (encoding === '' || encoding === 'identity') return Promise.resolve(body);
  return new Promise<Buffer>((resolve, reject) => {
    // maxOutputLength bounds a small compressed body that inflates to gigabytes.
    gunzip(body, { maxOutputLength: limit }, (error, result) => {
      if (!error) return resolve(result);
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        reject(new Refusal('too_large', 413, RpcCode.RESOURCE_EXHAUSTED, `body larger than ${limit} bytes once decompressed`));
      } else {
        reject(new Refusal('bad_request', 400, RpcCode.INVALID_ARGUMENT, `invalid gzip body: ${error.message}`));
      }
    });
  });
}

function decode(format: OtlpFormat, body: Buffer): DecodedTraces {
  try {
    return format === 'protobuf' ? decodeProtobufTraces(body) : decodeJsonTraces(body.toString('utf8'));
  } catch (error) {
    // Whatever the decoder trips on (a decode error, a stack overflow on absurd nesting), the
    // sender gets a 400 and the receiver keeps running.
    const message = error instanceof OtlpDecodeError ? error.message : `undecodable body: ${error instanceof Error ? error.message : String(error)}`;
    throw new Refusal('bad_request', 400, RpcCode.INVALID_ARGUMENT, message);
  }
}

function reply(res: ServerResponse, status: number, format: OtlpFormat, body: Buffer, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': CONTENT_TYPES[format], 'content-length': body.byteLength, ...headers });
  res.end(body);
}

/** Starts the receiver; resolves once listening, rejects if the port cannot be bound. */
export function startOtlpReceiver(options: OtlpReceiverOptions): Promise<OtlpReceiver> {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Refusals answer in the request's encoding when it names one of the two, else in JSON.
    const format = mediaType(req.headers['content-type']);
    try {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== TRACES_PATH) throw new Refusal('not_found', 404, RpcCode.NOT_FOUND, `no such path ${JSON.stringify(path?.slice(0, 100))}; traces go to ${TRACES_PATH}`);
      if (req.method !== 'POST') throw new Refusal('method_not_allowed', 405, RpcCode.UNIMPLEMENTED, `${req.method ?? ''} not allowed; use POST`);
      if (format === undefined) {
        throw new Refusal('unsupported_media_type', 415, RpcCode.INVALID_ARGUMENT, `unsupported content type ${JSON.stringify(req.headers['content-type'] ?? '')}; use ${CONTENT_TYPES.protobuf} or ${CONTENT_TYPES.json}`);
      }
      const encoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
      if (encoding !== '' && encoding !== 'identity' && encoding !== 'gzip') {
        throw new Refusal('unsupported_media_type', 415, RpcCode.INVALID_ARGUMENT, `unsupported content encoding ${JSON.stringify(encoding)}; use gzip or none`);
      }
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (declared > limit) throw new Refusal('too_large', 413, RpcCode.RESOURCE_EXHAUSTED, `body of ${declared} bytes is larger than ${limit}`);
      const body = await decompress(await readBody(req, limit), encoding, limit);
      const outcome = options.onTraces(decode(format, body));
      reply(res, 200, format, exportResponseBody(format, outcome.rejectedSpans, outcome.errorMessage));
    } catch (error) {
      const refusal =
        error instanceof Refusal
          ? error
          : new Refusal('internal_error', 500, RpcCode.INTERNAL, `internal error: ${error instanceof Error ? error.message : String(error)}`);
      options.onRefused?.(refusal.reason, refusal.status, refusal.message);
      const headers: Record<string, string> = refusal.status === 405 ? { allow: 'POST' } : {};
      // A body left unread (refused before reading it) would otherwise be parsed as the next request.
      if (!req.complete) headers['connection'] = 'close';
      reply(res, refusal.status, format ?? 'json', statusBody(format ?? 'json', refusal.rpcCode, refusal.message), headers);
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  // A sender that stalls mid-body must not hold a socket forever.
  server.requestTimeout = 30_000;
  return new Promise<OtlpReceiver>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      // Errors after listening (a client resetting) concern one connection, never the receiver.
      server.on('error', () => undefined);
      const address = server.address();
      let closed: Promise<void> | undefined;
      resolve({
        port: typeof address === 'object' && address ? address.port : options.port,
        close: () => {
          closed ??= new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          });
          return closed;
        },
      });
    });
  });
}
