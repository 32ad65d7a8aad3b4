import type { Segment } from '../segment.js';
import type { Subsegment } from '../subsegment.js';

/**
 * Where finished documents go. `send` receives one complete JSON document (a segment or an
 * independent subsegment) already cut to fit the datagram limit. Implementations must never throw
 * and never block: tracing must not break or slow the request that produced the document.
 */
export interface Emitter {
  /** Takes one finished document; after {@link Emitter.shutdown} it is dropped and counted. */
  send(document: string): void;
  /** Resolves when everything handed to `send` so far has left the process (or definitively failed). Never rejects. */
  flush?(): Promise<void>;
  /** Flushes, then releases sockets and timers. Idempotent; never rejects. See README-lifecycle.md. */
  shutdown?(): Promise<void>;
  /**
   * The former name of `shutdown`: called only when an emitter has no `shutdown`.
   * @deprecated Implement {@link Emitter.shutdown}.
   */
  close?(): Promise<void>;
}

/**
 * Where finished entities go when the protocol is not X-Ray documents: span-based exporters (OTLP)
 * receive each closed segment and subsegment of a sampled trace and map it themselves, so no JSON
 * document is written for them. Same rules as {@link Emitter}: never throw, never block.
 */
export interface EntityEmitter {
  /** Called once for each closed segment or subsegment of a sampled trace. */
  emitEntity(entity: Segment | Subsegment): void;
  /** Resolves when everything handed over so far has left the process (or definitively failed). Never rejects. */
  flush?(): Promise<void>;
  /** Flushes, then releases sockets and timers. Idempotent; never rejects. See README-lifecycle.md. */
  shutdown?(): Promise<void>;
  /**
   * The former name of `shutdown`: called only when an emitter has no `shutdown`.
   * @deprecated Implement {@link EntityEmitter.shutdown}.
   */
  close?(): Promise<void>;
}

/** True for an emitter that takes entities rather than documents. */
export function isEntityEmitter(emitter: Emitter | EntityEmitter): emitter is EntityEmitter {
  return typeof (emitter as Partial<EntityEmitter>).emitEntity === 'function';
}

/**
 * Shuts an emitter down through `shutdown`, or `close` for emitters written before it existed;
 * a rejection is swallowed, as the lifecycle contract promises callers (README-lifecycle.md).
 */
export async function shutdownEmitter(emitter: Emitter | EntityEmitter): Promise<void> {
  try {
    await (emitter.shutdown ? emitter.shutdown() : emitter.close?.());
  } catch {
    // an emitter's failure to release its resources must not fail the host's shutdown
  }
}

/** `{"format":"json","version":1}` and a newline: the first line of every daemon datagram. */
export const DAEMON_HEADER = '{"format":"json","version":1}\n';

/**
 * Largest datagram (header included) we send by default: the X-Ray limit of 64 kB per document,
 * which also stays under the 65,507-byte IPv4 UDP payload maximum.
 */
export const DEFAULT_MAX_DATAGRAM_BYTES = 64_000;
