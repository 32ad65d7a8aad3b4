import { EVENT_OVERHEAD_BYTES } from './limits.js';

/** One log event waiting for delivery. */
export interface BufferedEvent {
  /** Epoch milliseconds, never lower than the previous event's (PutLogEvents wants time order). */
  timestamp: number;
  message: string;
  /** UTF-8 bytes of `message` plus CloudWatch's 26-byte overhead. */
  size: number;
}

/** Caps of an {@link EventBuffer}. */
export interface EventBufferLimits {
  maxEvents: number;
  /** Sum of event sizes (message bytes + 26). */
  maxBytes: number;
}

/**
 * A FIFO of events with hard caps on count and bytes. When full, the new event is refused (the
 * caller counts it as dropped): entries already accepted keep their place and their order, which
 * is what lets a recovered stream receive everything that fitted, in order.
 */
export class EventBuffer {
  readonly #limits: EventBufferLimits;
  #items: BufferedEvent[] = [];
  #head = 0;
  #bytes = 0;
  #lastTimestamp = 0;
  #peakEvents = 0;
  #peakBytes = 0;

  constructor(limits: EventBufferLimits) {
    this.#limits = limits;
  }

  /** Events waiting (including the batch being sent). */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Bytes waiting, counted as CloudWatch counts them. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Highest event count seen. */
  get peakEvents(): number {
    return this.#peakEvents;
  }

  /** Highest byte count seen. */
  get peakBytes(): number {
    return this.#peakBytes;
  }

  /** Adds an event; false (and nothing stored) when it would exceed a cap. */
  push(message: string, messageBytes: number, now: number): boolean {
    const size = messageBytes + EVENT_OVERHEAD_BYTES;
    if (this.length + 1 > this.#limits.maxEvents || this.#bytes + size > this.#limits.maxBytes) return false;
    // A clock stepping back must not put events out of order within a batch.
    const timestamp = now < this.#lastTimestamp ? this.#lastTimestamp : now;
    this.#lastTimestamp = timestamp;
    this.#items.push({ timestamp, message, size });
    this.#bytes += size;
    if (this.length > this.#peakEvents) this.#peakEvents = this.length;
    if (this.#bytes > this.#peakBytes) this.#peakBytes = this.#bytes;
    return true;
  }

  /** The event `offset` places from the head. */
  at(offset: number): BufferedEvent | undefined {
    return this.#items[this.#head + offset];
  }

  /** Removes `count` events from the head (after they were delivered or definitively refused). */
  shift(count: number): void {
    const end = Math.min(this.#head + count, this.#items.length);
    for (let i = this.#head; i < end; i++) this.#bytes -= (this.#items[i] as BufferedEvent).size;
    this.#head = end;
    // Compact once the consumed prefix dominates, so memory follows the live events.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    } else if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    }
  }
}
