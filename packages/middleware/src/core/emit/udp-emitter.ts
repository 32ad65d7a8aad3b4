import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns';
import { isIP } from 'node:net';
import type { Diagnostics } from '../diagnostics.js';
import { DAEMON_HEADER, type Emitter } from './emitter.js';
import type { HostPort } from './daemon-address.js';

/** Counters a UDP emitter keeps; read them to see what happened to documents. */
export interface UdpEmitterStats {
  /** Datagrams handed to the socket. */
  sent: number;
  /** Datagrams the OS refused (EMSGSIZE, unreachable, …) or that could not be addressed. */
  failed: number;
  /** Documents dropped: the daemon's host name did not resolve yet and the queue was full, or the emitter was shut down. */
  dropped: number;
}

const RESOLVE_TTL_MS = 60_000;
// After a failed lookup the name is not looked up again for this long: a name that does not
// resolve would otherwise be looked up again for every document, flooding the resolver (a VPC
// resolver allows 1,024 packets a second per network interface, shared with the application).
const RESOLVE_RETRY_MS = 1_000;
const MAX_PENDING = 1000;

/**
 * Sends each document in its own datagram to the X-Ray daemon (or the CloudWatch agent, or an
 * OpenTelemetry collector with the X-Ray receiver). One unref'd socket, reused; host names are
 * resolved once a minute rather than per datagram; errors are counted and reported once, never
 * thrown.
 */
export class UdpEmitter implements Emitter {
  /** What happened to the documents handed over (live counters). */
  readonly stats: UdpEmitterStats = { sent: 0, failed: 0, dropped: 0 };
  readonly #target: HostPort;
  readonly #diagnostics: Diagnostics;
  #socket: Socket | undefined;
  #connectingTo: string | undefined;
  #connected = false;
  #queue: string[] = [];
  #address: string | undefined;
  #resolvedAt = 0;
  #resolving = false;
  #retryResolveAt = 0;
  #pending: string[] = [];
  #inFlight = 0;
  #drained: Array<() => void> = [];
  #closed = false;
  #shutdown: Promise<void> | undefined;

  constructor(target: HostPort, diagnostics: Diagnostics) {
    this.#target = target;
    this.#diagnostics = diagnostics;
    if (isIP(target.host)) {
      this.#address = target.host;
      this.#resolvedAt = Infinity;
    }
  }

  /** The daemon address this emitter sends to. */
  get target(): HostPort {
    return this.#target;
  }

  /** Sends one document to the daemon; after {@link UdpEmitter.shutdown} it is dropped and counted. */
  send(document: string): void {
    if (this.#closed) {
      this.stats.dropped++;
      return;
    }
    const address = this.#address;
    if (address !== undefined && Date.now() - this.#resolvedAt < RESOLVE_TTL_MS) {
      this.#transmit(address, DAEMON_HEADER + document);
      return;
    }
    if (address !== undefined) {
      // Keep sending to the last known address while a refresh is under way.
      this.#transmit(address, DAEMON_HEADER + document);
      this.#resolve();
      return;
    }
    if (this.#pending.length >= MAX_PENDING) {
      this.stats.dropped++;
      return;
    }
    this.#pending.push(document);
    this.#resolve();
  }

  #socketFor(address: string): Socket {
    const existing = this.#socket;
    if (existing) {
      if (this.#connectingTo !== address) {
        // The daemon's name now resolves elsewhere: aim the connected socket at the new address.
        this.#connected = false;
        try {
          existing.disconnect();
        } catch {
          // not connected yet
        }
        this.#connect(existing, address);
      }
      return existing;
    }
    const socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
    socket.on('error', (err) => this.#fail(err));
    socket.unref();
    this.#socket = socket;
    this.#connect(socket, address);
    return socket;
  }

  // A connected socket skips Node's per-datagram address lookup and the kernel's route lookup:
  // the cheapest way to send many small datagrams to one peer. Datagrams sent while connect()
  // completes (one event-loop turn) wait in a short queue.
  #connect(socket: Socket, address: string): void {
    this.#connectingTo = address;
    try {
      socket.connect(this.#target.port, address, () => {
        if (this.#socket !== socket || this.#connectingTo !== address) return;
        this.#connected = true;
        const queued = this.#queue;
        this.#queue = [];
        for (const datagram of queued) socket.send(datagram, this.#onSent);
      });
    } catch (err) {
      this.#fail(err);
    }
  }

  #transmit(address: string, datagram: string): void {
    this.#inFlight++;
    try {
      const socket = this.#socketFor(address);
      if (this.#connected) socket.send(datagram, this.#onSent);
      else if (this.#queue.length < MAX_PENDING) this.#queue.push(datagram);
      else {
        this.stats.dropped++;
        if (--this.#inFlight === 0) this.#wake();
      }
    } catch (err) {
      this.#fail(err);
      if (--this.#inFlight === 0) this.#wake();
    }
  }

  readonly #onSent = (err: Error | null): void => {
    if (err) this.#fail(err);
    else this.stats.sent++;
    if (--this.#inFlight === 0) this.#wake();
  };

  #resolve(): void {
    if (this.#resolving || Date.now() < this.#retryResolveAt) return;
    this.#resolving = true;
    this.#inFlight++;
    lookup(this.#target.host, (err, address) => {
      this.#resolving = false;
      if (err) {
        this.#diagnostics.once('error', `resolve:${this.#target.host}`, `cannot resolve the X-Ray daemon host ${this.#target.host}: ${err.message}; documents are dropped until it resolves`);
        this.#retryResolveAt = Date.now() + RESOLVE_RETRY_MS;
        this.stats.dropped += this.#pending.length;
        this.#pending = [];
      } else {
        if (this.#address !== undefined && isIP(this.#address) !== isIP(address)) {
          this.#socket?.close();
          this.#socket = undefined;
          this.#connectingTo = undefined;
          this.#connected = false;
        }
        this.#address = address;
        this.#resolvedAt = Date.now();
        const pending = this.#pending;
        this.#pending = [];
        for (const doc of pending) this.#transmit(address, DAEMON_HEADER + doc);
      }
      if (--this.#inFlight === 0) this.#wake();
    });
  }

  #fail(err: unknown): void {
    this.stats.failed++;
    const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'error';
    this.#diagnostics.once(
      'error',
      `udp:${code}`,
      `could not send a segment to the X-Ray daemon at ${this.#target.host}:${this.#target.port} (${code}: ${err instanceof Error ? err.message : String(err)}); further ${code} errors are counted silently`,
    );
  }

  #wake(): void {
    const waiters = this.#drained;
    this.#drained = [];
    for (const w of waiters) w();
  }

  /** Resolves once every datagram handed over so far has been sent (or failed). Never rejects. */
  flush(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  /** Flushes, then closes the socket; later documents are dropped and counted. Idempotent, never rejects. */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.#release();
    return this.#shutdown;
  }

  /**
   * The former name of {@link UdpEmitter.shutdown}, which it calls.
   * @deprecated Use {@link UdpEmitter.shutdown}.
   */
  close(): Promise<void> {
    return this.shutdown();
  }

  async #release(): Promise<void> {
    await this.flush();
    this.#closed = true;
    const socket = this.#socket;
    this.#socket = undefined;
    this.#connectingTo = undefined;
    this.#connected = false;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
