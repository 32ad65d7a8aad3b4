// Reading what an OTLP/HTTP receiver answers: the `ExportTraceServiceResponse` of a 2xx (whose
// `partial_success` says how many spans were rejected and why) and the `google.rpc.Status` the
// OTLP spec puts in 4xx/5xx bodies. Both come as protobuf or JSON, matching the request.
//
// Two tiny messages do not justify a protobuf library: a bounds-checked reader of a handful of
// fields is enough. Bodies come from the network (or from a proxy in between that answers with
// HTML), so every function here returns `undefined` for anything it cannot read, never throws.

import type { OtlpPartialSuccess } from './span-model.js';

const TWO_32 = 4294967296;

/** Thrown inside this module only, caught by the exported functions. */
class Malformed extends Error {}

/** A bounds-checked protobuf reader over one message. */
class Reader {
  pos: number;
  constructor(
    private readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  /** A varint as a signed 64-bit number (exact up to 2^53, as counts are). */
  varint(): number {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Malformed();
      const b = this.buf[this.pos++] as number;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (b < 0x80) {
        lo >>>= 0;
        // Negative int64 arrive in two's complement.
        return hi & 0x80000000 ? -((~hi >>> 0) * TWO_32 + (~lo >>> 0) + 1) : (hi >>> 0) * TWO_32 + lo;
      }
    }
    throw new Malformed();
  }

  /** The bounds of a length-delimited field's body; the reader moves past it. */
  lengthDelimited(): [number, number] {
    const len = this.varint();
    if (len < 0 || len > this.end - this.pos) throw new Malformed();
    const start = this.pos;
    this.pos += len;
    return [start, this.pos];
  }

  /** Skips a field of the given wire type (groups and unknown wire types are malformed). */
  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.advance(8);
        return;
      case 2:
        this.lengthDelimited();
        return;
      case 5:
        this.advance(4);
        return;
      default:
        throw new Malformed();
    }
  }

  private advance(n: number): void {
    if (n > this.end - this.pos) throw new Malformed();
    this.pos += n;
  }

  /** The next tag as `[fieldNumber, wireType]`. */
  tag(): [number, number] {
    const tag = this.varint();
    const field = Math.floor(tag / 8);
    if (field < 1 || tag > 0xffffffff) throw new Malformed();
    return [field, tag & 7];
  }

  text(start: number, end: number): string {
    return utf8.decode(this.buf.subarray(start, end));
  }
}

// Not fatal: a message with a bad byte is still worth logging, with U+FFFD in its place.
const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

type BodyKind = 'json' | 'protobuf';

/** The body's encoding: from the content type when it names one, otherwise by its first byte. */
function bodyKind(body: Uint8Array, contentType: string | undefined): BodyKind {
  const type = contentType?.toLowerCase() ?? '';
  if (type.includes('json')) return 'json';
  if (type.includes('protobuf')) return 'protobuf';
  for (const b of body) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    return b === 0x7b ? 'json' : 'protobuf'; // '{'
  }
  return 'protobuf';
}

function parseJsonObject(body: Uint8Array): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(utf8.decode(body));
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON int64: the spec writes it as a decimal string, lenient readers also send a number. */
function jsonInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) return Number(value);
  return undefined;
}

function toPartialSuccess(rejectedSpans: number, errorMessage: string): OtlpPartialSuccess | undefined {
  // A negative count means nothing; an all-default partial_success is a full success.
  const rejected = rejectedSpans > 0 ? rejectedSpans : 0;
  return rejected === 0 && errorMessage === '' ? undefined : { rejectedSpans: rejected, errorMessage };
}

/**
 * Reads `partial_success` from an OTLP `ExportTraceServiceResponse` body (protobuf or JSON).
 *
 * @param body the response body of a successful (2xx) export.
 * @param contentType the response's `Content-Type`; when absent or neither JSON nor protobuf,
 *   the body's first byte decides (`{` → JSON).
 * @returns the rejected span count and the receiver's message, or `undefined` when the receiver
 *   reported nothing (empty body, no `partial_success`, or one with 0 rejected spans and no
 *   message — a full success by the spec) or the body cannot be read. Never throws.
 */
export function decodeExportResponse(body: Uint8Array, contentType: string | undefined): OtlpPartialSuccess | undefined {
  if (body.length === 0) return undefined;
  if (bodyKind(body, contentType) === 'json') {
    const response = parseJsonObject(body);
    const partial = response?.partialSuccess ?? response?.partial_success;
    if (!isObject(partial)) return undefined;
    const rejected = jsonInteger(partial.rejectedSpans ?? partial.rejected_spans ?? 0);
    const message = partial.errorMessage ?? partial.error_message ?? '';
    if (rejected === undefined || typeof message !== 'string') return undefined;
    return toPartialSuccess(rejected, message);
  }
  try {
    const response = new Reader(body, 0, body.length);
    let found = false;
    let rejected = 0;
    let message = '';
    while (response.pos < response.end) {
      const [field, wireType] = response.tag();
      if (field !== 1) {
        response.skip(wireType);
        continue;
      }
      if (wireType !== 2) throw new Malformed();
      found = true;
      // Repeated occurrences of a message field merge, so later scalars win.
      const [start, end] = response.lengthDelimited();
      const partial = new Reader(body, start, end);
      while (partial.pos < partial.end) {
        const [f, wt] = partial.tag();
        if (f === 1 && wt === 0) rejected = partial.varint();
        else if (f === 2 && wt === 2) {
          const [s, e] = partial.lengthDelimited();
          message = partial.text(s, e);
        } else if (f === 1 || f === 2) throw new Malformed();
        else partial.skip(wt);
      }
    }
    return found ? toPartialSuccess(rejected, message) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads the `message` of a `google.rpc.Status` error body (protobuf or JSON), which the OTLP spec
 * says 4xx and 5xx responses carry.
 *
 * @param body the error response body.
 * @param contentType the response's `Content-Type` (see `decodeExportResponse`).
 * @returns the message, or `undefined` when it is absent or empty or the body cannot be read
 *   (an HTML page from a proxy, truncated bytes…). Never throws.
 */
export function decodeStatusMessage(body: Uint8Array, contentType: string | undefined): string | undefined {
  if (body.length === 0) return undefined;
  if (bodyKind(body, contentType) === 'json') {
    const message = parseJsonObject(body)?.message;
    return typeof message === 'string' && message !== '' ? message : undefined;
  }
  try {
    const status = new Reader(body, 0, body.length);
    let message = '';
    while (status.pos < status.end) {
      const [field, wireType] = status.tag();
      if (field !== 2) {
        status.skip(wireType);
        continue;
      }
      if (wireType !== 2) throw new Malformed();
      const [start, end] = status.lengthDelimited();
      message = status.text(start, end);
    }
    return message !== '' ? message : undefined;
  } catch {
    return undefined;
  }
}
