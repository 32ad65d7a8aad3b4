// OTLP/HTTP protobuf request body: `opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest`
// written straight from the span model (why by hand: see protobuf-writer.ts).
//
// Field numbers are those of opentelemetry-proto (trace/v1/trace.proto, common/v1/common.proto,
// resource/v1/resource.proto, collector/trace/v1/trace_service.proto); tags below are
// precomputed `(field << 3) | wireType` bytes. Fields at their proto3 default (0, "", empty
// list, empty message) are omitted, except inside `AnyValue`, whose oneof has presence: an empty
// string or `false` value is still written so the receiver sees which kind it is.

import { ProtobufWriter, secondsToMicros } from './protobuf-writer.js';
import type { OtlpAttribute, OtlpEvent, OtlpLink, OtlpResourceSpans, OtlpSpan, OtlpValue } from './span-model.js';

// ExportTraceServiceRequest
const REQUEST_RESOURCE_SPANS = 0x0a; // 1, LEN
// ResourceSpans
const RESOURCE_SPANS_RESOURCE = 0x0a; // 1, LEN
const RESOURCE_SPANS_SCOPE_SPANS = 0x12; // 2, LEN
// Resource
const RESOURCE_ATTRIBUTES = 0x0a; // 1, LEN
// ScopeSpans
const SCOPE_SPANS_SCOPE = 0x0a; // 1, LEN
const SCOPE_SPANS_SPANS = 0x12; // 2, LEN
// InstrumentationScope
const SCOPE_NAME = 0x0a; // 1, LEN
const SCOPE_VERSION = 0x12; // 2, LEN
// Span
const SPAN_TRACE_ID = 0x0a; // 1, LEN
const SPAN_SPAN_ID = 0x12; // 2, LEN
const SPAN_TRACE_STATE = 0x1a; // 3, LEN
const SPAN_PARENT_SPAN_ID = 0x22; // 4, LEN
const SPAN_NAME = 0x2a; // 5, LEN
const SPAN_KIND = 0x30; // 6, VARINT
const SPAN_START_TIME = 0x39; // 7, I64
const SPAN_END_TIME = 0x41; // 8, I64
const SPAN_ATTRIBUTES = 0x4a; // 9, LEN
const SPAN_EVENTS = 0x5a; // 11, LEN
const SPAN_LINKS = 0x6a; // 13, LEN
const SPAN_STATUS = 0x7a; // 15, LEN
const SPAN_FLAGS_TAG_0 = 0x85; // 16, I32 → varint tag 133 = 0x85 0x01
const SPAN_FLAGS_TAG_1 = 0x01;
// Span.Event
const EVENT_TIME = 0x09; // 1, I64
const EVENT_NAME = 0x12; // 2, LEN
const EVENT_ATTRIBUTES = 0x1a; // 3, LEN
// Span.Link
const LINK_TRACE_ID = 0x0a; // 1, LEN
const LINK_SPAN_ID = 0x12; // 2, LEN
const LINK_TRACE_STATE = 0x1a; // 3, LEN
const LINK_ATTRIBUTES = 0x22; // 4, LEN
// Status
const STATUS_MESSAGE = 0x12; // 2, LEN
const STATUS_CODE = 0x18; // 3, VARINT
// KeyValue
const KV_KEY = 0x0a; // 1, LEN
const KV_VALUE = 0x12; // 2, LEN
// AnyValue
const ANY_STRING = 0x0a; // 1, LEN
const ANY_BOOL = 0x10; // 2, VARINT
const ANY_INT = 0x18; // 3, VARINT
const ANY_DOUBLE = 0x21; // 4, I64
const ANY_ARRAY = 0x2a; // 5, LEN
// ArrayValue
const ARRAY_VALUES = 0x0a; // 1, LEN

// Length bytes reserved per nested message: the size each usually needs, so backpatching rarely
// has to move a body (a 15-attribute span is a few hundred bytes; a batch's ScopeSpans < 2 MiB).
const RESERVE_OUTER = 3;
const RESERVE_SPAN = 2;
const RESERVE_SMALL = 1;

// Attribute keys come from a small, fixed vocabulary (semantic conventions, annotation names), so
// their encoded `KeyValue.key` field (tag, length, UTF-8) is kept and copied instead of being
// re-encoded for every span. Bounded: past the limit, new keys are simply encoded each time.
const KEY_CACHE_LIMIT = 1024;
const keyCache = new Map<string, Uint8Array>();
const keyWriter = new ProtobufWriter(256);

function encodedKey(key: string): Uint8Array | undefined {
  let bytes = keyCache.get(key);
  if (bytes === undefined && keyCache.size < KEY_CACHE_LIMIT && key.length <= 128) {
    keyWriter.reset();
    keyWriter.byte(KV_KEY);
    keyWriter.string(key);
    bytes = keyWriter.buf.slice(0, keyWriter.pos);
    keyCache.set(key, bytes);
  }
  return bytes;
}

// One scratch writer reused across calls: encoding is synchronous, so calls cannot interleave,
// and a warm buffer avoids growing from scratch for every batch. `finish()` copies the result.
const scratch = new ProtobufWriter();

/**
 * Encodes spans as an OTLP `ExportTraceServiceRequest` protobuf message (the body of an
 * OTLP/HTTP `application/x-protobuf` request to `/v1/traces`).
 *
 * Times (epoch seconds) are written as fixed64 nanoseconds exact to the microsecond; ids (hex)
 * as bytes; safe integers as `int_value`, other numbers and `{ double }` as `double_value`.
 * Never throws for any value the types allow.
 *
 * @param resourceSpans spans grouped by resource, one scope each.
 * @returns a new `Uint8Array` the caller owns.
 */
export function encodeTraceRequestProtobuf(resourceSpans: readonly OtlpResourceSpans[]): Uint8Array {
  const w = scratch;
  w.reset();
  writeTraceRequestProtobuf(w, resourceSpans);
  const out = w.finish();
  w.reset();
  return out;
}

/**
 * Writes the `ExportTraceServiceRequest` of {@link encodeTraceRequestProtobuf} at the writer's
 * position, without copying it out: for a caller that owns a writer and consumes the bytes in
 * place (the exporter gzips them straight from the writer's buffer).
 */
export function writeTraceRequestProtobuf(w: ProtobufWriter, resourceSpans: readonly OtlpResourceSpans[]): void {
  for (const rs of resourceSpans) {
    w.byte(REQUEST_RESOURCE_SPANS);
    const rsStart = w.beginLength(RESERVE_OUTER);
    if (rs.resource.length > 0) {
      w.byte(RESOURCE_SPANS_RESOURCE);
      const start = w.beginLength(RESERVE_SPAN);
      writeAttributes(w, RESOURCE_ATTRIBUTES, rs.resource);
      w.endLength(start, RESERVE_SPAN);
    }
    w.byte(RESOURCE_SPANS_SCOPE_SPANS);
    const ssStart = w.beginLength(RESERVE_OUTER);
    const { name, version } = rs.scope;
    if (name !== '' || (version !== undefined && version !== '')) {
      w.byte(SCOPE_SPANS_SCOPE);
      const start = w.beginLength(RESERVE_SMALL);
      if (name !== '') {
        w.byte(SCOPE_NAME);
        w.string(name);
      }
      if (version !== undefined && version !== '') {
        w.byte(SCOPE_VERSION);
        w.string(version);
      }
      w.endLength(start, RESERVE_SMALL);
    }
    const spans = rs.spans;
    for (let i = 0; i < spans.length; i++) writeSpan(w, spans[i] as OtlpSpan);
    w.endLength(ssStart, RESERVE_OUTER);
    w.endLength(rsStart, RESERVE_OUTER);
  }
}

function writeSpan(w: ProtobufWriter, span: OtlpSpan): void {
  w.byte(SCOPE_SPANS_SPANS);
  const start = w.beginLength(RESERVE_SPAN);
  if (span.traceId.length >= 2) {
    w.byte(SPAN_TRACE_ID);
    w.hexBytes(span.traceId);
  }
  if (span.spanId.length >= 2) {
    w.byte(SPAN_SPAN_ID);
    w.hexBytes(span.spanId);
  }
  if (span.traceState !== undefined && span.traceState !== '') {
    w.byte(SPAN_TRACE_STATE);
    w.string(span.traceState);
  }
  if (span.parentSpanId !== undefined && span.parentSpanId.length >= 2) {
    w.byte(SPAN_PARENT_SPAN_ID);
    w.hexBytes(span.parentSpanId);
  }
  if (span.name !== '') {
    w.byte(SPAN_NAME);
    w.string(span.name);
  }
  if (span.kind !== 0) {
    w.byte(SPAN_KIND);
    w.uint32(span.kind);
  }
  const startUs = secondsToMicros(span.startTime);
  if (startUs !== 0) {
    w.byte(SPAN_START_TIME);
    w.fixed64MicrosAsNanos(startUs);
  }
  const endUs = secondsToMicros(span.endTime);
  if (endUs !== 0) {
    w.byte(SPAN_END_TIME);
    w.fixed64MicrosAsNanos(endUs);
  }
  writeSpanAttributes(w, span.kind, span.attributes);
  if (span.events !== undefined) for (const event of span.events) writeEvent(w, event);
  if (span.links !== undefined) for (const link of span.links) writeLink(w, link);
  const status = span.status;
  if (status !== undefined && (status.code !== 0 || (status.message !== undefined && status.message !== ''))) {
    w.byte(SPAN_STATUS);
    const statusStart = w.beginLength(RESERVE_SMALL);
    if (status.message !== undefined && status.message !== '') {
      w.byte(STATUS_MESSAGE);
      w.string(status.message);
    }
    if (status.code !== 0) {
      w.byte(STATUS_CODE);
      w.uint32(status.code);
    }
    w.endLength(statusStart, RESERVE_SMALL);
  }
  if (span.flags !== undefined && span.flags !== 0) {
    w.byte(SPAN_FLAGS_TAG_0);
    w.byte(SPAN_FLAGS_TAG_1);
    w.fixed32(span.flags);
  }
  w.endLength(start, RESERVE_SPAN);
}

function writeEvent(w: ProtobufWriter, event: OtlpEvent): void {
  w.byte(SPAN_EVENTS);
  const start = w.beginLength(RESERVE_SMALL);
  const us = secondsToMicros(event.time);
  if (us !== 0) {
    w.byte(EVENT_TIME);
    w.fixed64MicrosAsNanos(us);
  }
  if (event.name !== '') {
    w.byte(EVENT_NAME);
    w.string(event.name);
  }
  writeAttributes(w, EVENT_ATTRIBUTES, event.attributes);
  w.endLength(start, RESERVE_SMALL);
}

function writeLink(w: ProtobufWriter, link: OtlpLink): void {
  w.byte(SPAN_LINKS);
  const start = w.beginLength(RESERVE_SMALL);
  if (link.traceId.length >= 2) {
    w.byte(LINK_TRACE_ID);
    w.hexBytes(link.traceId);
  }
  if (link.spanId.length >= 2) {
    w.byte(LINK_SPAN_ID);
    w.hexBytes(link.spanId);
  }
  if (link.traceState !== undefined && link.traceState !== '') {
    w.byte(LINK_TRACE_STATE);
    w.string(link.traceState);
  }
  writeAttributes(w, LINK_ATTRIBUTES, link.attributes);
  w.endLength(start, RESERVE_SMALL);
}

// Most attributes of a service's spans repeat exactly (method, scheme, host, port, route, status,
// user agent…): the whole encoded `KeyValue` of a scalar value is kept per key and copied, instead
// of encoding the key and value and patching two lengths each time. Bounded per key (a URL path
// with ids in it stops being cached at the limit) and in total.
const VALUE_CACHE_PER_KEY = 64;
const VALUE_CACHE_KEYS = 256;
const MAX_CACHED_VALUE_LENGTH = 256;
const valueCache = new Map<string, Map<string | number | boolean, Uint8Array>>();
const valueWriter = new ProtobufWriter(1024);

function encodedKeyValue(tag: number, attribute: OtlpAttribute): Uint8Array | undefined {
  const value = attribute.value;
  const type = typeof value;
  if (type !== 'string' && type !== 'number' && type !== 'boolean') return undefined;
  if (type === 'string' && (value as string).length > MAX_CACHED_VALUE_LENGTH) return undefined;
  let byValue = valueCache.get(attribute.key);
  if (byValue === undefined) {
    if (valueCache.size >= VALUE_CACHE_KEYS) return undefined;
    byValue = new Map();
    valueCache.set(attribute.key, byValue);
  }
  let bytes = byValue.get(value as string | number | boolean);
  if (bytes === undefined && byValue.size < VALUE_CACHE_PER_KEY) {
    valueWriter.reset();
    writeKeyValue(valueWriter, tag, attribute);
    bytes = valueWriter.buf.slice(0, valueWriter.pos);
    byValue.set(value as string | number | boolean, bytes);
  }
  return bytes;
}

// Spans of one kind list their attributes in the same order, mostly with the same values as the
// previous span of that kind (same method, host, route, status…). Per kind, the bytes last written
// at each position are kept: an attribute equal to the one last seen at its position is copied
// without the two map lookups above (an identity and a short string comparison instead), and
// when every attribute matches, the previous span's whole attribute block is copied at once.
const POSITIONS = 32;

class RecentAttributes {
  readonly keys: Array<string | undefined> = new Array<string | undefined>(POSITIONS).fill(undefined);
  // Lists (`aws.xray.annotations`) are kept as copies: the mapping builds a new array every time.
  readonly values: Array<OtlpValue | undefined> = new Array<OtlpValue | undefined>(POSITIONS).fill(undefined);
  readonly bytes: Array<Uint8Array | undefined> = new Array<Uint8Array | undefined>(POSITIONS).fill(undefined);
  /** The previous span's attributes as one block, and how many attributes it holds (-1: none). */
  block: Uint8Array = new Uint8Array(0);
  blockCount = -1;

  matches(i: number, key: string, value: OtlpValue): boolean {
    return this.keys[i] === key && (this.values[i] === value || sameList(this.values[i], value));
  }
}

// Indexed by span kind (0–5).
const recentByKind: RecentAttributes[] = Array.from({ length: 6 }, () => new RecentAttributes());

function writeSpanAttributes(w: ProtobufWriter, kind: number, attributes: readonly OtlpAttribute[]): void {
  const recent = recentByKind[kind] ?? (recentByKind[0] as RecentAttributes);
  const n = attributes.length;
  let i = 0;
  if (n === recent.blockCount) {
    while (i < n && recent.matches(i, (attributes[i] as OtlpAttribute).key, (attributes[i] as OtlpAttribute).value)) i++;
    if (i === n) {
      w.raw(recent.block);
      return;
    }
    w.raw(recent.block.subarray(0, blockOffset(recent, i)));
  }
  const start = w.pos - (i > 0 ? blockOffset(recent, i) : 0);
  let allKept = n <= POSITIONS;
  for (; i < n; i++) {
    const attribute = attributes[i] as OtlpAttribute;
    const key = attribute.key;
    const value = attribute.value;
    if (i < POSITIONS && recent.matches(i, key, value)) {
      w.raw(recent.bytes[i] as Uint8Array);
      continue;
    }
    const cached = Array.isArray(value) ? encodedListKeyValue(attribute) : encodedKeyValue(SPAN_ATTRIBUTES, attribute);
    if (cached === undefined) {
      writeKeyValue(w, SPAN_ATTRIBUTES, attribute);
      allKept = false;
      continue;
    }
    w.raw(cached);
    if (i < POSITIONS) {
      recent.keys[i] = key;
      recent.values[i] = Array.isArray(value) ? value.slice() : (value as string | number | boolean);
      recent.bytes[i] = cached;
    }
  }
  // The block is rebuilt only when a span differed from the previous one of its kind.
  if (allKept) recent.block = w.buf.slice(start, w.pos);
  recent.blockCount = allKept ? n : -1;
}

/** Bytes of the first `count` attributes of the kept block (each position's kept bytes). */
function blockOffset(recent: RecentAttributes, count: number): number {
  let offset = 0;
  for (let k = 0; k < count; k++) offset += (recent.bytes[k] as Uint8Array).length;
  return offset;
}

function sameList(last: OtlpValue | undefined, value: OtlpValue): boolean {
  if (!Array.isArray(last) || !Array.isArray(value) || last.length !== value.length) return false;
  for (let i = 0; i < value.length; i++) if (last[i] !== value[i]) return false;
  return true;
}

// A list attribute's whole `KeyValue`, encoded afresh (lists are not kept in the per-key cache);
// kept only at its position, for the next span.
function encodedListKeyValue(attribute: OtlpAttribute): Uint8Array | undefined {
  valueWriter.reset();
  writeKeyValue(valueWriter, SPAN_ATTRIBUTES, attribute);
  if (valueWriter.pos > MAX_CACHED_VALUE_LENGTH) return undefined;
  return valueWriter.buf.slice(0, valueWriter.pos);
}

function writeAttributes(w: ProtobufWriter, tag: number, attributes: readonly OtlpAttribute[]): void {
  for (let i = 0; i < attributes.length; i++) writeKeyValue(w, tag, attributes[i] as OtlpAttribute);
}

function writeKeyValue(w: ProtobufWriter, tag: number, attribute: OtlpAttribute): void {
  w.byte(tag);
  const kvStart = w.beginLength(RESERVE_SMALL);
  if (attribute.key !== '') {
    const key = encodedKey(attribute.key);
    if (key !== undefined) w.raw(key);
    else {
      w.byte(KV_KEY);
      w.string(attribute.key);
    }
  }
  w.byte(KV_VALUE);
  const valueStart = w.beginLength(RESERVE_SMALL);
  writeAnyValueBody(w, attribute.value);
  w.endLength(valueStart, RESERVE_SMALL);
  w.endLength(kvStart, RESERVE_SMALL);
}

/** The fields of one `AnyValue` (its oneof member), without the surrounding length. */
function writeAnyValueBody(w: ProtobufWriter, value: OtlpValue): void {
  switch (typeof value) {
    case 'string':
      w.byte(ANY_STRING);
      w.string(value);
      return;
    case 'number':
      writeNumber(w, value);
      return;
    case 'boolean':
      w.byte(ANY_BOOL);
      w.byte(value ? 1 : 0);
      return;
    case 'object':
      // `null` is outside the types but may arrive from untyped callers: an empty AnyValue.
      if (value === null) return;
      if ('double' in value) {
        w.byte(ANY_DOUBLE);
        w.double(value.double);
        return;
      }
      w.byte(ANY_ARRAY);
      {
        const arrayStart = w.beginLength(RESERVE_SMALL);
        for (let i = 0; i < value.length; i++) {
          w.byte(ARRAY_VALUES);
          const itemStart = w.beginLength(RESERVE_SMALL);
          writeAnyValueBody(w, value[i] as string | number | boolean);
          w.endLength(itemStart, RESERVE_SMALL);
        }
        w.endLength(arrayStart, RESERVE_SMALL);
      }
      return;
    default:
      // undefined, bigint, function…: outside the types, written as an empty AnyValue.
      return;
  }
}

function writeNumber(w: ProtobufWriter, value: number): void {
  if (Number.isSafeInteger(value)) {
    w.byte(ANY_INT);
    w.int64(value);
  } else {
    w.byte(ANY_DOUBLE);
    w.double(value);
  }
}
