/**
 * The W3C Trace Context `traceparent` header (https://www.w3.org/TR/trace-context/): parsing that
 * follows the spec's rules for version 00 and for future versions, and strict formatting of
 * version 00.
 */

import { trimOws } from './ows.js';

/** The header name, lower-case as the spec asks senders to write it. */
export const TRACEPARENT_HEADER = 'traceparent';

/** A parsed `traceparent`. */
export interface Traceparent {
  /** Two lower-case hex digits; `00` today, anything but `ff` accepted. */
  version: string;
  /** 32 lower-case hex digits, not all zero. */
  traceId: string;
  /** The caller's span id: 16 lower-case hex digits, not all zero. */
  parentId: string;
  /** The 8-bit `trace-flags` field as received. */
  flags: number;
  /** Bit 0 of the flags: the caller may have recorded the trace. */
  sampled: boolean;
}

/** What {@link formatTraceparent} writes. */
export interface TraceparentFields {
  /** 32 lower-case hex digits, not all zero. */
  traceId: string;
  /** 16 lower-case hex digits, not all zero: the id of the span (segment or subsegment) making the call. */
  parentId: string;
  /** Written as flags `01`; otherwise `00`. */
  sampled: boolean;
}

/** The `sampled` bit of `trace-flags`. */
export const FLAG_SAMPLED = 0x01;

// Version 00 is exactly 55 characters: "00-" + 32 + "-" + 16 + "-" + 2.
const V00_LENGTH = 55;
// Beyond this a value is not a trace context but an accident or an attack: never scanned.
const MAX_LENGTH = 512;
const HEX2 = /^[0-9a-f]{2}$/;
const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/** True for 32 lower-case hex digits that are not all zero (a valid W3C trace id). */
export function isW3cTraceId(value: string): boolean {
  return value.length === 32 && TRACE_ID.test(value) && value !== ZERO_TRACE_ID;
}

/** True for 16 lower-case hex digits that are not all zero (a valid W3C span id). */
export function isW3cSpanId(value: string): boolean {
  return value.length === 16 && SPAN_ID.test(value) && value !== ZERO_SPAN_ID;
}

/**
 * Parses a `traceparent` value. Never throws; returns undefined for anything the spec says to
 * ignore (the caller then starts a new trace):
 * - a version that is not two lower-case hex digits, or `ff`;
 * - version 00 with any length other than 55 (trailing data is not allowed in 00);
 * - a higher version shorter than 55, or whose 55th character is followed by anything but `-`
 *   (the spec's rule for future versions: read the first four fields, ignore the rest);
 * - an upper-case, short, long or all-zero trace id or parent id; flags that are not two
 *   lower-case hex digits.
 *
 * Optional whitespace around the value (HTTP OWS) is ignored. Several header values (a repeated
 * header, given as an array or joined with `,` by Node) are invalid: two contexts cannot both be
 * the parent.
 */
export function parseTraceparent(value: string | readonly string[] | undefined | null): Traceparent | undefined {
  let raw: unknown = value;
  if (Array.isArray(value)) raw = value.length === 1 ? value[0] : undefined;
  if (typeof raw !== 'string' || raw.length < V00_LENGTH || raw.length > MAX_LENGTH) return undefined;
  const text = trimOws(raw);
  if (text.length < V00_LENGTH) return undefined;
  const version = text.slice(0, 2);
  if (!HEX2.test(version) || version === 'ff') return undefined;
  if (version === '00' ? text.length !== V00_LENGTH : text.length > V00_LENGTH && text[V00_LENGTH] !== '-') return undefined;
  if (text[2] !== '-' || text[35] !== '-' || text[52] !== '-') return undefined;
  const traceId = text.slice(3, 35);
  const parentId = text.slice(36, 52);
  const flagsText = text.slice(53, 55);
  if (!isW3cTraceId(traceId) || !isW3cSpanId(parentId) || !HEX2.test(flagsText)) return undefined;
  const flags = Number.parseInt(flagsText, 16);
  return { version, traceId, parentId, flags, sampled: (flags & FLAG_SAMPLED) === FLAG_SAMPLED };
}

/**
 * Formats a version-00 `traceparent`: `00-<trace id>-<parent id>-<01|00>`. Only the sampled flag is
 * written: the spec asks senders to leave undefined flags at zero, and X-Ray trace ids start with
 * a timestamp, so the Level 2 `random-trace-id` flag would be a lie. Returns undefined (rather than
 * an invalid header) when an id is not valid.
 */
export function formatTraceparent(fields: TraceparentFields): string | undefined {
  if (!isW3cTraceId(fields.traceId) || !isW3cSpanId(fields.parentId)) return undefined;
  return `00-${fields.traceId}-${fields.parentId}-${fields.sampled ? '01' : '00'}`;
}
