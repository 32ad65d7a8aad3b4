import { randomFillSync } from 'node:crypto';

// Ids are drawn from a pooled buffer of cryptographic random bytes: trace ids show up in response
// headers, so they must not be guessable, yet a syscall per id would cost more than the rest of a
// request's tracing. One 8 KiB refill serves 1,024 entity ids.
const POOL_SIZE = 8192;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

// The two hex digits of each byte as character codes: an id is made by one `String.fromCharCode`
// call, a flat string at once (concatenating digit pairs builds a rope that is flattened later).
const HIGH = new Uint8Array(256);
const LOW = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  const digits = i.toString(16).padStart(2, '0');
  HIGH[i] = digits.charCodeAt(0);
  LOW[i] = digits.charCodeAt(1);
}
const hi = (byte: number | undefined): number => HIGH[byte as number] as number;
const lo = (byte: number | undefined): number => LOW[byte as number] as number;

function take(bytes: number): number {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const at = offset;
  offset += bytes;
  return at;
}

function randomHex8(): string {
  const p = pool;
  const o = take(8);
  return String.fromCharCode(
    hi(p[o]), lo(p[o]), hi(p[o + 1]), lo(p[o + 1]), hi(p[o + 2]), lo(p[o + 2]), hi(p[o + 3]), lo(p[o + 3]),
    hi(p[o + 4]), lo(p[o + 4]), hi(p[o + 5]), lo(p[o + 5]), hi(p[o + 6]), lo(p[o + 6]), hi(p[o + 7]), lo(p[o + 7]),
  );
}

function randomHex12(): string {
  const p = pool;
  const o = take(12);
  return String.fromCharCode(
    hi(p[o]), lo(p[o]), hi(p[o + 1]), lo(p[o + 1]), hi(p[o + 2]), lo(p[o + 2]), hi(p[o + 3]), lo(p[o + 3]),
    hi(p[o + 4]), lo(p[o + 4]), hi(p[o + 5]), lo(p[o + 5]), hi(p[o + 6]), lo(p[o + 6]), hi(p[o + 7]), lo(p[o + 7]),
    hi(p[o + 8]), lo(p[o + 8]), hi(p[o + 9]), lo(p[o + 9]), hi(p[o + 10]), lo(p[o + 10]), hi(p[o + 11]), lo(p[o + 11]),
  );
}

// Trace ids of one second share their `1-<epoch>-` prefix: built once per second, not per id.
let prefixSecond = -1;
let prefix = '';

/** A new 16-hex-digit segment, subsegment or exception id (64 random bits). */
export function newEntityId(): string {
  return randomHex8();
}

/**
 * A new X-Ray trace id: `1-<8 hex epoch seconds>-<24 hex random>`.
 * @param epochSeconds - the trace's start time; defaults to now.
 */
export function newTraceId(epochSeconds: number = Date.now() / 1000): string {
  const second = Math.floor(epochSeconds);
  if (second !== prefixSecond) {
    prefixSecond = second;
    prefix = `1-${second.toString(16).padStart(8, '0')}-`;
  }
  return prefix + randomHex12();
}

const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const ENTITY_ID = /^[0-9a-f]{16}$/;

/** True when `value` is a well-formed X-Ray trace id (lower-case hex, 35 characters). */
export function isTraceId(value: string): boolean {
  return value.length === 35 && TRACE_ID.test(value);
}

/** True when `value` is a 16-lower-case-hex-digit entity id. */
export function isEntityId(value: string): boolean {
  return value.length === 16 && ENTITY_ID.test(value);
}
