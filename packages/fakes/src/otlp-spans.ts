/**
 * OTLP trace payloads in and out: the official generated protobuf types, the OTLP/JSON rules, and
 * one normaliser that turns either encoding into plain typed span records a test can compare with
 * `assert.deepEqual`. The `google.rpc.Status` error body is written here as well.
 */
import { createRequire } from 'node:module';

/** An attribute value after normalisation (see {@link OtlpAttributeType} for what it was on the wire). */
export type OtlpAttributeValue =
  | string
  | number
  | boolean
  | null
  | OtlpAttributeValue[]
  | { [key: string]: OtlpAttributeValue };

/**
 * Which `AnyValue` member carried an attribute. Kept next to the value because normalisation
 * blurs it: `intValue: 200` and `doubleValue: 200` both become the number 200, yet an exporter
 * must send `http.response.status_code` as an int.
 */
export type OtlpAttributeType = 'string' | 'int' | 'double' | 'bool' | 'array' | 'kvlist' | 'bytes' | 'empty';

/** One span event. */
export interface OtlpSpanEvent {
  name: string;
  /** Decimal string (fixed64 nanoseconds). */
  timeUnixNano: string;
  attributes: Record<string, OtlpAttributeValue>;
  attributeTypes: Record<string, OtlpAttributeType>;
  droppedAttributesCount: number;
}

/** One span link. */
export interface OtlpSpanLink {
  /** 32 lower-case hex digits. */
  traceId: string;
  /** 16 lower-case hex digits. */
  spanId: string;
  traceState?: string;
  /** As {@link OtlpSpan.flags}: JSON bodies only. */
  flags?: number;
  attributes: Record<string, OtlpAttributeValue>;
  attributeTypes: Record<string, OtlpAttributeType>;
  droppedAttributesCount: number;
}

/**
 * A received span, identical whichever encoding carried it. Ids are lower-case hex, times are
 * decimal strings (fixed64 nanoseconds do not fit a double), `int` attributes are numbers when
 * they are safe integers and decimal strings otherwise, `bytes` attributes are base64.
 * Optional fields are absent when the wire value was empty or zero.
 */
export interface OtlpSpan {
  /** 32 lower-case hex digits. */
  traceId: string;
  /** 16 lower-case hex digits. */
  spanId: string;
  parentSpanId?: string;
  traceState?: string;
  /**
   * W3C trace flags in the low byte, OTLP's has/is-remote bits (0x100, 0x200) above. Only
   * OTLP/JSON bodies yield it: the generated protobuf types of `@opentelemetry/otlp-transformer`
   * 0.200.0 predate `Span.flags` (field 16), and protobufjs skips fields it does not know.
   */
  flags?: number;
  name: string;
  /** `SpanKind` number: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, OtlpAttributeValue>;
  attributeTypes: Record<string, OtlpAttributeType>;
  droppedAttributesCount: number;
  events: OtlpSpanEvent[];
  droppedEventsCount: number;
  links: OtlpSpanLink[];
  droppedLinksCount: number;
  /** `code`: 0 unset, 1 ok, 2 error. Absent when the span carried no status message. */
  status?: { code: number; message?: string };
  /** Attributes of the span's resource. */
  resource: Record<string, OtlpAttributeValue>;
  resourceAttributeTypes: Record<string, OtlpAttributeType>;
  /** The instrumentation scope. */
  scope: { name: string; version?: string };
}

/** A body that is not a valid `ExportTraceServiceRequest`; `message` says where and why. */
export class OtlpDecodeError extends Error {
  override name = 'OtlpDecodeError';
}

/** The two OTLP/HTTP encodings. */
export type OtlpEncoding = 'protobuf' | 'json';

// --- the official generated protobuf types -------------------------------------------------------

interface ProtoWriter {
  finish(): Uint8Array;
}

interface ProtoType {
  decode(bytes: Uint8Array): object;
  encode(message: object): ProtoWriter;
  fromObject(object: Record<string, unknown>): object;
  toObject(message: object, options: Record<string, unknown>): Record<string, unknown>;
}

interface GeneratedRoot {
  opentelemetry: {
    proto: {
      collector: {
        trace: { v1: { ExportTraceServiceRequest: ProtoType; ExportTraceServiceResponse: ProtoType } };
      };
    };
  };
}

let generated: GeneratedRoot['opentelemetry']['proto']['collector']['trace']['v1'] | undefined;

/**
 * The generated `ExportTraceServiceRequest` / `ExportTraceServiceResponse` of
 * `@opentelemetry/otlp-transformer` — the same code the OpenTelemetry JS exporters encode with, so
 * a decoding difference here would be a real interoperability bug, not a quirk of ours. Loaded on
 * first use because the module is CommonJS and registers itself in protobufjs' global root.
 */
function traceTypes(): NonNullable<typeof generated> {
  if (generated === undefined) {
    const require = createRequire(import.meta.url);
    const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js') as GeneratedRoot;
    generated = root.opentelemetry.proto.collector.trace.v1;
  }
  return generated;
}

/**
 * Decodes an `ExportTraceServiceRequest` body (already decompressed) into span records.
 * Throws {@link OtlpDecodeError} when the body is not a valid request in `encoding`.
 */
export function decodeTraceRequest(body: Uint8Array, encoding: OtlpEncoding): OtlpSpan[] {
  if (encoding === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
    } catch (error) {
      throw new OtlpDecodeError(`body is not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    return normaliseRequest(value, 'hex');
  }
  const type = traceTypes().ExportTraceServiceRequest;
  let message: object;
  try {
    message = type.decode(body);
  } catch (error) {
    throw new OtlpDecodeError(`body is not an ExportTraceServiceRequest: ${error instanceof Error ? error.message : String(error)}`);
  }
  // longs as decimal strings keep fixed64 nanoseconds exact; bytes as base64 are the JSON
  // mapping's own form, so one normaliser serves both encodings (ids differ: hex in OTLP/JSON).
  const object = type.toObject(message, { longs: String, bytes: String, enums: Number, defaults: false });
  return normaliseRequest(object, 'base64');
}

/** What a partial success reports. */
export interface OtlpPartialSuccess {
  /** Spans the server did not accept. */
  rejectedSpans: number;
  /** Why (or a warning when `rejectedSpans` is 0). */
  errorMessage?: string;
}

/** Encodes an `ExportTraceServiceResponse`, with `partial_success` when given. */
export function encodeTraceResponse(encoding: OtlpEncoding, partialSuccess?: OtlpPartialSuccess): Buffer {
  if (encoding === 'json') {
    if (partialSuccess === undefined) return Buffer.from('{}');
    // int64 as a decimal string: the proto3 JSON form, which OTLP/JSON clients must accept.
    return Buffer.from(
      JSON.stringify({
        partialSuccess: { rejectedSpans: String(partialSuccess.rejectedSpans), errorMessage: partialSuccess.errorMessage ?? '' },
      }),
    );
  }
  const type = traceTypes().ExportTraceServiceResponse;
  const object =
    partialSuccess === undefined
      ? {}
      : { partialSuccess: { rejectedSpans: String(partialSuccess.rejectedSpans), errorMessage: partialSuccess.errorMessage ?? '' } };
  return Buffer.from(type.encode(type.fromObject(object)).finish());
}

// --- google.rpc.Status -----------------------------------------------------------------------------

/** The fields of a `google.rpc.Status` the fake writes (`details` stays empty). */
export interface RpcStatus {
  /** gRPC status code, e.g. 3 INVALID_ARGUMENT, 14 UNAVAILABLE. */
  code: number;
  message: string;
}

/** The gRPC code that goes with an HTTP status, per gRPC's HTTP-to-gRPC status mapping. */
export function grpcCodeForHttpStatus(status: number): number {
  switch (status) {
    case 400:
      return 3; // INVALID_ARGUMENT
    case 401:
      return 16; // UNAUTHENTICATED
    case 403:
      return 7; // PERMISSION_DENIED
    case 404:
      return 5; // NOT_FOUND
    case 405:
      return 12; // UNIMPLEMENTED
    case 413:
    case 429:
      return 8; // RESOURCE_EXHAUSTED
    case 415:
      return 3;
    case 500:
      return 13; // INTERNAL
    case 502:
    case 503:
      return 14; // UNAVAILABLE
    case 504:
      return 4; // DEADLINE_EXCEEDED
    default:
      return 2; // UNKNOWN
  }
}

/**
 * Encodes a `google.rpc.Status` — the body OTLP/HTTP servers answer failures with. Written by hand
 * because the OTLP generated code does not include `google.rpc`; the message is two fields.
 */
export function encodeRpcStatus(status: RpcStatus, encoding: OtlpEncoding): Buffer {
  if (encoding === 'json') return Buffer.from(JSON.stringify({ code: status.code, message: status.message }));
  const message = Buffer.from(status.message, 'utf8');
  const parts: Buffer[] = [];
  if (status.code !== 0) parts.push(Buffer.from([0x08]), varint(status.code));
  if (message.length > 0) parts.push(Buffer.from([0x12]), varint(message.length), message);
  return Buffer.concat(parts);
}

/**
 * Decodes a protobuf `google.rpc.Status` (fields `code` and `message`; `details` are skipped).
 * Throws on a malformed body. Handy for asserting what an exporter was told.
 */
export function decodeRpcStatus(bytes: Uint8Array): RpcStatus {
  let offset = 0;
  let code = 0;
  let message = '';
  const readVarint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[offset];
      if (byte === undefined) throw new Error('truncated varint');
      offset += 1;
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
      if (shift > 63) throw new Error('varint too long');
    }
  };
  while (offset < bytes.length) {
    const tag = readVarint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (wireType === 0) {
      const value = readVarint();
      // int32 negative values travel as 10-byte two's complement; keep the low 32 bits signed.
      if (field === 1) code = value | 0;
    } else if (wireType === 2) {
      const length = readVarint();
      if (offset + length > bytes.length) throw new Error('truncated length-delimited field');
      if (field === 2) message = Buffer.from(bytes.subarray(offset, offset + length)).toString('utf8');
      offset += length;
    } else if (wireType === 1) {
      offset += 8;
    } else if (wireType === 5) {
      offset += 4;
    } else {
      throw new Error(`unsupported wire type ${wireType}`);
    }
  }
  if (offset > bytes.length) throw new Error('truncated fixed-width field');
  return { code, message };
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value >>> 0;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

// --- normalisation -----------------------------------------------------------------------------------

type IdForm = 'hex' | 'base64';
type Json = Record<string, unknown>;

const HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const INTEGER = /^-?\d+$/;

function fail(path: string, problem: string): never {
  throw new OtlpDecodeError(`${path}: ${problem}`);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectAt(value: unknown, path: string): Json | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) fail(path, 'expected an object');
  return value;
}

function listAt(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(path, 'expected an array');
  return value;
}

function stringAt(value: unknown, path: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') fail(path, 'expected a string');
  return value;
}

/** uint32/int32/enum fields: OTLP/JSON sends them as JSON numbers (enums as ints, never names). */
function int32At(value: unknown, path: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value)) fail(path, `expected an integer, got ${JSON.stringify(value)}`);
  return value;
}

/** 64-bit integers: a decimal string or a JSON number (OTLP/JSON allows both); returned as a decimal string. */
function int64At(value: unknown, path: string, unsigned: boolean): string {
  if (value === undefined || value === null) return '0';
  let text: string;
  if (typeof value === 'number' && Number.isInteger(value)) text = BigInt(value).toString();
  else if (typeof value === 'string' && INTEGER.test(value)) text = BigInt(value).toString();
  else fail(path, `expected a 64-bit integer as a decimal string or number, got ${JSON.stringify(value)}`);
  const big = BigInt(text);
  const [min, max] = unsigned ? [0n, 2n ** 64n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
  if (big < min || big > max) fail(path, `${text} is out of range`);
  return text;
}

/** The hex form of a trace/span id; `undefined` for an empty (absent) id. */
function idAt(value: unknown, path: string, form: IdForm, bytes: number): string | undefined {
  const text = stringAt(value, path);
  if (text === '') return undefined;
  let hex: string;
  if (form === 'hex') {
    if (!HEX.test(text)) fail(path, `expected hex digits (OTLP/JSON ids are hex, not base64), got ${JSON.stringify(text)}`);
    hex = text.toLowerCase();
  } else {
    hex = Buffer.from(text, 'base64').toString('hex');
  }
  if (hex.length !== bytes * 2) fail(path, `expected ${bytes} bytes, got ${hex.length / 2}`);
  return hex;
}

function requiredId(value: unknown, path: string, form: IdForm, bytes: number): string {
  return idAt(value, path, form, bytes) ?? fail(path, 'missing');
}

function anyValue(value: unknown, path: string): { value: OtlpAttributeValue; type: OtlpAttributeType } {
  const v = objectAt(value, path);
  if (v === undefined) return { value: null, type: 'empty' };
  if (v.stringValue !== undefined) return { value: stringAt(v.stringValue, `${path}.stringValue`), type: 'string' };
  if (v.boolValue !== undefined) {
    if (typeof v.boolValue !== 'boolean') fail(`${path}.boolValue`, 'expected a boolean');
    return { value: v.boolValue, type: 'bool' };
  }
  if (v.intValue !== undefined) {
    const text = int64At(v.intValue, `${path}.intValue`, false);
    const number = Number(text);
    return { value: Number.isSafeInteger(number) ? number : text, type: 'int' };
  }
  if (v.doubleValue !== undefined) {
    const d = v.doubleValue;
    // proto3 JSON writes the non-finite doubles as strings.
    if (d === 'NaN' || d === 'Infinity' || d === '-Infinity') return { value: Number(d), type: 'double' };
    if (typeof d !== 'number') fail(`${path}.doubleValue`, 'expected a number');
    return { value: d, type: 'double' };
  }
  if (v.arrayValue !== undefined) {
    const array = objectAt(v.arrayValue, `${path}.arrayValue`);
    const values = listAt(array?.values, `${path}.arrayValue.values`);
    return { value: values.map((item, index) => anyValue(item, `${path}.arrayValue.values[${index}]`).value), type: 'array' };
  }
  if (v.kvlistValue !== undefined) {
    const kvlist = objectAt(v.kvlistValue, `${path}.kvlistValue`);
    const { attributes } = keyValues(kvlist?.values, `${path}.kvlistValue.values`);
    return { value: attributes, type: 'kvlist' };
  }
  if (v.bytesValue !== undefined) {
    const text = stringAt(v.bytesValue, `${path}.bytesValue`);
    if (!BASE64.test(text)) fail(`${path}.bytesValue`, 'expected base64');
    return { value: text, type: 'bytes' };
  }
  return { value: null, type: 'empty' };
}

function keyValues(
  list: unknown,
  path: string,
): { attributes: Record<string, OtlpAttributeValue>; attributeTypes: Record<string, OtlpAttributeType> } {
  // Null-prototype records: an attribute named "__proto__" or "constructor" is plain data here.
  const attributes: Record<string, OtlpAttributeValue> = Object.create(null) as Record<string, OtlpAttributeValue>;
  const attributeTypes: Record<string, OtlpAttributeType> = Object.create(null) as Record<string, OtlpAttributeType>;
  listAt(list, path).forEach((item, index) => {
    const kv = objectAt(item, `${path}[${index}]`) ?? fail(`${path}[${index}]`, 'expected a KeyValue');
    const key = stringAt(kv.key, `${path}[${index}].key`);
    const { value, type } = anyValue(kv.value, `${path}[${index}].value`);
    attributes[key] = value;
    attributeTypes[key] = type;
  });
  return { attributes: { ...attributes }, attributeTypes: { ...attributeTypes } };
}

function normaliseRequest(request: unknown, form: IdForm): OtlpSpan[] {
  const root = objectAt(request, '$') ?? fail('$', 'expected an ExportTraceServiceRequest object');
  const spans: OtlpSpan[] = [];
  listAt(root.resourceSpans, '$.resourceSpans').forEach((rawResourceSpans, r) => {
    const rPath = `$.resourceSpans[${r}]`;
    const resourceSpans = objectAt(rawResourceSpans, rPath) ?? fail(rPath, 'expected an object');
    const resource = objectAt(resourceSpans.resource, `${rPath}.resource`);
    const resourceAttributes = keyValues(resource?.attributes, `${rPath}.resource.attributes`);
    listAt(resourceSpans.scopeSpans, `${rPath}.scopeSpans`).forEach((rawScopeSpans, s) => {
      const sPath = `${rPath}.scopeSpans[${s}]`;
      const scopeSpans = objectAt(rawScopeSpans, sPath) ?? fail(sPath, 'expected an object');
      const rawScope = objectAt(scopeSpans.scope, `${sPath}.scope`);
      const scopeVersion = stringAt(rawScope?.version, `${sPath}.scope.version`);
      const scope = { name: stringAt(rawScope?.name, `${sPath}.scope.name`), ...(scopeVersion ? { version: scopeVersion } : {}) };
      listAt(scopeSpans.spans, `${sPath}.spans`).forEach((rawSpan, i) => {
        const path = `${sPath}.spans[${i}]`;
        const span = objectAt(rawSpan, path) ?? fail(path, 'expected an object');
        spans.push({
          ...spanCore(span, path, form),
          resource: { ...resourceAttributes.attributes },
          resourceAttributeTypes: { ...resourceAttributes.attributeTypes },
          scope: { ...scope },
        });
      });
    });
  });
  return spans;
}

function spanCore(span: Json, path: string, form: IdForm): Omit<OtlpSpan, 'resource' | 'resourceAttributeTypes' | 'scope'> {
  const parentSpanId = idAt(span.parentSpanId, `${path}.parentSpanId`, form, 8);
  const traceState = stringAt(span.traceState, `${path}.traceState`);
  const flags = int32At(span.flags, `${path}.flags`);
  const { attributes, attributeTypes } = keyValues(span.attributes, `${path}.attributes`);
  const rawStatus = objectAt(span.status, `${path}.status`);
  const statusMessage = stringAt(rawStatus?.message, `${path}.status.message`);
  return {
    traceId: requiredId(span.traceId, `${path}.traceId`, form, 16),
    spanId: requiredId(span.spanId, `${path}.spanId`, form, 8),
    ...(parentSpanId !== undefined ? { parentSpanId } : {}),
    ...(traceState ? { traceState } : {}),
    ...(flags !== 0 ? { flags } : {}),
    name: stringAt(span.name, `${path}.name`),
    kind: int32At(span.kind, `${path}.kind`),
    startTimeUnixNano: int64At(span.startTimeUnixNano, `${path}.startTimeUnixNano`, true),
    endTimeUnixNano: int64At(span.endTimeUnixNano, `${path}.endTimeUnixNano`, true),
    attributes,
    attributeTypes,
    droppedAttributesCount: int32At(span.droppedAttributesCount, `${path}.droppedAttributesCount`),
    events: listAt(span.events, `${path}.events`).map((rawEvent, e) => {
      const ePath = `${path}.events[${e}]`;
      const event = objectAt(rawEvent, ePath) ?? fail(ePath, 'expected an object');
      return {
        name: stringAt(event.name, `${ePath}.name`),
        timeUnixNano: int64At(event.timeUnixNano, `${ePath}.timeUnixNano`, true),
        ...keyValues(event.attributes, `${ePath}.attributes`),
        droppedAttributesCount: int32At(event.droppedAttributesCount, `${ePath}.droppedAttributesCount`),
      };
    }),
    droppedEventsCount: int32At(span.droppedEventsCount, `${path}.droppedEventsCount`),
    links: listAt(span.links, `${path}.links`).map((rawLink, l) => {
      const lPath = `${path}.links[${l}]`;
      const link = objectAt(rawLink, lPath) ?? fail(lPath, 'expected an object');
      const linkState = stringAt(link.traceState, `${lPath}.traceState`);
      const linkFlags = int32At(link.flags, `${lPath}.flags`);
      return {
        traceId: requiredId(link.traceId, `${lPath}.traceId`, form, 16),
        spanId: requiredId(link.spanId, `${lPath}.spanId`, form, 8),
        ...(linkState ? { traceState: linkState } : {}),
        ...(linkFlags !== 0 ? { flags: linkFlags } : {}),
        ...keyValues(link.attributes, `${lPath}.attributes`),
        droppedAttributesCount: int32At(link.droppedAttributesCount, `${lPath}.droppedAttributesCount`),
      };
    }),
    droppedLinksCount: int32At(span.droppedLinksCount, `${path}.droppedLinksCount`),
    ...(rawStatus !== undefined
      ? { status: { code: int32At(rawStatus.code, `${path}.status.code`), ...(statusMessage ? { message: statusMessage } : {}) } }
      : {}),
  };
}
