import { randomFillSync } from 'node:crypto';

// Ids are drawn from a pooled buffer of cryptographic random bytes: trace ids show up in response
// headers, so they must not be guessable, yet a syscall per id would cost more than the rest of a
// request's tracing. One 8 KiB refill serves 1,024 entity ids.
const POOL_SIZE = 8192;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function randomHex(bytes: number): string {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  let out = '';
  for (let i = 0; i < bytes; i++) out += HEX[pool[offset + i] as number];
  offset += bytes;
  return out;
}

/** A new 16-hex-digit segment, subsegment or exception id (64 random bits). */
export function newEntityId(): string {
  return randomHex(8);
}

/**
 * A new X-Ray trace id: `1-<8 hex epoch seconds>-<24 hex random>`.
 * @param epochSeconds - the trace's start time; defaults to now.
 */
export function newTraceId(epochSeconds: number = Date.now() / 1000): string {
  return `1-${Math.floor(epochSeconds).toString(16).padStart(8, '0')}-${randomHex(12)}`;
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
