import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { context, diag, DiagLogLevel, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { decodeRpcStatus, type OtlpSink, type OtlpSpan, startOtlpSink } from '../src/index.js';
import { connectOnce } from './support/net.js';

// --- the official generated types, for building raw requests and decoding answers ---------------

interface ProtoType {
  decode(bytes: Uint8Array): object;
  encode(message: object): { finish(): Uint8Array };
  fromObject(object: Record<string, unknown>): object;
  toObject(message: object, options: Record<string, unknown>): Record<string, unknown>;
}
const generated = (
  createRequire(import.meta.url)('@opentelemetry/otlp-transformer/build/src/generated/root.js') as {
    opentelemetry: { proto: { collector: { trace: { v1: Record<'ExportTraceServiceRequest' | 'ExportTraceServiceResponse', ProtoType> } } } };
  }
).opentelemetry.proto.collector.trace.v1;

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';

/** An OTLP/JSON request with one span, ids as hex, int64 as numbers and strings. */
function jsonRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'raw-client' } }] },
        scopeSpans: [
          {
            scope: { name: 'raw', version: '1.0.0' },
            spans: [
              {
                traceId: TRACE_ID.toUpperCase(),
                spanId: SPAN_ID,
                name: 'GET /raw',
                kind: 2,
                startTimeUnixNano: '1718000000000000001',
                endTimeUnixNano: 1718000000,
                attributes: [
                  { key: 'http.response.status_code', value: { intValue: '200' } },
                  { key: 'big', value: { intValue: '9007199254740993' } },
                  { key: 'ratio', value: { doubleValue: 0.5 } },
                  { key: 'nan', value: { doubleValue: 'NaN' } },
                  { key: 'blob', value: { bytesValue: 'AQID' } },
                  { key: 'nested', value: { kvlistValue: { values: [{ key: 'a', value: { arrayValue: { values: [{ intValue: 1 }, { boolValue: false }] } } }] } } },
                  { key: 'nothing', value: {} },
                ],
                status: {},
                ...overrides,
              },
            ],
          },
        ],
      },
    ],
  };
}

/** The same request through the official protobuf encoder (ids as bytes, not hex). */
function protobufRequest(): Uint8Array {
  const type = generated.ExportTraceServiceRequest;
  return type
    .encode(
      type.fromObject({
        resourceSpans: [
          {
            scopeSpans: [
              {
                scope: { name: 'raw' },
                spans: [
                  {
                    traceId: Buffer.from(TRACE_ID, 'hex'),
                    spanId: Buffer.from(SPAN_ID, 'hex'),
                    name: 'proto span',
                    kind: 3,
                    startTimeUnixNano: '1718000000000000001',
                    endTimeUnixNano: '1718000000000000002',
                    attributes: [{ key: 'http.response.status_code', value: { intValue: 503 } }],
                  },
                ],
              },
            ],
          },
        ],
      }),
    )
    .finish();
}

interface RawAnswer {
  status: number;
  headers: Headers;
  body: Buffer;
}

async function post(url: string, body: Uint8Array | string, headers: Record<string, string>, method = 'POST'): Promise<RawAnswer> {
  const response = await fetch(url, { method, headers, body: method === 'GET' ? undefined : body });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

// --- the OpenTelemetry SDK as the peer ------------------------------------------------------------

const hrToNanos = ([seconds, nanos]: [number, number]): string => (BigInt(seconds) * 1_000_000_000n + BigInt(nanos)).toString();

function exportOnce(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

/** Ends one span through a throwaway provider and returns it as the SDK recorded it. */
async function recordSpan(name = 'work'): Promise<ReadableSpan> {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  provider.getTracer('fault-test').startSpan(name).end();
  await provider.forceFlush();
  const [span] = memory.getFinishedSpans();
  assert.ok(span);
  await provider.shutdown();
  return span;
}

type Compression = NonNullable<NonNullable<ConstructorParameters<typeof OTLPProtoTraceExporter>[0]>['compression']>;
const GZIP = 'gzip' as Compression;

void describe('OTLP sink with the OpenTelemetry exporters', () => {
  let sink: OtlpSink;

  before(async () => {
    sink = await startOtlpSink();
  });
  after(() => sink.close());
  beforeEach(() => {
    sink.reset();
    sink.clearFaults();
  });

  void it('decodes spans from the protobuf exporter field by field: ids, times, typed attributes, events, links, status, resource', async () => {
    const memory = new InMemorySpanExporter();
    const exporter = new OTLPProtoTraceExporter({ url: sink.tracesUrl });
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'checkout', 'service.instance.count': 3 }),
      spanProcessors: [new SimpleSpanProcessor({ exporter: memory }), new SimpleSpanProcessor({ exporter })],
    });
    const tracer = provider.getTracer('@cruddur/test', '2.1.0');
    const linked = tracer.startSpan('linked');
    linked.end();
    const parent = tracer.startSpan('GET /orders', {
      kind: SpanKind.SERVER,
      attributes: { 'http.response.status_code': 200, 'http.server.duration_ratio': 0.25, 'user.ids': ['a', 'b'], 'cache.hit': false },
      links: [{ context: linked.spanContext(), attributes: { reason: 'retry' } }],
    });
    parent.addEvent('exception', { 'exception.message': 'boom', attempt: 2 });
    parent.setStatus({ code: SpanStatusCode.ERROR, message: 'it broke' });
    const child = tracer.startSpan('SELECT orders', { kind: SpanKind.CLIENT }, trace.setSpan(context.active(), parent));
    child.end();
    parent.end();
    await provider.forceFlush();

    const spans = await sink.waitForSpans(3);
    const byName = new Map(spans.map((span) => [span.name, span]));
    const sdkParent = memory.getFinishedSpans().find((span) => span.name === 'GET /orders');
    assert.ok(sdkParent);
    const received = byName.get('GET /orders');
    assert.ok(received);

    assert.equal(received.traceId, sdkParent.spanContext().traceId);
    assert.equal(received.spanId, sdkParent.spanContext().spanId);
    assert.equal(received.parentSpanId, undefined);
    assert.equal(received.kind, 2, 'SpanKind.SERVER is OTLP 2');
    assert.equal(received.startTimeUnixNano, hrToNanos(sdkParent.startTime));
    assert.equal(received.endTimeUnixNano, hrToNanos(sdkParent.endTime));
    // The official 0.200.0 generated types predate Span.flags (field 16): protobufjs skips it.
    assert.equal(received.flags, undefined);
    assert.deepEqual(received.attributes, {
      'http.response.status_code': 200,
      'http.server.duration_ratio': 0.25,
      'user.ids': ['a', 'b'],
      'cache.hit': false,
    });
    assert.deepEqual(received.attributeTypes, {
      'http.response.status_code': 'int',
      'http.server.duration_ratio': 'double',
      'user.ids': 'array',
      'cache.hit': 'bool',
    });
    assert.equal(received.events.length, 1);
    assert.equal(received.events[0]?.name, 'exception');
    assert.equal(received.events[0]?.timeUnixNano, hrToNanos(sdkParent.events[0]?.time ?? [0, 0]));
    assert.deepEqual(received.events[0]?.attributes, { 'exception.message': 'boom', attempt: 2 });
    assert.equal(received.events[0]?.attributeTypes.attempt, 'int');
    assert.deepEqual(received.links.map((link) => [link.traceId, link.spanId, link.attributes]), [
      [linked.spanContext().traceId, linked.spanContext().spanId, { reason: 'retry' }],
    ]);
    assert.deepEqual(received.status, { code: 2, message: 'it broke' });
    assert.equal(received.resource['service.name'], 'checkout');
    assert.equal(received.resource['service.instance.count'], 3);
    assert.equal(received.resourceAttributeTypes['service.instance.count'], 'int');
    assert.deepEqual(received.scope, { name: '@cruddur/test', version: '2.1.0' });

    const receivedChild = byName.get('SELECT orders');
    assert.equal(receivedChild?.parentSpanId, received.spanId);
    assert.equal(receivedChild?.traceId, received.traceId);
    assert.equal(receivedChild?.kind, 3);

    const request = sink.requests[0];
    assert.equal(request?.contentType, 'application/x-protobuf');
    assert.equal(request?.contentEncoding, undefined);
    assert.equal(request?.answeredStatus, 200);
    assert.equal(request?.wireBytes, request?.bodyBytes);
    assert.match(request?.headers['user-agent'] ?? '', /OTel-OTLP-Exporter-JavaScript/);
    await provider.shutdown();
  });

  void it('decodes gzip JSON from the http/json exporter through a BatchSpanProcessor the same way', async () => {
    const exporter = new OTLPJsonTraceExporter({ url: sink.tracesUrl, compression: GZIP });
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'json-service' }),
      spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 10 })],
    });
    const tracer = provider.getTracer('json-scope');
    for (let i = 0; i < 5; i += 1) {
      const span = tracer.startSpan(`op-${i}`, { attributes: { 'http.response.status_code': 404, index: i, weight: 1.5 } });
      span.end();
    }
    await provider.forceFlush();
    const spans = await sink.waitForSpans(5);
    assert.deepEqual(spans.map((span) => span.name).sort(), ['op-0', 'op-1', 'op-2', 'op-3', 'op-4']);
    for (const span of spans) {
      assert.match(span.traceId, /^[0-9a-f]{32}$/);
      assert.match(span.spanId, /^[0-9a-f]{16}$/);
      assert.equal(span.attributeTypes['http.response.status_code'], 'int');
      assert.equal(span.attributeTypes.weight, 'double');
      assert.equal(span.resource['service.name'], 'json-service');
      assert.match(span.startTimeUnixNano, /^\d{19}$/);
      // OTLP/JSON carries the flags: sampled, plus "has is-remote" (0x100) for a local root.
      assert.equal(span.flags, 0x101);
    }
    const request = sink.requests[0];
    assert.equal(request?.contentType, 'application/json');
    assert.equal(request?.contentEncoding, 'gzip');
    assert.ok((request?.wireBytes ?? 0) < (request?.bodyBytes ?? 0), 'gzip shrinks the body');
    await provider.shutdown();
  });

  void it('retries a 503 with Retry-After as the exporter sees it, and counts the spans once', async () => {
    sink.fail('status', { status: 503, retryAfter: '0', count: 2, message: 'overloaded' });
    const exporter = new OTLPProtoTraceExporter({ url: sink.tracesUrl });
    const result = await exportOnce(exporter, [await recordSpan('retried')]);
    assert.equal(result.code, ExportResultCode.SUCCESS);
    assert.equal(sink.attempts, 3);
    assert.deepEqual(sink.requests.map((request) => request.answeredStatus), [503, 503, 200]);
    assert.deepEqual(sink.requests.map((request) => request.spanCount), [1, 1, 1]);
    assert.deepEqual(sink.spans().map((span) => span.name), ['retried']);
    await exporter.shutdown();
  });

  void it('answers a non-retryable status with a google.rpc.Status the exporter hands back, and keeps its spans out', async () => {
    sink.fail('status', { status: 400, message: 'bad batch' });
    const exporter = new OTLPProtoTraceExporter({ url: sink.tracesUrl });
    const result = await exportOnce(exporter, [await recordSpan()]);
    assert.equal(result.code, ExportResultCode.FAILED);
    const error = result.error as (Error & { code?: number; data?: string }) | undefined;
    assert.equal(error?.code, 400);
    assert.match(error?.data ?? '', /bad batch/);
    assert.equal(sink.attempts, 1);
    assert.deepEqual(sink.spans(), []);

    // The body is a real google.rpc.Status in the request's encoding.
    sink.fail('status', { status: 429, retryAfter: '7', message: 'slow down' });
    const answer = await post(sink.tracesUrl, protobufRequest(), { 'content-type': 'application/x-protobuf' });
    assert.equal(answer.status, 429);
    assert.equal(answer.headers.get('retry-after'), '7');
    assert.equal(answer.headers.get('content-type'), 'application/x-protobuf');
    assert.deepEqual(decodeRpcStatus(answer.body), { code: 8, message: 'slow down' });
    await exporter.shutdown();
  });

  void it('resets the connection: the exporter retries and the resent spans arrive once', async () => {
    sink.fail('reset');
    const exporter = new OTLPProtoTraceExporter({ url: sink.tracesUrl });
    const result = await exportOnce(exporter, [await recordSpan('after-reset')]);
    assert.equal(result.code, ExportResultCode.SUCCESS);
    assert.equal(sink.attempts, 2);
    assert.equal(sink.requests[0]?.fault, 'reset');
    assert.equal(sink.requests[0]?.answeredStatus, undefined);
    assert.deepEqual(sink.spans().map((span) => span.name), ['after-reset']);
    await exporter.shutdown();
  });

  void it('answers slowly: an exporter that times out first fails and nothing counts; a patient one succeeds', async () => {
    sink.fail('slow', { delayMs: 2_000 });
    const impatient = new OTLPProtoTraceExporter({ url: sink.tracesUrl, timeoutMillis: 300 });
    const failed = await exportOnce(impatient, [await recordSpan('abandoned')]);
    assert.equal(failed.code, ExportResultCode.FAILED);
    await sink.waitForRequests(1);
    assert.equal(sink.requests[0]?.answeredStatus, undefined);
    assert.deepEqual(sink.spans(), []);

    sink.fail('slow', { delayMs: 100 });
    const patient = new OTLPProtoTraceExporter({ url: sink.tracesUrl });
    const started = Date.now();
    const ok = await exportOnce(patient, [await recordSpan('late')]);
    assert.equal(ok.code, ExportResultCode.SUCCESS);
    assert.ok(Date.now() - started >= 90);
    assert.deepEqual(sink.spans().map((span) => span.name), ['late']);
    await impatient.shutdown();
    await patient.shutdown();
  });

  void it('reports a partial success the exporter accepts, decodable with the official ExportTraceServiceResponse', async () => {
    const warnings: string[] = [];
    diag.setLogger(
      { error: () => undefined, warn: (...args: unknown[]) => warnings.push(args.map(String).join(' ')), info: () => undefined, debug: () => undefined, verbose: () => undefined },
      DiagLogLevel.WARN,
    );
    try {
      sink.partialSuccess({ rejectedSpans: 1, errorMessage: 'span too old' });
      const exporter = new OTLPProtoTraceExporter({ url: sink.tracesUrl });
      const result = await exportOnce(exporter, [await recordSpan('partly')]);
      assert.equal(result.code, ExportResultCode.SUCCESS);
      assert.ok(warnings.some((line) => line.includes('span too old')), warnings.join('\n'));
      await exporter.shutdown();
    } finally {
      diag.disable();
    }
    assert.equal(sink.rejected, 1);
    assert.equal(sink.requests[0]?.rejectedSpans, 1);
    assert.equal(sink.spans().length, 1);

    sink.partialSuccess({ rejectedSpans: 2, errorMessage: 'quota' });
    const answer = await post(sink.tracesUrl, protobufRequest(), { 'content-type': 'application/x-protobuf' });
    assert.equal(answer.status, 200);
    const type = generated.ExportTraceServiceResponse;
    assert.deepEqual(type.toObject(type.decode(answer.body), { longs: Number }), { partialSuccess: { rejectedSpans: 2, errorMessage: 'quota' } });

    const plain = await post(sink.tracesUrl, protobufRequest(), { 'content-type': 'application/x-protobuf' });
    assert.equal(plain.body.length, 0, 'a full success is the empty ExportTraceServiceResponse');

    sink.partialSuccess({ rejectedSpans: 3 });
    const json = await post(sink.tracesUrl, JSON.stringify(jsonRequest()), { 'content-type': 'application/json' });
    assert.equal(json.headers.get('content-type'), 'application/json');
    assert.deepEqual(JSON.parse(json.body.toString()), { partialSuccess: { rejectedSpans: '3', errorMessage: '' } });
  });

  void it('goes down and comes back on the same port: the exporter retries through the outage', async () => {
    const port = sink.port;
    await sink.stop();
    assert.equal(sink.isUp, false);
    await assert.rejects(connectOnce(port), /ECONNREFUSED/);
    const exporter = new OTLPProtoTraceExporter({ url: sink.tracesUrl });
    const pending = exportOnce(exporter, [await recordSpan('through-outage')]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await sink.start();
    assert.equal(sink.port, port);
    const result = await pending;
    assert.equal(result.code, ExportResultCode.SUCCESS);
    assert.deepEqual(sink.spans().map((span) => span.name), ['through-outage']);
    await exporter.shutdown();
  });
});

void describe('OTLP sink wire rules', () => {
  let sink: OtlpSink;

  before(async () => {
    sink = await startOtlpSink({ maxBodyBytes: 64 * 1024 });
  });
  after(() => sink.close());
  beforeEach(() => sink.reset());

  void it('normalises OTLP/JSON: hex ids of any case, int64 as strings or numbers, every AnyValue kind', async () => {
    const answer = await post(sink.tracesUrl, JSON.stringify(jsonRequest()), { 'content-type': 'application/json; charset=utf-8' });
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.body.toString()), {});
    const [span] = sink.spans();
    const expected: OtlpSpan = {
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      name: 'GET /raw',
      kind: 2,
      startTimeUnixNano: '1718000000000000001',
      endTimeUnixNano: '1718000000',
      attributes: {
        'http.response.status_code': 200,
        big: '9007199254740993',
        ratio: 0.5,
        nan: Number.NaN,
        blob: 'AQID',
        nested: { a: [1, false] },
        nothing: null,
      },
      attributeTypes: {
        'http.response.status_code': 'int',
        big: 'int',
        ratio: 'double',
        nan: 'double',
        blob: 'bytes',
        nested: 'kvlist',
        nothing: 'empty',
      },
      droppedAttributesCount: 0,
      events: [],
      droppedEventsCount: 0,
      links: [],
      droppedLinksCount: 0,
      status: { code: 0 },
      resource: { 'service.name': 'raw-client' },
      resourceAttributeTypes: { 'service.name': 'string' },
      scope: { name: 'raw', version: '1.0.0' },
    };
    assert.deepEqual(span, expected);
  });

  void it('decodes a protobuf request built with the official encoder, gzip or not', async () => {
    const body = protobufRequest();
    assert.equal((await post(sink.tracesUrl, body, { 'content-type': 'application/x-protobuf' })).status, 200);
    assert.equal((await post(sink.tracesUrl, gzipSync(body), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' })).status, 200);
    const spans = sink.spans();
    assert.equal(spans.length, 2);
    assert.deepEqual(spans[0], spans[1]);
    assert.equal(spans[0]?.traceId, TRACE_ID);
    assert.equal(spans[0]?.attributes['http.response.status_code'], 503);
    assert.equal(spans[0]?.attributeTypes['http.response.status_code'], 'int');
    assert.equal(spans[0]?.endTimeUnixNano, '1718000000000000002');
    assert.equal(sink.requests[1]?.wireBytes, gzipSync(body).length);
    assert.equal(sink.requests[1]?.bodyBytes, body.length);
  });

  void it('answers 400 with a google.rpc.Status in the request encoding for undecodable bodies', async () => {
    const garbage = await post(sink.tracesUrl, Buffer.from([0x0a, 0xff, 0xff, 0xff]), { 'content-type': 'application/x-protobuf' });
    assert.equal(garbage.status, 400);
    assert.equal(garbage.headers.get('content-type'), 'application/x-protobuf');
    const status = decodeRpcStatus(garbage.body);
    assert.equal(status.code, 3);
    assert.match(status.message, /ExportTraceServiceRequest/);

    // Base64 ids are protobuf's generic JSON mapping, not OTLP/JSON.
    const base64Ids = JSON.stringify(jsonRequest({ traceId: Buffer.from(TRACE_ID, 'hex').toString('base64') }));
    const wrongIds = await post(sink.tracesUrl, base64Ids, { 'content-type': 'application/json' });
    assert.equal(wrongIds.status, 400);
    const body = JSON.parse(wrongIds.body.toString()) as { code: number; message: string };
    assert.equal(body.code, 3);
    assert.match(body.message, /traceId/);

    const enumName = await post(sink.tracesUrl, JSON.stringify(jsonRequest({ kind: 'SPAN_KIND_SERVER' })), { 'content-type': 'application/json' });
    assert.equal(enumName.status, 400);
    const notJson = await post(sink.tracesUrl, '{', { 'content-type': 'application/json' });
    assert.equal(notJson.status, 400);
    const badGzip = await post(sink.tracesUrl, Buffer.from('not gzip'), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    assert.equal(badGzip.status, 400);
    assert.deepEqual(sink.spans(), []);
    assert.ok(sink.requests.every((request) => request.answeredStatus === 400 && request.error !== undefined));
  });

  void it('answers 404, 405, 415 and 413 as an OTLP/HTTP server does', async () => {
    assert.equal((await post(`${sink.url}/v1/metrics`, '{}', { 'content-type': 'application/json' })).status, 404);
    const get = await post(sink.tracesUrl, '', {}, 'GET');
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    assert.equal((await post(sink.tracesUrl, 'hello', { 'content-type': 'text/plain' })).status, 415);
    assert.equal((await post(sink.tracesUrl, '{}', { 'content-type': 'application/json', 'content-encoding': 'br' })).status, 415);
    assert.equal((await post(sink.tracesUrl, Buffer.alloc(65 * 1024), { 'content-type': 'application/x-protobuf' })).status, 413);
    // A small gzip body that inflates past the cap is refused after decompression.
    const bomb = gzipSync(Buffer.alloc(1024 * 1024));
    assert.ok(bomb.length < 64 * 1024);
    assert.equal((await post(sink.tracesUrl, bomb, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' })).status, 413);
    assert.equal(sink.attempts, 5);
    assert.equal(sink.requests.length, 6);
  });

  void it('waitForSpans rejects with what arrived when too few spans come', async () => {
    await post(sink.tracesUrl, protobufRequest(), { 'content-type': 'application/x-protobuf' });
    await assert.rejects(sink.waitForSpans(2, 50), /timed out waiting for 2 spans within 50 ms; 1 span\(s\) received in 1 request\(s\) \(200\)/);
    const matching = await sink.waitForSpans((span) => span.name === 'proto span');
    assert.equal(matching.length, 1);
    sink.reset();
    assert.deepEqual(sink.spans(), []);
    assert.equal(sink.attempts, 0);
  });
});

void describe('OTLP sink with SigV4', () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  let sink: OtlpSink;

  before(async () => {
    sink = await startOtlpSink({ sigv4: { region: 'us-west-2', credentials } });
  });
  after(() => sink.close());
  afterEach(() => sink.reset());

  interface SignOptions {
    secretAccessKey?: string;
    region?: string;
    service?: string;
    signingDate?: Date;
    applyChecksum?: boolean;
    gzip?: boolean;
  }

  /** Signs a protobuf export the way the library's exporter does (smithy signer, `host` with the port). */
  async function signedRequest(options: SignOptions = {}): Promise<{ headers: Record<string, string>; body: Uint8Array }> {
    const raw = protobufRequest();
    const body = options.gzip === true ? gzipSync(raw) : raw;
    const url = new URL(sink.tracesUrl);
    const signer = new SignatureV4({
      service: options.service ?? 'xray',
      region: options.region ?? 'us-west-2',
      credentials: { ...credentials, secretAccessKey: options.secretAccessKey ?? credentials.secretAccessKey },
      sha256: Hash.bind(null, 'sha256'),
      applyChecksum: options.applyChecksum ?? false,
    });
    const signed = await signer.sign(
      {
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        query: {},
        headers: {
          host: url.host,
          'content-type': 'application/x-protobuf',
          'x-custom-tenant': 'alpha',
          ...(options.gzip === true ? { 'content-encoding': 'gzip' } : {}),
        },
        body,
      },
      { signingDate: options.signingDate ?? new Date() },
    );
    return { headers: signed.headers, body };
  }

  async function send(request: { headers: Record<string, string>; body: Uint8Array }): Promise<RawAnswer> {
    const { host: _host, ...headers } = request.headers;
    return post(sink.tracesUrl, request.body, headers);
  }

  void it('accepts a correctly signed request, with or without a signed body hash and gzip', async () => {
    for (const options of [{}, { applyChecksum: true }, { gzip: true, applyChecksum: true }]) {
      const answer = await send(await signedRequest(options));
      assert.equal(answer.status, 200, answer.body.toString());
    }
    assert.deepEqual(sink.requests.map((request) => request.signatureValid), [true, true, true]);
    assert.equal(sink.spans().length, 3);
  });

  void it('refuses a wrong secret, a tampered body or signed header, and a wrong region or service with 403', async () => {
    const cases: Array<[string, () => Promise<{ headers: Record<string, string>; body: Uint8Array }>, RegExp]> = [
      ['wrong secret', () => signedRequest({ secretAccessKey: 'not-the-secret' }), /signature we calculated does not match/],
      [
        'tampered body',
        async () => {
          const request = await signedRequest();
          return { ...request, body: Buffer.concat([request.body, Buffer.from([0x00])]) };
        },
        /signature we calculated does not match/,
      ],
      [
        'tampered body with a signed hash',
        async () => {
          const request = await signedRequest({ applyChecksum: true });
          return { ...request, body: Buffer.concat([request.body, Buffer.from([0x00])]) };
        },
        /x-amz-content-sha256/,
      ],
      [
        'tampered signed header',
        async () => {
          const request = await signedRequest();
          return { ...request, headers: { ...request.headers, 'x-custom-tenant': 'beta' } };
        },
        /signature we calculated does not match/,
      ],
      ['wrong region', () => signedRequest({ region: 'eu-west-1' }), /scoped to a valid region/],
      ['wrong service', () => signedRequest({ service: 'execute-api' }), /scoped to correct service: 'xray'/],
      ['older than 15 minutes', () => signedRequest({ signingDate: new Date(Date.now() - 20 * 60 * 1000) }), /Signature expired/],
      [
        'no Authorization header',
        async () => {
          const { authorization: _authorization, ...headers } = (await signedRequest()).headers;
          return { headers, body: protobufRequest() };
        },
        /Missing Authentication Token/,
      ],
    ];
    for (const [label, build, message] of cases) {
      const answer = await send(await build());
      assert.equal(answer.status, 403, label);
      assert.equal(answer.headers.get('content-type'), 'application/json', label);
      const body = JSON.parse(answer.body.toString()) as { message: string };
      assert.match(body.message, message, label);
    }
    assert.ok(sink.requests.every((request) => request.signatureValid === false && request.answeredStatus === 403));
    assert.deepEqual(sink.spans(), []);
  });
});
