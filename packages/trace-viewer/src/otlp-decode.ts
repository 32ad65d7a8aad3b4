// Decoding an OTLP `ExportTraceServiceRequest` from protobuf or JSON into the viewer's model.
// Both forms go through one normaliser: protobuf is first turned into the same plain-object shape
// the JSON form has (protobufjs `toObject`), the only difference being how ids are written
// (base64 bytes there, hex strings in OTLP/JSON). A body that cannot be read as a request throws
// OtlpDecodeError (answered with 400); a span that can be read but is unusable is counted as
// rejected (answered in `partial_success`).
import { traceServiceTypes } from './otlp-proto.js';
import { SpanKind, StatusCode, type DecodedTraces, type OtlpAttributes, type OtlpEvent, type OtlpLink, type OtlpSpan } from './otlp-model.js';
import type { JsonValue } from './types.js';

/** The body is not an `ExportTraceServiceRequest` at all. */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}

/** How a body writes trace and span ids. */
type IdEncoding = 'hex' | 'base64';

type Obj = { [key: string]: unknown };

/** Attribute values nest (arrays, key-value lists); deeper than this they are cut to null. */
const MAX_VALUE_DEPTH = 16;
/** Reasons kept for the partial-success message. */
const MAX_REASONS = 5;

const KIND_NAMES: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: SpanKind.UNSPECIFIED,
  SPAN_KIND_INTERNAL: SpanKind.INTERNAL,
  SPAN_KIND_SERVER: SpanKind.SERVER,
  SPAN_KIND_CLIENT: SpanKind.CLIENT,
  SPAN_KIND_PRODUCER: SpanKind.PRODUCER,
  SPAN_KIND_CONSUMER: SpanKind.CONSUMER,
};
const STATUS_NAMES: Record<string, number> = {
  STATUS_CODE_UNSET: StatusCode.UNSET,
  STATUS_CODE_OK: StatusCode.OK,
  STATUS_CODE_ERROR: StatusCode.ERROR,
};

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A field by its JSON name (lowerCamelCase, what OTLP/JSON senders write) or its proto name
 * (snake_case, which protobuf JSON parsers also accept).
 */
function field(object: Obj, camel: string, snake?: string): unknown {
  if (Object.hasOwn(object, camel)) return object[camel];
  return snake !== undefined && Object.hasOwn(object, snake) ? object[snake] : undefined;
}

function list(object: Obj, camel: string, snake: string, where: string): unknown[] {
  const value = field(object, camel, snake);
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpDecodeError(`${where}.${camel} is not an array`);
  return value;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Ids as lowercase hex of exactly `bytes` bytes, or undefined when missing or malformed. */
function readId(value: unknown, bytes: number, encoding: IdEncoding): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  if (encoding === 'hex') {
    return value.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(value) ? value.toLowerCase() : undefined;
  }
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) return undefined;
  const decoded = Buffer.from(value, 'base64');
  return decoded.byteLength === bytes ? decoded.toString('hex') : undefined;
}

const ZERO = /^0+$/;

/** Nanosecond timestamps: fixed64, written as a decimal string or (by lenient senders) a number. */
function readNanos(value: unknown): bigint | undefined {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  // Numbers beyond 2^53 lost their last digits already; keep what is left rather than refuse.
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return BigInt(Math.round(value));
  return undefined;
}

function readEnum(value: unknown, names: Record<string, number>): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string') return names[value] ?? (/^\d+$/.test(value) ? Number(value) : 0);
  return 0;
}

function readNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    // NaN and the infinities have no JSON form; they would break the documents' serialisation.
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

/** One `AnyValue` as a JSON value. */
function readValue(value: unknown, depth: number): JsonValue {
  if (!isObj(value) || depth > MAX_VALUE_DEPTH) return null;
  const string = field(value, 'stringValue', 'string_value');
  if (typeof string === 'string') return string;
  const bool = field(value, 'boolValue', 'bool_value');
  if (typeof bool === 'boolean') return bool;
  const int = field(value, 'intValue', 'int_value');
  if (int !== undefined) return readNumber(int) ?? null;
  const double = field(value, 'doubleValue', 'double_value');
  if (double !== undefined) return readNumber(double) ?? null;
  const bytes = field(value, 'bytesValue', 'bytes_value');
  if (typeof bytes === 'string') return bytes;
  const array = field(value, 'arrayValue', 'array_value');
  if (isObj(array)) {
    const values = field(array, 'values');
    return Array.isArray(values) ? values.map((item) => readValue(item, depth + 1)) : [];
  }
  const kvlist = field(value, 'kvlistValue', 'kvlist_value');
  if (isObj(kvlist)) {
    const result: { [key: string]: JsonValue } = {};
    for (const [key, item] of readAttributes(field(kvlist, 'values'), depth + 1)) {
      // defineProperty: a key named __proto__ must stay a plain property.
      Object.defineProperty(result, key, { value: item, enumerable: true, writable: true, configurable: true });
    }
    return result;
  }
  return null;
}

function readAttributes(value: unknown, depth = 0): OtlpAttributes {
  const attributes: OtlpAttributes = new Map();
  if (!Array.isArray(value)) return attributes;
  for (const entry of value) {
    if (!isObj(entry)) continue;
    const key = field(entry, 'key');
    if (typeof key !== 'string' || key === '') continue;
    attributes.set(key, readValue(field(entry, 'value'), depth));
  }
  return attributes;
}

function readEvent(value: unknown): OtlpEvent | undefined {
  if (!isObj(value)) return undefined;
  return {
    name: text(field(value, 'name')),
    timeUnixNano: readNanos(field(value, 'timeUnixNano', 'time_unix_nano')) ?? 0n,
    attributes: readAttributes(field(value, 'attributes')),
  };
}

function readLink(value: unknown, encoding: IdEncoding): OtlpLink | undefined {
  if (!isObj(value)) return undefined;
  const traceId = readId(field(value, 'traceId', 'trace_id'), 16, encoding);
  const spanId = readId(field(value, 'spanId', 'span_id'), 8, encoding);
  if (!traceId || !spanId || ZERO.test(traceId) || ZERO.test(spanId)) return undefined;
  return { traceId, spanId, attributes: readAttributes(field(value, 'attributes')) };
}

/** A span, or the reason it cannot be used. */
function readSpan(value: unknown, encoding: IdEncoding): OtlpSpan | string {
  if (!isObj(value)) return 'span is not an object';
  const traceId = readId(field(value, 'traceId', 'trace_id'), 16, encoding);
  if (!traceId || ZERO.test(traceId)) return `invalid trace id ${JSON.stringify(field(value, 'traceId', 'trace_id') ?? null).slice(0, 50)}`;
  const spanId = readId(field(value, 'spanId', 'span_id'), 8, encoding);
  if (!spanId || ZERO.test(spanId)) return `invalid span id ${JSON.stringify(field(value, 'spanId', 'span_id') ?? null).slice(0, 50)}`;
  const rawParent = field(value, 'parentSpanId', 'parent_span_id');
  let parentSpanId: string | undefined;
  if (rawParent !== undefined && rawParent !== null && rawParent !== '') {
    parentSpanId = readId(rawParent, 8, encoding);
    if (!parentSpanId || ZERO.test(parentSpanId)) return `invalid parent span id ${JSON.stringify(rawParent).slice(0, 50)}`;
  }
  const start = readNanos(field(value, 'startTimeUnixNano', 'start_time_unix_nano'));
  const end = readNanos(field(value, 'endTimeUnixNano', 'end_time_unix_nano'));
  if (start === undefined || end === undefined || start === 0n) return `span ${spanId}: invalid start or end time`;
  const status = field(value, 'status');
  const events: OtlpEvent[] = [];
  for (const item of list(value, 'events', 'events', 'span')) {
    const event = readEvent(item);
    if (event) events.push(event);
  }
  const links: OtlpLink[] = [];
  for (const item of list(value, 'links', 'links', 'span')) {
    const link = readLink(item, encoding);
    if (link) links.push(link);
  }
  return {
    traceId,
    spanId,
    parentSpanId,
    name: text(field(value, 'name')),
    kind: readEnum(field(value, 'kind'), KIND_NAMES),
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    attributes: readAttributes(field(value, 'attributes')),
    events,
    links,
    status: isObj(status)
      ? { code: readEnum(field(status, 'code'), STATUS_NAMES), message: text(field(status, 'message')) }
      : { code: StatusCode.UNSET, message: '' },
  };
}

/** The request as plain objects → the viewer's model. Throws {@link OtlpDecodeError} on a wrong shape. */
function normalise(request: unknown, encoding: IdEncoding): DecodedTraces {
  if (!isObj(request)) throw new OtlpDecodeError('the body is not an ExportTraceServiceRequest object');
  const result: DecodedTraces = { resourceSpans: [], rejectedSpans: 0, rejectReasons: [] };
  for (const resourceSpans of list(request, 'resourceSpans', 'resource_spans', 'request')) {
    if (!isObj(resourceSpans)) throw new OtlpDecodeError('resourceSpans[] holds something that is not an object');
    const resource = field(resourceSpans, 'resource');
    const entry = { resource: readAttributes(isObj(resource) ? field(resource, 'attributes') : undefined), spans: [] as OtlpSpan[] };
    for (const scopeSpans of list(resourceSpans, 'scopeSpans', 'scope_spans', 'resourceSpans')) {
      if (!isObj(scopeSpans)) throw new OtlpDecodeError('scopeSpans[] holds something that is not an object');
      for (const item of list(scopeSpans, 'spans', 'spans', 'scopeSpans')) {
        const span = readSpan(item, encoding);
        if (typeof span === 'string') {
          result.rejectedSpans++;
          if (result.rejectReasons.length < MAX_REASONS) result.rejectReasons.push(span);
        } else {
          entry.spans.push(span);
        }
      }
    }
    result.resourceSpans.push(entry);
  }
  return result;
}

/** Decodes a binary protobuf `ExportTraceServiceRequest`. */
export function decodeProtobufTraces(body: Uint8Array): DecodedTraces {
  const type = traceServiceTypes().ExportTraceServiceRequest;
  let plain: unknown;
  try {
    // Longs as strings keep nanoseconds exact; bytes as base64 strings are read back per id.
    plain = type.toObject(type.decode(body), { longs: String, enums: Number, bytes: String, defaults: false });
  } catch (error) {
    throw new OtlpDecodeError(`not a protobuf ExportTraceServiceRequest: ${error instanceof Error ? error.message : String(error)}`);
  }
  return normalise(plain, 'base64');
}

/** Decodes an OTLP/JSON `ExportTraceServiceRequest` (hex ids, int64 as strings or numbers, enums as ints or names). */
export function decodeJsonTraces(body: string): DecodedTraces {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new OtlpDecodeError(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return normalise(parsed, 'hex');
}
