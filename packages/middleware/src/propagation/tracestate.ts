/**
 * The W3C Trace Context `tracestate` header: vendor entries that travel with `traceparent`. We
 * add no entry of our own; we keep the caller's entries, in order, and forward them.
 */

import { trimOws } from './ows.js';

/** The header name, lower-case as the spec asks senders to write it. */
export const TRACESTATE_HEADER = 'tracestate';

/** One list-member: `key=value`. */
export type TraceStateEntry = readonly [key: string, value: string];

/** The spec's limit on list-members. */
export const MAX_TRACESTATE_MEMBERS = 32;
/**
 * The longest combined value we forward (commas included). The spec asks to propagate at least
 * 512 characters and to document the limit: 512 is ours (the OpenTelemetry SDKs use the same).
 */
export const MAX_TRACESTATE_LENGTH = 512;
/** Entries longer than this go first when the value has to be truncated (the spec's rule). */
const LONG_ENTRY = 128;
// A header larger than this is not trace context but an attack or an accident: ignored whole.
const MAX_HEADER_LENGTH = 8192;

// Level 2 grammar: key = ( lcalpha / DIGIT ) 0*255( keychar ), keychar adds "_-*/@". It accepts
// every Level 1 key (simple and tenant@system forms) and is what receivers now check.
const KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
// value = 0*255( chr ) nblk-chr; chr = SP / nblk-chr; nblk-chr = printable ASCII but "," and "=".
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/** True when `key` is a valid `tracestate` key. */
export function isTraceStateKey(key: string): boolean {
  return KEY.test(key);
}

/** True when `value` is a valid `tracestate` value (1–256 printable characters, no `,` `=`, no trailing space). */
export function isTraceStateValue(value: string): boolean {
  return VALUE.test(value);
}

/**
 * Parses `tracestate`. Never throws, never returns a character the grammar does not allow.
 * Several header values are combined with `,` as the spec requires. Spaces and tabs around
 * members and empty members are skipped. An invalid member is dropped on its own, the others are
 * kept in order (failing to parse one vendor's entry must not cost the other vendors theirs); a
 * key seen a second time is dropped (the spec allows it: the leftmost entry is the most recent).
 * At most 32 members are kept, then the value is truncated to {@link MAX_TRACESTATE_LENGTH} by the
 * spec's rule, so what is returned is exactly what is forwarded. Parse it only together with a
 * valid `traceparent`.
 */
export function parseTracestate(value: string | readonly string[] | undefined | null): TraceStateEntry[] {
  const raw = typeof value === 'string' ? value : Array.isArray(value) ? value.filter((v) => typeof v === 'string').join(',') : '';
  if (raw.length === 0 || raw.length > MAX_HEADER_LENGTH) return [];
  const entries: TraceStateEntry[] = [];
  const seen = new Set<string>();
  for (const part of raw.split(',')) {
    const member = trimOws(part);
    if (member.length === 0) continue;
    const eq = member.indexOf('=');
    if (eq <= 0) continue;
    const key = member.slice(0, eq);
    const val = member.slice(eq + 1);
    if (!isTraceStateKey(key) || !isTraceStateValue(val) || seen.has(key)) continue;
    seen.add(key);
    entries.push([key, val]);
    if (entries.length === MAX_TRACESTATE_MEMBERS) break;
  }
  return truncateTracestate(entries);
}

/**
 * Formats entries as a `tracestate` value (`k1=v1,k2=v2`). Invalid and repeated keys are left
 * out, then the spec's limits apply (32 members, {@link MAX_TRACESTATE_LENGTH} characters).
 * Returns undefined when nothing is left: the spec asks not to send an empty header.
 */
export function formatTracestate(entries: ReadonlyArray<TraceStateEntry>): string | undefined {
  const valid: TraceStateEntry[] = [];
  const seen = new Set<string>();
  for (const [key, val] of entries) {
    if (typeof key !== 'string' || typeof val !== 'string' || !isTraceStateKey(key) || !isTraceStateValue(val) || seen.has(key)) continue;
    seen.add(key);
    valid.push([key, val]);
    if (valid.length === MAX_TRACESTATE_MEMBERS) break;
  }
  const kept = truncateTracestate(valid);
  return kept.length === 0 ? undefined : kept.map(([k, v]) => `${k}=${v}`).join(',');
}

/**
 * Re-validates a `tracestate` value: the same value when it is already what we would forward,
 * the cleaned-up one otherwise, undefined when nothing valid is left.
 */
export function normaliseTracestate(value: string | undefined): string | undefined {
  if (value === undefined || value.length === 0) return undefined;
  return formatTracestate(parseTracestate(value));
}

/**
 * Applies the spec's truncation rule when the combined value would exceed
 * {@link MAX_TRACESTATE_LENGTH}: whole entries only, entries longer than 128 characters first,
 * then entries from the end. Order is kept.
 */
export function truncateTracestate(entries: ReadonlyArray<TraceStateEntry>): TraceStateEntry[] {
  let length = combinedLength(entries);
  if (length <= MAX_TRACESTATE_LENGTH) return [...entries];
  const kept = [...entries];
  for (let i = kept.length - 1; i >= 0 && length > MAX_TRACESTATE_LENGTH; i--) {
    const size = entrySize(kept[i] as TraceStateEntry);
    if (size > LONG_ENTRY) {
      kept.splice(i, 1);
      length -= size + (kept.length > 0 ? 1 : 0);
    }
  }
  while (length > MAX_TRACESTATE_LENGTH && kept.length > 0) {
    const last = kept.pop() as TraceStateEntry;
    length -= entrySize(last) + (kept.length > 0 ? 1 : 0);
  }
  return kept;
}

function entrySize([key, value]: TraceStateEntry): number {
  return key.length + 1 + value.length;
}

function combinedLength(entries: ReadonlyArray<TraceStateEntry>): number {
  let total = entries.length > 0 ? entries.length - 1 : 0;
  for (const entry of entries) total += entrySize(entry);
  return total;
}
