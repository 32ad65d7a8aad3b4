// A small protobuf wire-format writer for the OTLP encoders.
//
// Why hand-written: the OpenTelemetry JS encoders (`@opentelemetry/otlp-transformer` over
// protobufjs) first build an intermediate object graph per span (hex → bytes copies, `Long`
// bits, one object per attribute and value), then walk it again with a fork/ldelim writer that
// allocates a node per field; that costs several µs per span and a lot of garbage. We encode our
// own fixed schema (see `span-model.ts`) straight from the span model into one growable buffer.
// The output is checked field by field against the official generated definitions in
// `test/otlp-encoding.test.ts`, so "hand-written" does not mean "unchecked".
//
// Nested message lengths: we reserve the number of length bytes we expect the message to need,
// write the body, then backpatch the length; in the rare case the guess was wrong the body is
// moved with one `copyWithin` so the output stays canonical (minimal varints). Measured on the
// typical 15-attribute span: reserve/backpatch costs ~3% of encoding time in a CPU profile, while a
// size-first pass alone (one more walk, counting every string's UTF-8 bytes) costs ~35% of a whole
// single-pass encode, before it has written a byte.

/** Protobuf wire types. */
export const WireType = {
  VARINT: 0,
  I64: 1,
  LEN: 2,
  I32: 5,
} as const;

const TWO_32 = 4294967296;

// Strings up to this many UTF-16 units are encoded by a JS loop; longer ones by the native UTF-8
// encoder, whose call overhead only pays off on longer input.
const NATIVE_STRING_THRESHOLD = 64;

// Raw copies up to this many bytes are done by a JS loop, longer ones by TypedArray#set.
const RAW_LOOP_LIMIT = 16;

// Larger scratch buffers are dropped after use so one huge batch does not pin memory for ever.
const MAX_RETAINED_CAPACITY = 4 * 1024 * 1024;

/** Hex digit → value, 0 for anything else; upper case accepted so a sloppy id still encodes. */
const HEX_VALUE: Uint8Array = (() => {
  const table = new Uint8Array(128);
  for (let i = 0; i < 10; i++) table[48 + i] = i;
  for (let i = 0; i < 6; i++) {
    table[97 + i] = 10 + i;
    table[65 + i] = 10 + i;
  }
  return table;
})();

/**
 * The value of one hex digit given its UTF-16 code unit, or 0 when it is not a hex digit.
 * Invalid ids are a bug of the producer; mapping bad digits to 0 keeps the encoders total (they
 * never throw on the export path) and both encoders use this same rule, so protobuf and JSON
 * still carry identical bytes.
 */
export function hexDigitValue(code: number): number {
  return code < 128 ? (HEX_VALUE[code] as number) : 0;
}

/** Number of bytes of the minimal varint encoding of an unsigned 32-bit value. */
export function varintSize32(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

/**
 * Converts epoch seconds (microsecond precision, as X-Ray keeps them) to whole microseconds.
 *
 * `Math.round(seconds * 1e6)` alone can miss by one for dates after ~2100: the multiplication
 * rounds again and the double's spacing approaches 1 µs. When the input is the double nearest to
 * some whole microsecond (always the case for X-Ray times), that microsecond `u` satisfies
 * `u / 1e6 === seconds` (division is correctly rounded), so we check the neighbours.
 * Non-finite or negative times have no fixed64 representation; they become 0 (field omitted).
 */
export function secondsToMicros(seconds: number): number {
  if (!(seconds > 0) || seconds === Infinity) return 0;
  const us = Math.round(seconds * 1e6);
  if (us / 1e6 === seconds) return us;
  if ((us - 1) / 1e6 === seconds) return us - 1;
  if ((us + 1) / 1e6 === seconds) return us + 1;
  return us;
}

/**
 * A growable protobuf writer over one `Uint8Array`.
 *
 * All positions are plain indices, so growing (which replaces the buffer) never invalidates a
 * reservation made by {@link ProtobufWriter.beginLength}.
 */
export class ProtobufWriter {
  /** The backing buffer; bytes `[0, pos)` are the output so far. */
  buf: Uint8Array;
  /** Write position. */
  pos = 0;
  private view: DataView;
  private readonly encoder = new TextEncoder();

  /** @param initialCapacity bytes allocated up front; the buffer doubles when full. */
  constructor(initialCapacity = 64 * 1024) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  /** Empties the writer for reuse, dropping an oversized buffer. */
  reset(): void {
    this.pos = 0;
    if (this.buf.length > MAX_RETAINED_CAPACITY) {
      this.buf = new Uint8Array(64 * 1024);
      this.view = new DataView(this.buf.buffer);
    }
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.grow(n);
  }

  // Kept out of `ensure` so the hot check stays small enough to inline.
  private grow(n: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Writes one raw byte (a precomputed single-byte tag, a bool). */
  byte(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value;
  }

  /** Writes a field tag. */
  tag(fieldNumber: number, wireType: number): void {
    this.uint32(((fieldNumber << 3) | wireType) >>> 0);
  }

  /** Writes an unsigned 32-bit varint. */
  uint32(value: number): void {
    this.ensure(5);
    const buf = this.buf;
    let pos = this.pos;
    let v = value >>> 0;
    while (v > 0x7f) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  /** Writes a 64-bit varint given its low and high 32 bits (both taken as unsigned). */
  varint64(lo: number, hi: number): void {
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    let l = lo >>> 0;
    let h = hi >>> 0;
    // Low 28 bits are emitted from `lo` alone, then the 4 bits that straddle both halves.
    while (h > 0 || l > 0x7f) {
      buf[pos++] = (l & 0x7f) | 0x80;
      l = ((l >>> 7) | (h << 25)) >>> 0;
      h >>>= 7;
    }
    buf[pos++] = l;
    this.pos = pos;
  }

  /**
   * Writes a safe integer as an `int64` varint: negatives in two's complement (10 bytes), as
   * protobuf requires for `int64` (not zigzag, which is `sint64`).
   */
  int64(value: number): void {
    if (value >= 0 && value < TWO_32) {
      this.uint32(value);
      return;
    }
    const hi = Math.floor(value / TWO_32);
    const lo = value - hi * TWO_32;
    this.varint64(lo, hi);
  }

  /** Writes a little-endian fixed32. */
  fixed32(value: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
  }

  /** Writes a little-endian fixed64 given its low and high 32 bits. */
  fixed64(lo: number, hi: number): void {
    this.ensure(8);
    this.view.setUint32(this.pos, lo >>> 0, true);
    this.view.setUint32(this.pos + 4, hi >>> 0, true);
    this.pos += 8;
  }

  /**
   * Writes whole microseconds as a fixed64 count of nanoseconds. Nanoseconds exceed 2^53 for
   * any current date, so the product is formed in two 32-bit halves, each exact in a double.
   */
  fixed64MicrosAsNanos(micros: number): void {
    const usHi = Math.floor(micros / TWO_32);
    const lowNanos = (micros - usHi * TWO_32) * 1000; // < 2^42, exact
    const carry = Math.floor(lowNanos / TWO_32);
    this.fixed64(lowNanos - carry * TWO_32, usHi * 1000 + carry);
  }

  /** Writes a little-endian IEEE 754 double (NaN and ±Infinity included). */
  double(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  /**
   * Reserves `reserved` bytes for the length of a message about to be written and returns the
   * position where its body starts; pair with {@link ProtobufWriter.endLength}.
   */
  beginLength(reserved: number): number {
    this.ensure(reserved);
    this.pos += reserved;
    return this.pos;
  }

  /**
   * Backpatches the length of the body written since {@link ProtobufWriter.beginLength}. When the
   * reservation was not the minimal varint size the body is moved, so output stays canonical.
   */
  endLength(start: number, reserved: number): void {
    const len = this.pos - start;
    const need = varintSize32(len);
    let at = start - reserved;
    if (need !== reserved) {
      if (need > reserved) this.ensure(need - reserved);
      this.buf.copyWithin(at + need, start, this.pos);
      this.pos += need - reserved;
    }
    const buf = this.buf;
    let v = len;
    while (v > 0x7f) {
      buf[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[at] = v;
  }

  /**
   * Writes a length-delimited UTF-8 string (without tag). Lone surrogates become U+FFFD, as the
   * WHATWG encoder (`TextEncoder`, `Buffer`) does: protobuf `string` must be valid UTF-8, and
   * receivers written in Go reject a request that is not.
   */
  string(value: string): void {
    const n = value.length;
    if (n > NATIVE_STRING_THRESHOLD) {
      this.longString(value);
      return;
    }
    this.ensure(2 + n * 3);
    const buf = this.buf;
    // Fast path, the common case: ASCII, so the byte length is `n` (< 128) and known up front.
    const start = this.pos + 1;
    let i = 0;
    for (; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x80) break;
      buf[start + i] = c;
    }
    if (i === n) {
      buf[this.pos] = n;
      this.pos = start + n;
      return;
    }
    this.pos = this.utf8Tail(value, i, start);
  }

  /**
   * Finishes a short string that is not pure ASCII: `value[0, i)` is already at `start`, with one
   * length byte reserved before it; returns the new position after backpatching the length.
   */
  private utf8Tail(value: string, from: number, start: number): number {
    const buf = this.buf;
    const n = value.length;
    let pos = start + from;
    for (let i = from; i < n; i++) {
      let c = value.charCodeAt(i);
      if (c < 0x80) {
        buf[pos++] = c;
      } else if (c < 0x800) {
        buf[pos++] = 0xc0 | (c >> 6);
        buf[pos++] = 0x80 | (c & 0x3f);
      } else {
        if (c >= 0xd800 && c <= 0xdfff) {
          const next = i + 1 < n ? value.charCodeAt(i + 1) : 0;
          if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
            c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
            i++;
            buf[pos++] = 0xf0 | (c >> 18);
            buf[pos++] = 0x80 | ((c >> 12) & 0x3f);
            buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
            buf[pos++] = 0x80 | (c & 0x3f);
            continue;
          }
          c = 0xfffd;
        }
        buf[pos++] = 0xe0 | (c >> 12);
        buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
        buf[pos++] = 0x80 | (c & 0x3f);
      }
    }
    // ≤ 64 units → ≤ 192 bytes: at most one extra length byte, moved in by endLength.
    this.pos = pos;
    this.endLength(start, 1);
    return this.pos;
  }

  private longString(value: string): void {
    const max = value.length * 3;
    const reserved = varintSize32(max);
    this.ensure(reserved + max);
    const start = this.pos + reserved;
    const { written } = this.encoder.encodeInto(value, this.buf.subarray(start, start + max));
    this.pos = start + written;
    this.endLength(start, reserved);
  }

  /**
   * Writes a hex id as a length-delimited `bytes` value (without tag): `len / 2` bytes, a bad
   * digit counting as 0 (see {@link hexDigitValue}).
   */
  hexBytes(hex: string): void {
    const n = hex.length >> 1;
    this.ensure(5 + n);
    this.uint32(n);
    const buf = this.buf;
    let pos = this.pos;
    const table = HEX_VALUE;
    for (let i = 0; i < n; i++) {
      const a = hex.charCodeAt(2 * i);
      const b = hex.charCodeAt(2 * i + 1);
      buf[pos++] = ((a < 128 ? (table[a] as number) : 0) << 4) | (b < 128 ? (table[b] as number) : 0);
    }
    this.pos = pos;
  }

  /** Copies raw bytes (a pre-encoded field). */
  raw(bytes: Uint8Array): void {
    const n = bytes.length;
    this.ensure(n);
    const buf = this.buf;
    const pos = this.pos;
    // A loop beats TypedArray#set's call overhead for the few bytes of a key; a whole cached
    // attribute (20–60 bytes) is copied faster by set's memcpy.
    if (n > RAW_LOOP_LIMIT) buf.set(bytes, pos);
    else for (let i = 0; i < n; i++) buf[pos + i] = bytes[i] as number;
    this.pos = pos + n;
  }

  /** A copy of the bytes written so far (the writer may then be reset and reused). */
  finish(): Uint8Array {
    // Not zero-filled: every byte is overwritten at once, and zeroing a large batch is measurable.
    const out = Buffer.allocUnsafeSlow(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  }
}
