import type { Diagnostics } from '../diagnostics.js';
import type { Entity } from '../entity.js';
import type { Segment } from '../segment.js';
import type { Subsegment } from '../subsegment.js';
import { DAEMON_HEADER, type Emitter } from './emitter.js';

/** Limits of the {@link DocumentWriter}. */
export interface DocumentWriterOptions {
  /** Largest datagram, header included. */
  maxDatagramBytes: number;
  /**
   * When more subsegments than this are attached to one segment, each finished subtree is sent
   * right away as an independent subsegment, so long requests do not pile up in memory.
   */
  streamingThreshold: number;
}

const HEADER_BYTES = Buffer.byteLength(DAEMON_HEADER);

/**
 * Turns closed entities into documents that each fit in one datagram. A segment too large for
 * one datagram is cut by sending its biggest finished subtrees as independent subsegments
 * (`type`, `parent_id`, `trace_id`) until the rest fits; no datagram is ever over the limit and
 * no subsegment is sent twice.
 */
export class DocumentWriter {
  readonly #emitter: Emitter;
  readonly #diagnostics: Diagnostics;
  readonly #maxDocument: number;
  readonly #threshold: number;

  constructor(emitter: Emitter, diagnostics: Diagnostics, options: DocumentWriterOptions) {
    this.#emitter = emitter;
    this.#diagnostics = diagnostics;
    this.#maxDocument = options.maxDatagramBytes - HEADER_BYTES;
    this.#threshold = options.streamingThreshold;
  }

  /** The emitter documents go to. */
  get emitter(): Emitter {
    return this.#emitter;
  }

  /** Sends a closed segment (and whatever subsegments are still attached). */
  segmentClosed(segment: Segment): void {
    if (!segment.isSampled || segment.emitted) return;
    segment.emitted = true;
    this.#write(segment, false);
  }

  /** Streams a closed subsegment when its segment is already sent or holds too many. */
  subsegmentClosed(sub: Subsegment): void {
    const segment = sub.segment;
    if (!segment.isSampled || sub.sent) return;
    if (segment.emitted) {
      // The segment went out with this subsegment in progress; the complete one replaces it.
      this.#stream(sub);
      return;
    }
    if (segment.attachedSubsegments > this.#threshold && isSubtreeClosed(sub)) {
      this.#stream(sub);
    }
  }

  #stream(sub: Subsegment): void {
    sub.parent.detach(sub);
    sub.sent = true;
    sub.segment.attachedSubsegments -= countSubtree(sub);
    this.#write(sub, true);
  }

  #write(entity: Segment | Subsegment, independent: boolean): void {
    try {
      for (let round = 0; round < 10_000; round++) {
        const text = serialize(entity, independent);
        if (fits(text, this.#maxDocument)) {
          this.#emitter.send(text);
          return;
        }
        if (!this.#shed(entity, byteLength(text))) break;
      }
      this.#writeStripped(entity, independent);
    } catch (err) {
      this.#diagnostics.error(`could not serialise a ${independent ? 'subsegment' : 'segment'} (${entity.name}): ${String(err)}`);
    }
  }

  /**
   * Detaches the largest children until the estimate fits, sending each as an independent
   * subsegment. Sizes are measured once per round, so a segment with a thousand subsegments costs
   * a few serialisations, not a thousand.
   */
  #shed(entity: Entity, size: number): boolean {
    const children = entity.subsegments;
    if (!children || children.length === 0) return false;
    const measured = children
      .map((child) => ({ child, bytes: byteLength(child.toJsonText()) + 1 }))
      .sort((a, b) => b.bytes - a.bytes);
    let remaining = size;
    for (const { child, bytes } of measured) {
      if (remaining <= this.#maxDocument) break;
      entity.detach(child);
      // An open child goes out in progress now and again, complete, when it closes.
      child.sent = child.isClosed;
      child.segment.attachedSubsegments -= countSubtree(child);
      this.#write(child, true);
      remaining -= bytes;
    }
    return true;
  }

  /**
   * Last resort for one entity whose own fields are over the limit: its metadata goes, then the
   * stack frames of its exceptions (a thrown object's `stack` is any text, of any length), so the
   * request still shows up with its flags and error messages.
   */
  #writeStripped(entity: Segment | Subsegment, independent: boolean): void {
    const bytes = byteLength(serialize(entity, independent));
    entity.metadata = { default: { truncated: `metadata dropped: the document was ${bytes} bytes, over the ${this.#maxDocument}-byte limit` } };
    entity.annotations = undefined;
    let text = serialize(entity, independent);
    let dropped = 'metadata and annotations';
    if (!fits(text, this.#maxDocument) && dropStacks(entity)) {
      text = serialize(entity, independent);
      dropped += ' and stack frames';
    }
    if (fits(text, this.#maxDocument)) {
      this.#diagnostics.once('warn', `stripped:${entity.name}`, `${entity.name}: ${dropped} dropped to fit the ${this.#maxDocument}-byte document limit`);
      this.#emitter.send(text);
      return;
    }
    this.#diagnostics.error(`${entity.name}: a ${bytes}-byte document cannot be cut to fit one datagram and was not sent`);
  }
}

// Replaces each exception's frames by their count (`truncated`); true when there were any.
function dropStacks(entity: Entity): boolean {
  const cause = entity.cause;
  if (cause === undefined || typeof cause === 'string') return false;
  let any = false;
  for (const exception of cause.exceptions) {
    if (!exception.stack) continue;
    exception.truncated = (exception.truncated ?? 0) + exception.stack.length;
    delete exception.stack;
    any = true;
  }
  return any;
}

function serialize(entity: Segment | Subsegment, independent: boolean): string {
  return independent ? (entity as Subsegment).toIndependentJsonText() : entity.toJsonText();
}

function fits(text: string, max: number): boolean {
  // UTF-8 needs at most 3 bytes per UTF-16 unit: most documents are decided without counting.
  return text.length * 3 <= max || Buffer.byteLength(text) <= max;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text);
}

function isSubtreeClosed(entity: Entity): boolean {
  if (!entity.isClosed) return false;
  const children = entity.subsegments;
  if (children) for (const c of children) if (!isSubtreeClosed(c)) return false;
  return true;
}

function countSubtree(entity: Entity): number {
  let n = 1;
  const children = entity.subsegments;
  if (children) for (const c of children) n += countSubtree(c);
  return n;
}
