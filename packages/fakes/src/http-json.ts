/**
 * Shared plumbing for the HTTP fakes: a listener that can go down and come back on the same port,
 * body reading with a size cap, JSON answers and the two AWS error encodings.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Where a fake listens. Both default to an ephemeral port on the IPv4 loopback. */
export interface ListenOptions {
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string;
  /** Port to bind; `0` picks a free one. Default `0`. */
  port?: number;
}

/** The part of every HTTP fake's handle that deals with the socket. */
export interface HttpFakeHandle {
  /** Bound interface, e.g. `127.0.0.1`. */
  readonly host: string;
  /** Bound port (stays the same across {@link HttpFakeHandle.goDown} / {@link HttpFakeHandle.comeBack}). */
  readonly port: number;
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** `false` between {@link HttpFakeHandle.goDown} and {@link HttpFakeHandle.comeBack}, and after `close()`. */
  readonly isUp: boolean;
  /** Stops listening and drops every open connection: new connections are refused until `comeBack()`. */
  goDown(): Promise<void>;
  /** Listens again on the same host and port. */
  comeBack(): Promise<void>;
  /** Stops listening and destroys every connection, including requests that were told to hang. */
  close(): Promise<void>;
}

/** A request handler; it may answer later or never (a hanging request is destroyed on close). */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/**
 * Starts an HTTP server on `host:port` and returns the controls shared by every fake.
 * An exception thrown by the handler becomes a 500 answer (or a dropped connection if the
 * answer had already started), so a bug in a fake never crashes the test process.
 */
export async function listenHttp(handler: RequestHandler, options: ListenOptions = {}): Promise<HttpFakeHandle> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((error: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        sendJson(res, 500, { message: `fake server error: ${describeError(error)}` });
      });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  let port = await bind(server, host, options.port ?? 0);
  let up = true;
  let closed = false;

  const stop = async (): Promise<void> => {
    if (!server.listening) return;
    const done = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await done;
  };

  return {
    host,
    get port() {
      return port;
    },
    get url() {
      return `http://${host}:${port}`;
    },
    get isUp() {
      return up;
    },
    async goDown() {
      up = false;
      await stop();
    },
    async comeBack() {
      if (closed) throw new Error('comeBack() after close(): start a new fake instead');
      if (server.listening) {
        up = true;
        return;
      }
      port = await bind(server, host, port);
      up = true;
    },
    async close() {
      closed = true;
      up = false;
      await stop();
    },
  };
}

/**
 * Builds a fake's public handle: the live socket fields and controls of `listener`, plus the
 * fake's own members (getters in `members` stay live). `beforeClose` runs first on `close()`.
 */
export function withListener<T extends object>(
  listener: HttpFakeHandle,
  members: T,
  beforeClose: () => void = () => undefined,
): HttpFakeHandle & T {
  const handle: HttpFakeHandle = {
    host: listener.host,
    get port() {
      return listener.port;
    },
    get url() {
      return listener.url;
    },
    get isUp() {
      return listener.isUp;
    },
    goDown: () => listener.goDown(),
    comeBack: () => listener.comeBack(),
    close: async () => {
      beforeClose();
      await listener.close();
    },
  };
  return Object.defineProperties(handle, Object.getOwnPropertyDescriptors(members)) as HttpFakeHandle & T;
}

/** The request path without its query string. */
export function requestPath(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0] ?? '/';
}

function bind(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Thrown by {@link readBody} when a request body exceeds the cap. */
export class BodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`request body exceeds ${limitBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * Reads a whole request body. Past `limitBytes` the rest is drained and discarded and the promise
 * rejects with {@link BodyTooLargeError}, so memory stays bounded whatever a client sends.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => {
      if (tooLarge) reject(new BodyTooLargeError(limitBytes));
      else resolve(Buffer.concat(chunks));
    });
    req.once('error', reject);
  });
}

/** Result of {@link parseJson}: the value, or why the text is not JSON. */
export type JsonParseResult = { ok: true; value: unknown } | { ok: false; error: string };

/** `JSON.parse` without exceptions. */
export function parseJson(text: string): JsonParseResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: describeError(error) };
  }
}

/** `true` for a plain JSON object (not `null`, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Header values for {@link sendJson} and friends. */
export type ResponseHeaders = Record<string, string | number>;

/** Answers with a JSON body (`undefined` sends an empty body) and an exact `Content-Length`. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: ResponseHeaders = {},
  contentType = 'application/json',
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  sendText(res, status, text, { 'Content-Type': contentType, ...headers });
}

/** Answers with a text body and an exact `Content-Length`; a no-op if the client already went away. */
export function sendText(res: ServerResponse, status: number, text: string, headers: ResponseHeaders = {}): void {
  if (res.destroyed || res.headersSent) return;
  const payload = Buffer.from(text, 'utf8');
  res.writeHead(status, { ...headers, 'Content-Length': payload.length });
  res.end(payload);
}

/** An AWS service error: the exception name (`__type`), its message and the HTTP status. */
export class AwsServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

/** A fresh request id in the `x-amzn-RequestId` header, as every AWS answer carries. */
export function requestIdHeader(): ResponseHeaders {
  return { 'x-amzn-RequestId': randomUUID() };
}

/** AWS JSON 1.0/1.1 error: `{"__type": "...", "message": "..."}` with the protocol's content type. */
export function sendAwsJsonError(res: ServerResponse, error: AwsServiceError, contentType: string): void {
  sendJson(res, error.status, { __type: error.type, message: error.message }, requestIdHeader(), contentType);
}

/** AWS REST-JSON error: the name in `x-amzn-ErrorType`, the body `{"message": "..."}`. */
export function sendRestJsonError(res: ServerResponse, error: AwsServiceError): void {
  sendJson(res, error.status, { message: error.message }, { ...requestIdHeader(), 'x-amzn-ErrorType': error.type });
}

/**
 * Waits `ms` milliseconds unless the response is closed first (client gone or server closing).
 * Resolves `true` when the full delay elapsed.
 */
export function delayUnlessClosed(res: ServerResponse, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (res.destroyed) {
      resolve(false);
      return;
    }
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(true);
    }, ms);
    res.once('close', onClose);
  });
}

/** Lower-cased single header value (first one if repeated). */
export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Message of an unknown thrown value. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
