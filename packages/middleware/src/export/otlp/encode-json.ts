// OTLP/HTTP JSON request body (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding):
// the proto3 JSON mapping of `ExportTraceServiceRequest` with OTLP's deviations — lowerCamelCase
// field names, trace and span ids as lowercase hex (not base64), enums as integers, 64-bit
// integers (times, `intValue`) as decimal strings.
//
// The string is built by concatenation, applying the rules JSON.stringify would not (non-finite
// doubles as strings, int64 as strings, lone surrogates → U+FFFD, omitted defaults) in one pass.
// Measured against `JSON.stringify` of a minimal object (bench/src/micro/otlp-encoding.bench.ts): on a
// heavily shared 2-core machine the results were inconclusive and that simpler variant, which
// skips those rules, was often faster on the typical span — worth re-measuring on a quiet
// machine before optimising further. Defaults are omitted as the proto3 JSON mapping does,
// matching the protobuf encoder.

import { numberText } from '../../core/number-text.js';
import { hexDigitValue, secondsToMicros } from './protobuf-writer.js';
import type { OtlpAttribute, OtlpEvent, OtlpLink, OtlpResourceSpans, OtlpSpan, OtlpValue } from './span-model.js';

const HEX = '0123456789abcdef';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A JSON string literal. Lone surrogates become U+FFFD, exactly as in the protobuf encoding, so
 * both encodings carry the same text and the UTF-8 body is well formed.
 */
function quote(value: string): string {
  // Fast path: nothing JSON must escape (controls, quote, backslash) and no surrogate to check.
  // A plain loop beats a regular expression on the short keys and values spans are made of.
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) {
      return JSON.stringify(value.replace(LONE_SURROGATE, '\ufffd'));
    }
  }
  return `"${value}"`;
}

/**
 * An id as lowercase hex. The model promises lowercase hex already (the common, copy-free case);
 * anything else is normalised through the same digit rule as the protobuf encoder, so both
 * encodings name the same bytes and nothing unescaped reaches the JSON text.
 */
function hexId(id: string): string {
  const n = id.length;
  let clean = (n & 1) === 0;
  for (let i = 0; clean && i < n; i++) {
    const c = id.charCodeAt(i);
    clean = (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
  }
  if (clean) return id;
  let out = '';
  for (let i = 0; i + 1 < n; i += 2) out += HEX.charAt(hexDigitValue(id.charCodeAt(i))) + HEX.charAt(hexDigitValue(id.charCodeAt(i + 1)));
  return out;
}

/** Epoch seconds → a decimal string of nanoseconds (exceeds 2^53, so digits not arithmetic). */
function nanosString(micros: number): string {
  return `"${numberText(micros)}000"`;
}

/** A double per the proto3 JSON mapping: non-finite values are the strings it names. */
function doubleJson(value: number): string {
  if (Number.isFinite(value)) return Object.is(value, -0) ? '-0' : numberText(value);
  return Number.isNaN(value) ? '"NaN"' : value > 0 ? '"Infinity"' : '"-Infinity"';
}

/**
 * Encodes spans as an OTLP `ExportTraceServiceRequest` in the OTLP/JSON encoding (the body of an
 * OTLP/HTTP `application/json` request to `/v1/traces`).
 *
 * Same content and rules as `encodeTraceRequestProtobuf` (ids, times exact to the
 * microsecond, int vs double, omitted defaults); never throws for any value the types allow.
 *
 * @param resourceSpans spans grouped by resource, one scope each.
 * @returns the JSON text; encode it as UTF-8 for the request body.
 */
export function encodeTraceRequestJson(resourceSpans: readonly OtlpResourceSpans[]): string {
  let out = '{"resourceSpans":[';
  for (let r = 0; r < resourceSpans.length; r++) {
    const rs = resourceSpans[r] as OtlpResourceSpans;
    if (r > 0) out += ',';
    out += '{';
    if (rs.resource.length > 0) out += `"resource":{"attributes":${attributesJson(rs.resource)}},`;
    // ScopeSpans members with leading commas, the first one's dropped (as in spanJson).
    let scopeSpans = '';
    const { name, version } = rs.scope;
    const hasVersion = version !== undefined && version !== '';
    if (name !== '' || hasVersion) {
      let scope = '';
      if (name !== '') scope += `,"name":${quote(name)}`;
      if (hasVersion) scope += `,"version":${quote(version)}`;
      scopeSpans += `,"scope":{${scope.slice(1)}}`;
    }
    const spans = rs.spans;
    if (spans.length > 0) {
      scopeSpans += ',"spans":[';
      for (let i = 0; i < spans.length; i++) {
        if (i > 0) scopeSpans += ',';
        scopeSpans += spanJson(spans[i] as OtlpSpan);
      }
      scopeSpans += ']';
    }
    out += `"scopeSpans":[{${scopeSpans.slice(1)}}]}`;
  }
  return `${out}]}`;
}

function spanJson(span: OtlpSpan): string {
  // Every member is written with a leading comma; the first one's is dropped at the end.
  let out = '';
  if (span.traceId.length >= 2) out += `,"traceId":"${hexId(span.traceId)}"`;
  if (span.spanId.length >= 2) out += `,"spanId":"${hexId(span.spanId)}"`;
  if (span.traceState !== undefined && span.traceState !== '') out += `,"traceState":${quote(span.traceState)}`;
  if (span.parentSpanId !== undefined && span.parentSpanId.length >= 2) out += `,"parentSpanId":"${hexId(span.parentSpanId)}"`;
  if (span.flags !== undefined && span.flags !== 0) out += `,"flags":${span.flags >>> 0}`;
  if (span.name !== '') out += `,"name":${quote(span.name)}`;
  if (span.kind !== 0) out += `,"kind":${span.kind}`;
  const startUs = secondsToMicros(span.startTime);
  if (startUs !== 0) out += `,"startTimeUnixNano":${nanosString(startUs)}`;
  const endUs = secondsToMicros(span.endTime);
  if (endUs !== 0) out += `,"endTimeUnixNano":${nanosString(endUs)}`;
  if (span.attributes.length > 0) out += `,"attributes":${attributesJson(span.attributes)}`;
  if (span.events !== undefined && span.events.length > 0) out += `,"events":[${span.events.map(eventJson).join(',')}]`;
  if (span.links !== undefined && span.links.length > 0) out += `,"links":[${span.links.map(linkJson).join(',')}]`;
  const status = span.status;
  if (status !== undefined) {
    const hasMessage = status.message !== undefined && status.message !== '';
    if (status.code !== 0 || hasMessage) {
      let body = '';
      if (hasMessage) body += `,"message":${quote(status.message ?? '')}`;
      if (status.code !== 0) body += `,"code":${status.code}`;
      out += `,"status":{${body.slice(1)}}`;
    }
  }
  return `{${out.slice(1)}}`;
}

function eventJson(event: OtlpEvent): string {
  let out = '';
  const us = secondsToMicros(event.time);
  if (us !== 0) out += `,"timeUnixNano":${nanosString(us)}`;
  if (event.name !== '') out += `,"name":${quote(event.name)}`;
  if (event.attributes.length > 0) out += `,"attributes":${attributesJson(event.attributes)}`;
  return `{${out.slice(1)}}`;
}

function linkJson(link: OtlpLink): string {
  let out = '';
  if (link.traceId.length >= 2) out += `,"traceId":"${hexId(link.traceId)}"`;
  if (link.spanId.length >= 2) out += `,"spanId":"${hexId(link.spanId)}"`;
  if (link.traceState !== undefined && link.traceState !== '') out += `,"traceState":${quote(link.traceState)}`;
  if (link.attributes.length > 0) out += `,"attributes":${attributesJson(link.attributes)}`;
  return `{${out.slice(1)}}`;
}

function attributesJson(attributes: readonly OtlpAttribute[]): string {
  let out = '[';
  for (let i = 0; i < attributes.length; i++) {
    const attribute = attributes[i] as OtlpAttribute;
    if (i > 0) out += ',';
    out += attribute.key === '' ? `{"value":${anyValueJson(attribute.value)}}` : `{"key":${quote(attribute.key)},"value":${anyValueJson(attribute.value)}}`;
  }
  return `${out}]`;
}

function anyValueJson(value: OtlpValue): string {
  switch (typeof value) {
    case 'string':
      return `{"stringValue":${quote(value)}}`;
    case 'number':
      return Number.isSafeInteger(value) ? `{"intValue":"${value}"}` : `{"doubleValue":${doubleJson(value)}}`;
    case 'boolean':
      return value ? '{"boolValue":true}' : '{"boolValue":false}';
    case 'object': {
      // `null` is outside the types but may arrive from untyped callers: an empty AnyValue.
      if (value === null) return '{}';
      if ('double' in value) return `{"doubleValue":${doubleJson(value.double)}}`;
      if (value.length === 0) return '{"arrayValue":{}}';
      let out = '{"arrayValue":{"values":[';
      for (let i = 0; i < value.length; i++) {
        if (i > 0) out += ',';
        out += anyValueJson(value[i] as string | number | boolean);
      }
      return `${out}]}}`;
    }
    default:
      return '{}';
  }
}
