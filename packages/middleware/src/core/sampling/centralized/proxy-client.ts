import { Agent, request, type IncomingMessage } from 'node:http';
import type { HostPort } from '../../emit/daemon-address.js';

/** Why a call to the sampling proxy failed. `unreachable` is the quiet, expected one. */
export type ProxyFailure = 'unreachable' | 'timeout' | 'http' | 'invalid';

/** A failed call to the daemon's sampling proxy. */
export class SamplingProxyError extends Error {
  override name = 'SamplingProxyError';
  constructor(
    message: string,
    /** The kind of failure, for deciding how loudly to report it. */
    readonly kind: ProxyFailure,
  ) {
    super(message);
  }
}

/** Options of {@link SamplingProxyClient}. */
export interface SamplingProxyClientOptions {
  /** Give up on a call after this long (connect included). Default 5,000 ms. */
  timeoutMs?: number;
}

const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EADDRNOTAVAIL']);

/**
 * Plain, unsigned JSON over HTTP to the X-Ray daemon's TCP address (or the CloudWatch agent's, or
 * an OpenTelemetry collector's X-Ray proxy): the proxy signs and forwards to the X-Ray API.
 * Sockets are unref'd so a slow or hanging proxy never keeps the process alive.
 */
export class SamplingProxyClient {
  readonly #target: HostPort;
  readonly #timeoutMs: number;
  // No keep-alive: polls are seconds apart, and a pooled socket the proxy closed meanwhile would fail the next poll.
  readonly #agent = new Agent({ keepAlive: false });
  readonly #inFlight = new Set<() => void>();
  #closed = false;

  constructor(target: HostPort, options: SamplingProxyClientOptions = {}) {
    this.#target = target;
    this.#timeoutMs = options.timeoutMs ?? 5_000;
  }

  /** `host:port` of the proxy, for messages. */
  get address(): string {
    const { host, port } = this.#target;
    return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  }

  /** POSTs `body` as JSON to `path` and resolves with the parsed JSON answer. */
  post(path: string, body: unknown): Promise<unknown> {
    if (this.#closed) return Promise.reject(new SamplingProxyError('the sampling proxy client is closed', 'unreachable'));
    const payload = Buffer.from(JSON.stringify(body));
    return new Promise<unknown>((resolve, reject) => {
      let settled = false;
      const finish = (err: SamplingProxyError | undefined, value?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#inFlight.delete(abort);
        if (err) reject(err);
        else resolve(value);
      };
      const req = request({
        host: this.#target.host,
        port: this.#target.port,
        method: 'POST',
        path,
        agent: this.#agent,
        headers: { 'content-type': 'application/json', 'content-length': payload.length },
      });
      const abort = (): void => {
        finish(new SamplingProxyError(`POST ${path} to ${this.address} was cancelled`, 'unreachable'));
        req.destroy();
      };
      this.#inFlight.add(abort);
      const timer = setTimeout(() => {
        finish(new SamplingProxyError(`POST ${path} to ${this.address} timed out after ${this.#timeoutMs} ms`, 'timeout'));
        req.destroy();
      }, this.#timeoutMs);
      timer.unref();
      req.on('socket', (socket) => socket.unref());
      req.on('error', (err: NodeJS.ErrnoException) => {
        const kind: ProxyFailure = err.code !== undefined && UNREACHABLE.has(err.code) ? 'unreachable' : 'http';
        finish(new SamplingProxyError(`POST ${path} to ${this.address} failed: ${err.code ?? err.message}`, kind));
      });
      req.on('response', (res) => {
        readBody(res).then(
          (text) => {
            const status = res.statusCode ?? 0;
            if (status < 200 || status > 299) {
              finish(new SamplingProxyError(`POST ${path} to ${this.address} answered HTTP ${status}: ${text.slice(0, 200)}`, 'http'));
              return;
            }
            try {
              finish(undefined, JSON.parse(text) as unknown);
            } catch {
              finish(new SamplingProxyError(`POST ${path} to ${this.address} answered something that is not JSON: ${JSON.stringify(text.slice(0, 100))}`, 'invalid'));
            }
          },
          (err: unknown) => finish(new SamplingProxyError(`POST ${path} to ${this.address}: ${err instanceof Error ? err.message : String(err)}`, 'http')),
        );
      });
      req.end(payload);
    });
  }

  /** Cancels calls in flight and closes idle connections. */
  close(): void {
    this.#closed = true;
    for (const abort of [...this.#inFlight]) abort();
    this.#agent.destroy();
  }
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) {
        res.destroy();
        reject(new Error(`the answer exceeds ${MAX_RESPONSE_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('aborted', () => reject(new Error('the connection closed mid-answer')));
  });
}
