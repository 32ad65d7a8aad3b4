// OTLP request encoders and response decoders, checked against the official definitions: every
// protobuf request we encode is decoded with the generated code shipped in
// @opentelemetry/otlp-transformer (protobufjs, generated from opentelemetry-proto) and, where that
// code can, re-encoded byte for byte; every JSON request is parsed and compared field by field
// with what the OTLP/JSON rules say, and its shape with the official JSON serializer's output.
// Expectations are built from the span model by the rules alone (BigInt nanoseconds, Buffer's
// own UTF-8), never by the code under test.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { decodeExportResponse, decodeStatusMessage } from '../src/export/otlp/decode-response.js';
import { encodeTraceRequestJson } from '../src/export/otlp/encode-json.js';
import { encodeTraceRequestProtobuf } from '../src/export/otlp/encode-protobuf.js';
import { ProtobufWriter } from '../src/export/otlp/protobuf-writer.js';
import {
  SpanKind,
  StatusCode,
  type OtlpAttribute,
  type OtlpEvent,
  type OtlpLink,
  type OtlpResourceSpans,
  type OtlpSpan,
  type OtlpValue,
  type SpanKindValue,
  type StatusCodeValue,
} from '../src/export/otlp/span-model.js';

// ---------------------------------------------------------------------------------------------
// The official definitions, typed as far as these tests use them.

interface ToObjectOptions {
  longs?: StringConstructor;
}
interface MessageType {
  decode(bytes: Uint8Array): object;
  encode(message: object): { finish(): Uint8Array };
  fromObject(object: Record<string, unknown>): object;
  toObject(message: object, options?: ToObjectOptions): Record<string, unknown>;
}
interface PbReader {
  pos: number;
  len: number;
  uint32(): number;
  fixed32(): number;
  bytes(): Uint8Array;
  skipType(wireType: number): PbReader;
}
interface PbWriter {
  uint32(value: number): PbWriter;
  int32(value: number): PbWriter;
  string(value: string): PbWriter;
  bytes(value: Uint8Array): PbWriter;
  fork(): PbWriter;
  ldelim(): PbWriter;
  finish(): Uint8Array;
}
interface OfficialRoot {
  opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: MessageType; ExportTraceServiceResponse: MessageType } } } } };
}
interface OfficialTransformer {
  JsonTraceSerializer: { serializeRequest(spans: readonly object[]): Uint8Array | undefined };
}

const require = createRequire(import.meta.url);
const transformerPath = require.resolve('@opentelemetry/otlp-transformer');
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js') as OfficialRoot;
const transformer = require(transformerPath) as OfficialTransformer;
// protobufjs exactly as the generated code loads it: used only to write a google.rpc.Status body
// (not part of root.js) and to read Span.flags (see spanFlagsOf).
const protobuf = createRequire(transformerPath)('protobufjs/minimal') as {
  Reader: { create(bytes: Uint8Array): PbReader };
  Writer: { create(): PbWriter };
};
const { ExportTraceServiceRequest, ExportTraceServiceResponse } = root.opentelemetry.proto.collector.trace.v1;

// ---------------------------------------------------------------------------------------------
// Expectations from the model, by the rules of the OTLP spec.

type Form = 'proto' | 'json';
type Obj = Record<string, unknown>;

/** What a string becomes on the wire: its UTF-8 bytes (lone surrogates → U+FFFD) read back. */
function wireString(value: string): string {
  return Buffer.from(value, 'utf8').toString('utf8');
}

function expectedValue(value: OtlpValue, form: Form): Obj {
  if (typeof value === 'string') return { stringValue: wireString(value) };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return { intValue: BigInt(value).toString() };
    return { doubleValue: expectedDouble(value, form) };
  }
  if ('double' in value) return { doubleValue: expectedDouble(value.double, form) };
  return { arrayValue: value.length === 0 ? {} : { values: value.map((v) => expectedValue(v, form)) } };
}

function expectedDouble(value: number, form: Form): number | string {
  // proto3 JSON: non-finite doubles are the strings "NaN", "Infinity", "-Infinity".
  return form === 'json' && !Number.isFinite(value) ? String(value) : value;
}

function expectedAttributes(attributes: readonly OtlpAttribute[], form: Form): Obj[] {
  return attributes.map((a) => (a.key === '' ? { value: expectedValue(a.value, form) } : { key: wireString(a.key), value: expectedValue(a.value, form) }));
}

/** Nanoseconds as a decimal string, from whole microseconds (the test's source of truth). */
function nanos(micros: bigint): string {
  return (micros * 1000n).toString();
}

interface TimedModel {
  model: OtlpResourceSpans[];
  /** Whole microseconds behind every time in `model`, keyed by the seconds value's identity. */
  micros: Map<number, bigint>;
}

function microsOf(seconds: number, micros: Map<number, bigint>): bigint {
  const us = micros.get(seconds);
  assert.ok(us !== undefined, `test bug: no microseconds recorded for ${seconds}`);
  return us;
}

function expectedRequest({ model, micros }: TimedModel, form: Form): Obj {
  const setIf = (o: Obj, key: string, value: unknown, present: boolean): void => {
    if (present) o[key] = value;
  };
  return {
    resourceSpans: model.map((rs) => {
      const out: Obj = {};
      setIf(out, 'resource', { attributes: expectedAttributes(rs.resource, form) }, rs.resource.length > 0);
      const scopeSpans: Obj = {};
      const scope: Obj = {};
      setIf(scope, 'name', wireString(rs.scope.name), rs.scope.name !== '');
      setIf(scope, 'version', wireString(rs.scope.version ?? ''), (rs.scope.version ?? '') !== '');
      setIf(scopeSpans, 'scope', scope, Object.keys(scope).length > 0);
      setIf(
        scopeSpans,
        'spans',
        rs.spans.map((s) => {
          const span: Obj = {};
          setIf(span, 'traceId', s.traceId, s.traceId !== '');
          setIf(span, 'spanId', s.spanId, s.spanId !== '');
          setIf(span, 'traceState', wireString(s.traceState ?? ''), (s.traceState ?? '') !== '');
          setIf(span, 'parentSpanId', s.parentSpanId, (s.parentSpanId ?? '') !== '');
          // The 0.200.0 generated code predates Span.flags: checked separately for protobuf.
          setIf(span, 'flags', s.flags, form === 'json' && (s.flags ?? 0) !== 0);
          setIf(span, 'name', wireString(s.name), s.name !== '');
          setIf(span, 'kind', s.kind, s.kind !== 0);
          const start = microsOf(s.startTime, micros);
          const end = microsOf(s.endTime, micros);
          setIf(span, 'startTimeUnixNano', nanos(start), start !== 0n);
          setIf(span, 'endTimeUnixNano', nanos(end), end !== 0n);
          setIf(span, 'attributes', expectedAttributes(s.attributes, form), s.attributes.length > 0);
          const events = s.events ?? [];
          setIf(
            span,
            'events',
            events.map((e) => {
              const event: Obj = {};
              const t = microsOf(e.time, micros);
              setIf(event, 'timeUnixNano', nanos(t), t !== 0n);
              setIf(event, 'name', wireString(e.name), e.name !== '');
              setIf(event, 'attributes', expectedAttributes(e.attributes, form), e.attributes.length > 0);
              return event;
            }),
            events.length > 0,
          );
          const links = s.links ?? [];
          setIf(
            span,
            'links',
            links.map((l) => {
              const link: Obj = { traceId: l.traceId, spanId: l.spanId };
              setIf(link, 'traceState', wireString(l.traceState ?? ''), (l.traceState ?? '') !== '');
              setIf(link, 'attributes', expectedAttributes(l.attributes, form), l.attributes.length > 0);
              return link;
            }),
            links.length > 0,
          );
          const status: Obj = {};
          setIf(status, 'message', wireString(s.status?.message ?? ''), (s.status?.message ?? '') !== '');
          setIf(status, 'code', s.status?.code, (s.status?.code ?? 0) !== 0);
          setIf(span, 'status', status, Object.keys(status).length > 0);
          return span;
        }),
        rs.spans.length > 0,
      );
      out.scopeSpans = [scopeSpans];
      return out;
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading what we wrote, with the official tools only.

/** Official decode → plain object (int64/fixed64 as decimal strings), ids bytes → hex. */
function officialDecode(bytes: Uint8Array): Obj {
  const message = ExportTraceServiceRequest.decode(bytes);
  return idsToHex(ExportTraceServiceRequest.toObject(message, { longs: String })) as Obj;
}

function idsToHex(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(idsToHex);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, idsToHex(v)]));
  }
  return value;
}

/** The official encoding of the same request (for the byte-for-byte check). */
function officialEncode(expectedProto: Obj): Uint8Array {
  const hexToBytes = (value: unknown, key: string): unknown => {
    if (typeof value === 'string' && /^(traceId|spanId|parentSpanId)$/.test(key)) return Buffer.from(value, 'hex');
    if (Array.isArray(value)) return value.map((v) => hexToBytes(v, ''));
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hexToBytes(v, k)]));
    return value;
  };
  return ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(hexToBytes(expectedProto, '') as Obj)).finish();
}

/**
 * `Span.flags` (field 16, fixed32) of every span, in order. The generated code in
 * @opentelemetry/otlp-transformer 0.200.0 predates the field (opentelemetry-proto 1.1) and skips
 * it, so we walk the message with protobufjs' own Reader at the field numbers of the generated
 * code (request 1 → ResourceSpans 2 → ScopeSpans 2 → Span) and of upstream trace.proto (16).
 */
function spanFlagsOf(bytes: Uint8Array): (number | undefined)[] {
  const children = (message: Uint8Array, field: number): Uint8Array[] => {
    const reader = protobuf.Reader.create(message);
    const out: Uint8Array[] = [];
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      if (tag >>> 3 === field && (tag & 7) === 2) out.push(reader.bytes());
      else reader.skipType(tag & 7);
    }
    return out;
  };
  const flags: (number | undefined)[] = [];
  for (const rs of children(bytes, 1)) {
    for (const ss of children(rs, 2)) {
      for (const span of children(ss, 2)) {
        const reader = protobuf.Reader.create(span);
        let value: number | undefined;
        while (reader.pos < reader.len) {
          const tag = reader.uint32();
          if (tag === ((16 << 3) | 5)) value = reader.fixed32();
          else reader.skipType(tag & 7);
        }
        flags.push(value);
      }
    }
  }
  return flags;
}

function withoutFlags(model: readonly OtlpResourceSpans[]): OtlpResourceSpans[] {
  return model.map((rs) => ({ ...rs, spans: rs.spans.map((s) => ({ ...s, flags: undefined })) }));
}

/** Every check, for one model: official decode, byte identity, flags, and the JSON form. */
function assertRoundTrip(timed: TimedModel, label = ''): void {
  const bytes = encodeTraceRequestProtobuf(timed.model);
  const expectedProto = expectedRequest(timed, 'proto');
  assert.deepStrictEqual(officialDecode(bytes), expectedProto, `protobuf ${label}`);
  assert.deepStrictEqual(
    spanFlagsOf(bytes),
    timed.model.flatMap((rs) => rs.spans.map((s) => (s.flags ?? 0) !== 0 ? s.flags : undefined)),
    `flags ${label}`,
  );
  // Same bytes as the official encoder (field order, minimal varints, presence rules); flags
  // aside, which that encoder cannot write.
  assert.deepStrictEqual(Buffer.from(encodeTraceRequestProtobuf(withoutFlags(timed.model))), Buffer.from(officialEncode(expectedProto)), `bytes ${label}`);
  const json = encodeTraceRequestJson(timed.model);
  assert.deepStrictEqual(JSON.parse(json), expectedRequest(timed, 'json'), `json ${label}`);
}

// ---------------------------------------------------------------------------------------------
// Models.

/** A time from whole microseconds, remembered so the expectation never derives it from seconds. */
function timeAt(micros: bigint, table: Map<number, bigint>): number {
  const seconds = Number(micros) / 1e6;
  table.set(seconds, micros);
  return seconds;
}

const TRACE_ID = '5759e988bd862e3fe1be46a994272793';
const SPAN_ID = '53995c3f42cd8ad8';
const PARENT_ID = '0123456789abcdef';

function typicalHttpSpan(micros: Map<number, bigint>): OtlpSpan {
  return {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    parentSpanId: PARENT_ID,
    traceState: 'xray=1,vendor=abc',
    flags: 0x301,
    name: 'GET /api/activities/home',
    kind: SpanKind.SERVER,
    startTime: timeAt(1_767_225_600_123_456n, micros), // 2026-01-01T00:00:00.123456Z
    endTime: timeAt(1_767_225_600_456_789n, micros),
    attributes: [
      { key: 'http.request.method', value: 'GET' },
      { key: 'url.path', value: '/api/activities/home' },
      { key: 'http.response.status_code', value: 200 },
      { key: 'server.address', value: 'backend.cruddur.internal' },
      { key: 'server.port', value: 4567 },
      { key: 'user_agent.original', value: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36' },
      { key: 'client.address', value: '203.0.113.7' },
      { key: 'network.protocol.version', value: '1.1' },
      { key: 'http.route', value: '/api/activities/home' },
      { key: 'aws.xray.annotations.tenant', value: 'acme' },
      { key: 'retry', value: false },
      { key: 'ratio', value: 0.25 },
      { key: 'latency_ms', value: { double: 12 } },
      { key: 'tags', value: ['a', 'b'] },
      { key: 'negative', value: -42 },
    ],
    status: { code: StatusCode.UNSET },
  };
}

function request(spans: OtlpSpan[], resource: OtlpAttribute[] = [{ key: 'service.name', value: 'backend-flask' }]): OtlpResourceSpans[] {
  return [{ resource, scope: { name: '@cruddur/middleware', version: '0.1.0' }, spans }];
}

// ---------------------------------------------------------------------------------------------
// Field-by-field round trips.

test('a typical HTTP server span round-trips every field through the official decoder', () => {
  const micros = new Map<number, bigint>();
  const timed = { model: request([typicalHttpSpan(micros)]), micros };
  assertRoundTrip(timed);
  const decoded = officialDecode(encodeTraceRequestProtobuf(timed.model));
  // Spot checks in the official decoder's own terms, so a shared mistake in the expectation
  // builder could not hide one in the encoder.
  const span = ((decoded.resourceSpans as Obj[])[0]?.scopeSpans as Obj[])[0]?.spans as Obj[];
  assert.equal(span[0]?.traceId, TRACE_ID);
  assert.equal(span[0]?.startTimeUnixNano, '1767225600123456000');
  assert.equal(span[0]?.kind, 2);
});

test('every attribute value kind, including edge numbers and strings', () => {
  const micros = new Map<number, bigint>();
  const values: OtlpValue[] = [
    0,
    1,
    -1,
    127,
    128,
    -128,
    2 ** 31,
    -(2 ** 31),
    2 ** 32,
    -(2 ** 32) - 1,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    2 ** 53, // not a safe integer: a double
    -0, // a safe integer: intValue "0"
    { double: -0 },
    { double: 7 },
    { double: Number.MAX_SAFE_INTEGER },
    0.1,
    -1.5e-300,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    NaN,
    Infinity,
    -Infinity,
    { double: NaN },
    true,
    false,
    '',
    'plain',
    'é中😀',
    'quote " backslash \\ newline \n nul \u0000 tab \t',
    'lone high \ud800 end',
    'lone low \udc00 end',
    '\udbff',
    'reversed \udc00\ud800 pair',
    '😀'.repeat(30), // 60 units, 120 bytes: the JS path near the 1-byte length edge
    'é'.repeat(64), // 128 bytes: a 2-byte length
    'x'.repeat(65), // native encoder path
    'é😀\ud800'.repeat(500), // native path with a lone surrogate and a long body
    [],
    [''],
    ['a', 1, true, 2.5, -7, NaN, 'é'],
  ];
  const span: OtlpSpan = {
    ...typicalHttpSpan(micros),
    attributes: values.map((value, i) => ({ key: `k${i}`, value })),
  };
  assertRoundTrip({ model: request([span]), micros });
});

test('lone surrogates become U+FFFD in both encodings; well-formed pairs survive', () => {
  const micros = new Map<number, bigint>();
  const span: OtlpSpan = { ...typicalHttpSpan(micros), name: 'a\ud800b😀\udc00', attributes: [] };
  const proto = officialDecode(encodeTraceRequestProtobuf(request([span])));
  const protoName = (((proto.resourceSpans as Obj[])[0]?.scopeSpans as Obj[])[0]?.spans as Obj[])[0]?.name;
  const jsonText = encodeTraceRequestJson(request([span]));
  const jsonName = (JSON.parse(jsonText) as { resourceSpans: [{ scopeSpans: [{ spans: [{ name: string }] }] }] }).resourceSpans[0].scopeSpans[0].spans[0].name;
  assert.equal(protoName, 'a\ufffdb😀\ufffd');
  assert.equal(jsonName, 'a\ufffdb😀\ufffd');
  // And the JSON text itself is well formed (no lone surrogate escapes for a receiver to reject).
  assert.doesNotMatch(jsonText, /\\ud[89ab]/i);
});

test('times are exact to the microsecond in 2026 and 2106', () => {
  const micros = new Map<number, bigint>();
  const random = mulberry32(2106);
  const starts = [1_767_225_600_000_000n /* 2026-01-01 */, 4_291_747_200_000_000n /* 2106-01-01 */];
  const spans: OtlpSpan[] = [];
  let naiveMisses = 0;
  for (const base of starts) {
    for (let i = 0; i < 2000; i++) {
      const us = base + BigInt(Math.floor(random() * 365 * 86_400e6));
      const seconds = timeAt(us, micros);
      if (BigInt(Math.round(seconds * 1e6)) !== us) naiveMisses++;
      spans.push({ traceId: TRACE_ID, spanId: SPAN_ID, name: 't', kind: SpanKind.INTERNAL, startTime: seconds, endTime: timeAt(us + 1n, micros), attributes: [], events: [{ name: 'e', time: timeAt(us + 999_999n, micros), attributes: [] }] });
    }
  }
  assertRoundTrip({ model: request(spans), micros });
  // Documents why the encoder corrects `Math.round(seconds * 1e6)`: near 2106 it misses.
  assert.ok(naiveMisses > 0, 'expected naive rounding to miss some 2106 microseconds');
  // The edge values: the first microsecond, and the largest fixed64 second count we can reach.
  const edge = new Map<number, bigint>();
  const edgeSpan: OtlpSpan = { traceId: TRACE_ID, spanId: SPAN_ID, name: 'edge', kind: SpanKind.INTERNAL, startTime: timeAt(1n, edge), endTime: timeAt(4_294_967_295_999_999n, edge), attributes: [] };
  assertRoundTrip({ model: request([edgeSpan]), micros: edge });
});

test('times with sub-microsecond digits round to the nearest microsecond; bad times are omitted', () => {
  const base = { traceId: TRACE_ID, spanId: SPAN_ID, name: 'x', kind: SpanKind.INTERNAL, attributes: [] } as const;
  const decodedTimes = (span: OtlpSpan): Obj => {
    const s = (((officialDecode(encodeTraceRequestProtobuf(request([span]))).resourceSpans as Obj[])[0]?.scopeSpans as Obj[])[0]?.spans as Obj[])[0] ?? {};
    return { start: s.startTimeUnixNano, end: s.endTimeUnixNano };
  };
  assert.deepStrictEqual(decodedTimes({ ...base, startTime: 1733456789.1234567, endTime: 1733456789.1234562 }), { start: '1733456789123457000', end: '1733456789123456000' });
  assert.deepStrictEqual(decodedTimes({ ...base, startTime: NaN, endTime: -1 }), { start: undefined, end: undefined });
  const json = JSON.parse(encodeTraceRequestJson(request([{ ...base, startTime: Infinity, endTime: 0 }]))) as { resourceSpans: [{ scopeSpans: [{ spans: [Obj] }] }] };
  assert.deepStrictEqual(json.resourceSpans[0].scopeSpans[0].spans[0], { traceId: TRACE_ID, spanId: SPAN_ID, name: 'x', kind: 1 });
});

test('multiple resources, scopes, many spans, events, links and status', () => {
  const micros = new Map<number, bigint>();
  const t = (us: bigint): number => timeAt(1_767_225_600_000_000n + us, micros);
  const events: OtlpEvent[] = [
    { name: 'exception', time: t(5n), attributes: [{ key: 'exception.type', value: 'TypeError' }, { key: 'exception.message', value: 'x is undefined' }, { key: 'exception.stacktrace', value: 'TypeError: x is undefined\n    at handler (/app/a.js:1:1)\n'.repeat(40) }] },
    { name: '', time: t(6n), attributes: [] },
  ];
  const links: OtlpLink[] = [
    { traceId: 'ffffffffffffffffffffffffffffffff', spanId: '0000000000000001', traceState: 'k=v', attributes: [{ key: 'link.kind', value: 'follows' }] },
    { traceId: TRACE_ID, spanId: SPAN_ID, attributes: [] },
  ];
  const spans = (n: number, offset: number): OtlpSpan[] =>
    Array.from({ length: n }, (_, i) => ({
      traceId: TRACE_ID,
      spanId: (offset + i).toString(16).padStart(16, '0'),
      parentSpanId: i % 2 === 0 ? PARENT_ID : undefined,
      name: `span ${i}`,
      kind: ((offset + i) % 6) as SpanKindValue,
      startTime: t(BigInt(i) * 1000n),
      endTime: t(BigInt(i) * 1000n + 999n),
      attributes: [{ key: 'i', value: i }],
      events: i % 3 === 0 ? events : undefined,
      links: i % 4 === 0 ? links : [],
      status: { code: (i % 3) as StatusCodeValue, message: i % 3 === 2 ? 'failed' : undefined },
      flags: i % 5 === 0 ? 1 : undefined,
    }));
  const model: OtlpResourceSpans[] = [
    { resource: [{ key: 'service.name', value: 'backend' }, { key: 'host.cpus', value: 2 }], scope: { name: 'a', version: '1.0.0' }, spans: spans(600, 0) },
    { resource: [], scope: { name: '' }, spans: spans(3, 1000) },
    { resource: [{ key: 'service.name', value: 'worker' }], scope: { name: 'b', version: '' }, spans: [] },
    { resource: [{ key: 'service.name', value: 'big' }], scope: { name: 'c' }, spans: spans(5000, 10_000) },
  ];
  assertRoundTrip({ model, micros });
  // The last ScopeSpans passes 2 MiB, so its 3 reserved length bytes had to grow to 4.
  assert.ok(encodeTraceRequestProtobuf([model[3] as OtlpResourceSpans]).length > 2 * 1024 * 1024);
  assert.equal(encodeTraceRequestJson([]), '{"resourceSpans":[]}');
  assert.equal(encodeTraceRequestProtobuf([]).length, 0);
});

test('uppercase or malformed ids carry the same bytes in both encodings', () => {
  const micros = new Map<number, bigint>();
  const span: OtlpSpan = { ...typicalHttpSpan(micros), traceId: TRACE_ID.toUpperCase(), spanId: '53995c3f42cd8aXz', parentSpanId: 'abc' };
  const proto = (((officialDecode(encodeTraceRequestProtobuf(request([span]))).resourceSpans as Obj[])[0]?.scopeSpans as Obj[])[0]?.spans as Obj[])[0] ?? {};
  const json = (JSON.parse(encodeTraceRequestJson(request([span]))) as { resourceSpans: [{ scopeSpans: [{ spans: [Obj] }] }] }).resourceSpans[0].scopeSpans[0].spans[0];
  assert.deepStrictEqual([proto.traceId, proto.spanId, proto.parentSpanId], [TRACE_ID, '53995c3f42cd8a00', 'ab']);
  assert.deepStrictEqual([json.traceId, json.spanId, json.parentSpanId], [TRACE_ID, '53995c3f42cd8a00', 'ab']);
});

test('the official JSON serializer writes ids, times and enums the way we do', () => {
  const micros = new Map<number, bigint>();
  const ours = typicalHttpSpan(micros);
  const exceptionTime = timeAt(1_767_225_600_200_000n, micros);
  const span: OtlpSpan = { ...ours, events: [{ name: 'exception', time: exceptionTime, attributes: [{ key: 'exception.message', value: 'boom' }] }], status: { code: StatusCode.ERROR, message: 'boom' } };
  const hr = (us: bigint): [number, number] => [Number(us / 1_000_000n), Number((us % 1_000_000n) * 1000n)];
  // A ReadableSpan as the SDK hands it to the serializer (API kind SERVER = 1, proto = 2).
  const readable = {
    name: span.name,
    kind: 1,
    spanContext: () => ({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 }),
    parentSpanContext: { traceId: TRACE_ID, spanId: PARENT_ID, traceFlags: 1 },
    startTime: hr(1_767_225_600_123_456n),
    endTime: hr(1_767_225_600_456_789n),
    attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200 },
    droppedAttributesCount: 0,
    events: [{ name: 'exception', time: hr(1_767_225_600_200_000n), attributes: { 'exception.message': 'boom' }, droppedAttributesCount: 0 }],
    droppedEventsCount: 0,
    status: { code: 2, message: 'boom' },
    links: [],
    droppedLinksCount: 0,
    resource: { attributes: { 'service.name': 'backend-flask' } },
    instrumentationScope: { name: '@cruddur/middleware', version: '0.1.0' },
  };
  const officialBytes = transformer.JsonTraceSerializer.serializeRequest([readable]);
  assert.ok(officialBytes);
  type JsonSpan = { traceId: string; spanId: string; parentSpanId: string; kind: number; startTimeUnixNano: unknown; endTimeUnixNano: unknown; status: { code: number }; events: { timeUnixNano: unknown }[]; attributes: { key: string; value: Obj }[] };
  type JsonRequest = { resourceSpans: [{ resource: { attributes: { key: string; value: Obj }[] }; scopeSpans: [{ scope: Obj; spans: [JsonSpan] }] }] };
  const official = JSON.parse(Buffer.from(officialBytes).toString('utf8')) as JsonRequest;
  const mine = JSON.parse(encodeTraceRequestJson(request([span]))) as JsonRequest;
  const a = official.resourceSpans[0].scopeSpans[0].spans[0];
  const b = mine.resourceSpans[0].scopeSpans[0].spans[0];
  for (const key of ['traceId', 'spanId', 'parentSpanId', 'kind', 'startTimeUnixNano', 'endTimeUnixNano'] as const) {
    assert.equal(typeof b[key], typeof a[key], key);
    assert.equal(b[key], a[key], key);
  }
  assert.match(b.traceId, /^[0-9a-f]{32}$/);
  assert.equal(b.status.code, a.status.code);
  assert.equal(b.events[0]?.timeUnixNano, a.events[0]?.timeUnixNano);
  assert.deepStrictEqual(mine.resourceSpans[0].scopeSpans[0].scope, official.resourceSpans[0].scopeSpans[0].scope);
  assert.deepStrictEqual(mine.resourceSpans[0].resource.attributes, official.resourceSpans[0].resource.attributes);
  assert.deepStrictEqual(b.attributes.find((x) => x.key === 'http.request.method'), a.attributes.find((x) => x.key === 'http.request.method'));
  // One deliberate difference: the spec writes int64 as a decimal string; the official
  // serializer writes a JSON number. Receivers accept both; the value is the same.
  const ourStatus = b.attributes.find((x) => x.key === 'http.response.status_code')?.value;
  const theirStatus = a.attributes.find((x) => x.key === 'http.response.status_code')?.value;
  assert.deepStrictEqual(ourStatus, { intValue: '200' });
  assert.deepStrictEqual(theirStatus, { intValue: 200 });
});

// ---------------------------------------------------------------------------------------------
// Property test: random models encode and decode identically.

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomModel(random: () => number): TimedModel {
  const micros = new Map<number, bigint>();
  const int = (n: number): number => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const hex = (n: number): string => Array.from({ length: n }, () => '0123456789abcdef'[int(16)]).join('');
  const pieces = ['a', 'Z', ' ', '"', '\\', '\n', '\u0000', '\u001f', '\u007f', 'é', 'ß', '中', '€', '😀', '👩‍💻', '\ud800', '\udfff', '\ufffd', '/', '<', '\u2028'];
  const str = (): string => {
    const r = random();
    if (r < 0.1) return '';
    const n = r < 0.95 ? int(20) : 40 + int(400);
    let s = '';
    for (let i = 0; i < n; i++) s += random() < 0.6 ? String.fromCharCode(97 + int(26)) : pick(pieces);
    return s;
  };
  const num = (): number =>
    pick<() => number>([
      () => int(300) - 150,
      () => Math.floor((random() - 0.5) * 2 * Number.MAX_SAFE_INTEGER),
      () => (random() - 0.5) * 10 ** (int(40) - 20),
      () => pick([NaN, Infinity, -Infinity, -0, 2 ** 53, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 32, -(2 ** 32)]),
    ])();
  const value = (): OtlpValue => {
    switch (int(6)) {
      case 0:
        return str();
      case 1:
        return num();
      case 2:
        return random() < 0.5;
      case 3:
        return { double: num() };
      case 4:
        return Array.from({ length: int(4) }, () => pick<() => string | number | boolean>([str, num, () => random() < 0.5])());
      default:
        return int(1000);
    }
  };
  const attributes = (max: number): OtlpAttribute[] => Array.from({ length: int(max + 1) }, () => ({ key: random() < 0.05 ? '' : str() || 'k', value: value() }));
  const time = (): number => timeAt(random() < 0.02 ? 0n : BigInt(1 + int(4_294_967_295)) * 1_000_000n + BigInt(int(1_000_000)), micros);
  const model: OtlpResourceSpans[] = Array.from({ length: 1 + int(3) }, () => ({
    resource: attributes(4),
    scope: { name: str(), version: random() < 0.5 ? str() : undefined },
    spans: Array.from({ length: int(5) }, (): OtlpSpan => ({
      traceId: hex(32),
      spanId: hex(16),
      parentSpanId: random() < 0.5 ? hex(16) : undefined,
      traceState: random() < 0.2 ? str() : undefined,
      flags: random() < 0.5 ? pick([0, 1, 0x100, 0x301, 0xffffffff]) : undefined,
      name: str(),
      kind: int(6) as SpanKindValue,
      startTime: time(),
      endTime: time(),
      attributes: attributes(15),
      events: random() < 0.3 ? Array.from({ length: int(3) }, () => ({ name: str(), time: time(), attributes: attributes(3) })) : undefined,
      links: random() < 0.2 ? Array.from({ length: int(3) }, () => ({ traceId: hex(32), spanId: hex(16), traceState: random() < 0.5 ? str() : undefined, attributes: attributes(2) })) : undefined,
      status: random() < 0.5 ? { code: int(3) as StatusCodeValue, message: random() < 0.5 ? str() : undefined } : undefined,
    })),
  }));
  return { model, micros };
}

test('3000 random span models encode and decode identically (seeded)', () => {
  const random = mulberry32(0x07_1a_2b_3c);
  for (let i = 0; i < 3000; i++) assertRoundTrip(randomModel(random), `model #${i}`);
});

// Spans of a service repeat each other's attributes; the encoder reuses the bytes it wrote for the
// previous span of the same kind. Models drawn from a small vocabulary make every case happen:
// whole lists equal to the previous one, one attribute changed (first, middle, last), the same
// count with other keys, lists one longer or shorter, equal and changed arrays, kinds interleaved.
function repetitiveModel(random: () => number, previous: OtlpSpan | undefined): TimedModel {
  const micros = new Map<number, bigint>();
  const int = (n: number): number => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const keys = ['http.request.method', 'url.path', 'server.port', 'route', 'aws.xray.annotations', 'é.key', 'client.address'];
  const values: readonly (() => OtlpValue)[] = [
    () => pick(['GET', 'POST', '', '/hello', '中文', 'x'.repeat(300)]),
    () => pick([200, 404, 0, -1, 2 ** 40, 0.5, NaN]),
    () => random() < 0.5,
    () => ({ double: pick([1, 2.5]) }),
    () => pick([['route'], ['route', 'feed'], [], [1, true]]).slice(),
  ];
  const fresh = (): OtlpAttribute => ({ key: pick(keys), value: pick(values)() });
  const mutate = (list: readonly OtlpAttribute[]): OtlpAttribute[] => {
    const out = list.map((a) => ({ key: a.key, value: Array.isArray(a.value) ? a.value.slice() : a.value }));
    const r = random();
    if (r < 0.3) return out; // the same again (equal values, new array objects)
    if (r < 0.6 && out.length > 0) out[int(out.length)] = fresh();
    else if (r < 0.75) out.push(fresh());
    else if (r < 0.9) out.pop();
    else return Array.from({ length: int(8) }, fresh);
    return out;
  };
  const spans = Array.from({ length: 1 + int(5) }, (): OtlpSpan => {
    const span: OtlpSpan = {
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      name: 'span',
      kind: pick([SpanKind.SERVER, SpanKind.CLIENT, SpanKind.SERVER]),
      startTime: timeAt(1_767_225_600_000_000n, micros),
      endTime: timeAt(1_767_225_600_000_123n, micros),
      attributes: previous === undefined ? Array.from({ length: int(8) }, fresh) : mutate(previous.attributes),
    };
    previous = span;
    return span;
  });
  return { model: request(spans), micros };
}

test('spans repeating, or partly repeating, the attributes of the span before encode exactly (seeded)', () => {
  const random = mulberry32(0x0a_7e_57_01);
  let previous: OtlpSpan | undefined;
  for (let i = 0; i < 3000; i++) {
    const timed = repetitiveModel(random, previous);
    assertRoundTrip(timed, `model #${i}`);
    previous = timed.model[0]?.spans.at(-1);
  }
});

test('the writer reserves, backpatches and grows across message sizes', () => {
  const w = new ProtobufWriter(16);
  for (const size of [0, 1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152]) {
    w.reset();
    for (const reserved of [1, 2, 3]) {
      const start0 = w.pos;
      const start = w.beginLength(reserved);
      w.ensure(size);
      w.buf.fill(7, w.pos, w.pos + size);
      w.pos += size;
      w.endLength(start, reserved);
      const reader = protobuf.Reader.create(w.buf.subarray(start0, w.pos));
      assert.equal(reader.bytes().length, size);
      assert.equal(reader.pos, w.pos - start0, `canonical length for ${size} with ${reserved} reserved`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Response decoders.

const enc = (text: string): Uint8Array => Buffer.from(text, 'utf8');
const officialResponse = (message: Record<string, unknown>): Uint8Array => ExportTraceServiceResponse.encode(ExportTraceServiceResponse.fromObject(message)).finish();

test('partial success from official protobuf response bodies', () => {
  const type = 'application/x-protobuf';
  assert.deepStrictEqual(decodeExportResponse(officialResponse({ partialSuccess: { rejectedSpans: 5, errorMessage: 'too old' } }), type), { rejectedSpans: 5, errorMessage: 'too old' });
  assert.deepStrictEqual(decodeExportResponse(officialResponse({ partialSuccess: { rejectedSpans: '1099511627776', errorMessage: 'é😀' } }), type), { rejectedSpans: 2 ** 40, errorMessage: 'é😀' });
  assert.deepStrictEqual(decodeExportResponse(officialResponse({ partialSuccess: { errorMessage: 'a warning' } }), type), { rejectedSpans: 0, errorMessage: 'a warning' });
  assert.deepStrictEqual(decodeExportResponse(officialResponse({ partialSuccess: { rejectedSpans: 3 } }), undefined), { rejectedSpans: 3, errorMessage: '' });
  // Negative counts are meaningless; an all-default partial_success is a full success.
  assert.deepStrictEqual(decodeExportResponse(officialResponse({ partialSuccess: { rejectedSpans: -2, errorMessage: 'x' } }), type), { rejectedSpans: 0, errorMessage: 'x' });
  assert.equal(decodeExportResponse(officialResponse({ partialSuccess: {} }), type), undefined);
  assert.equal(decodeExportResponse(officialResponse({}), type), undefined);
  assert.equal(decodeExportResponse(new Uint8Array(0), type), undefined);
  // Unknown fields around it are skipped.
  const withUnknown = Buffer.concat([Buffer.from([0x10, 0x01, 0x1a, 0x02, 0x61, 0x62]), officialResponse({ partialSuccess: { rejectedSpans: 1, errorMessage: 'm' } })]);
  assert.deepStrictEqual(decodeExportResponse(withUnknown, type), { rejectedSpans: 1, errorMessage: 'm' });
});

test('partial success from JSON response bodies', () => {
  const type = 'application/json; charset=utf-8';
  assert.deepStrictEqual(decodeExportResponse(enc('{"partialSuccess":{"rejectedSpans":"7","errorMessage":"bad"}}'), type), { rejectedSpans: 7, errorMessage: 'bad' });
  assert.deepStrictEqual(decodeExportResponse(enc('{"partialSuccess":{"rejectedSpans":7}}'), type), { rejectedSpans: 7, errorMessage: '' });
  assert.deepStrictEqual(decodeExportResponse(enc(' {"partial_success":{"rejected_spans":"2","error_message":"snake"}}'), undefined), { rejectedSpans: 2, errorMessage: 'snake' });
  assert.equal(decodeExportResponse(enc('{}'), type), undefined);
  assert.equal(decodeExportResponse(enc('{"partialSuccess":{}}'), type), undefined);
  assert.equal(decodeExportResponse(enc('{"partialSuccess":{"rejectedSpans":"abc"}}'), type), undefined);
  assert.equal(decodeExportResponse(enc('{"partialSuccess":{"rejectedSpans":1.5}}'), type), undefined);
  assert.equal(decodeExportResponse(enc('{"partialSuccess":{"errorMessage":5}}'), type), undefined);
  assert.equal(decodeExportResponse(enc('{"partialSuccess":'), type), undefined);
  assert.equal(decodeExportResponse(enc('[1,2]'), type), undefined);
  assert.equal(decodeExportResponse(enc('null'), type), undefined);
});

test('google.rpc.Status messages from protobuf and JSON error bodies', () => {
  // google.rpc.Status{code=1 int32, message=2 string, details=3 Any{type_url=1, value=2}},
  // written with protobufjs' Writer since root.js does not carry google.rpc.
  const status = protobuf.Writer.create()
    .uint32(8)
    .int32(3)
    .uint32(18)
    .string('invalid span: trace_id is empty')
    .uint32(26)
    .fork()
    .uint32(10)
    .string('type.googleapis.com/google.rpc.BadRequest')
    .uint32(18)
    .bytes(new Uint8Array([1, 2, 3]))
    .ldelim()
    .finish();
  assert.equal(decodeStatusMessage(status, 'application/x-protobuf'), 'invalid span: trace_id is empty');
  assert.equal(decodeStatusMessage(status, undefined), 'invalid span: trace_id is empty');
  assert.equal(decodeStatusMessage(protobuf.Writer.create().uint32(8).int32(14).finish(), 'application/x-protobuf'), undefined);
  assert.equal(decodeStatusMessage(enc('{"code":8,"message":"quota exceeded","details":[]}'), 'application/json'), 'quota exceeded');
  assert.equal(decodeStatusMessage(enc('{"code":8}'), 'application/json'), undefined);
  assert.equal(decodeStatusMessage(new Uint8Array(0), 'application/json'), undefined);
  assert.equal(decodeStatusMessage(enc('<html><body>502 Bad Gateway</body></html>'), 'text/html'), undefined);
  // Prefixes: one that cuts a field is malformed; one ending before the message has none; the
  // one ending right after it (2 + 2 + 31 bytes) is a valid Status without details.
  for (let cut = 0; cut < status.length - 1; cut++) {
    const message = decodeStatusMessage(status.subarray(0, cut), 'application/x-protobuf');
    assert.equal(message, cut === 35 ? 'invalid span: trace_id is empty' : undefined, `prefix of ${cut} bytes`);
  }
});

test('garbage never throws and reads as undefined', () => {
  const random = mulberry32(99);
  const full = officialResponse({ partialSuccess: { rejectedSpans: 300, errorMessage: 'a message' } });
  for (let cut = 1; cut < full.length; cut++) assert.equal(decodeExportResponse(full.subarray(0, cut), 'application/x-protobuf'), undefined, `prefix ${cut}`);
  const samples: Uint8Array[] = [
    enc('<html>oops</html>'),
    enc('{"partialSuccess":{"rejectedSpans":"1"'),
    new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // varint too long
    new Uint8Array([0x0a, 0x05, 0x08]), // length beyond the body
    new Uint8Array([0x0b]), // start group: not in proto3
    new Uint8Array([0x0e]), // wire type 6
    new Uint8Array([0x00]), // field 0
    new Uint8Array([0x08, 0x01]), // partial_success with the wrong wire type
    new Uint8Array([0x0a, 0x02, 0x0a, 0x00]), // rejected_spans with the wrong wire type
  ];
  for (let i = 0; i < 5000; i++) samples.push(Uint8Array.from({ length: Math.floor(random() * 40) }, () => Math.floor(random() * 256)));
  for (const body of samples) {
    for (const type of ['application/x-protobuf', 'application/json', undefined, 'text/plain']) {
      assert.doesNotThrow(() => decodeExportResponse(body, type));
      assert.doesNotThrow(() => decodeStatusMessage(body, type));
    }
  }
  for (const body of samples.slice(0, 9)) {
    assert.equal(decodeExportResponse(body, 'application/x-protobuf'), undefined);
    assert.equal(decodeExportResponse(body, undefined), undefined);
  }
});
