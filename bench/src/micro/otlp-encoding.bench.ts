// Cost and size of the OTLP trace request encoders, per span, in batches of 512:
// - a typical HTTP server span (15 attributes, no events), the same with three values changing
//   from span to span, and one with an exception event;
// - our protobuf and JSON encoders, the official @opentelemetry/otlp-transformer serializers for
//   an equivalent span (as a yardstick), and JSON via `JSON.stringify` of a minimal object (the
//   alternative the JSON encoder was measured against);
// - bytes per span raw and gzipped (level 1 and 6);
// - the exporter's whole batch work on real entities (a traced Fastify hello world answering real
//   requests): segment → span mapping, protobuf encoding, gzip (as the exporter does it, and the
//   asynchronous zlib call for comparison, its libuv threadpool CPU included).
// Run: npm run bench:otlp-encoding -w @cruddur/bench [--quick]. Not part of any test script.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { constants as zlibConstants, gzip, gzipSync } from 'node:zlib';
import type { Entity } from '../../../packages/middleware/src/core/entity.js';
import type { Segment } from '../../../packages/middleware/src/core/segment.js';
import type { Subsegment } from '../../../packages/middleware/src/core/subsegment.js';
import { BatchBodyEncoder } from '../../../packages/middleware/src/export/otlp/batch-body.js';
import { encodeTraceRequestJson } from '../../../packages/middleware/src/export/otlp/encode-json.js';
import { encodeTraceRequestProtobuf, writeTraceRequestProtobuf } from '../../../packages/middleware/src/export/otlp/encode-protobuf.js';
import { ProtobufWriter, secondsToMicros } from '../../../packages/middleware/src/export/otlp/protobuf-writer.js';
import { ResourceBuilder } from '../../../packages/middleware/src/export/otlp/resource.js';
import { entityToSpan } from '../../../packages/middleware/src/export/otlp/segment-to-span.js';
import fastifyXray from '../../../packages/middleware/src/fastify/index.js';
import { OtlpTraceExporter, Tracer } from '../../../packages/middleware/src/index.js';
import { SAMPLE_EVERYTHING } from '../../../packages/middleware/src/testing/index.js';
import { SpanKind, StatusCode, type OtlpAttribute, type OtlpResourceSpans, type OtlpSpan, type OtlpValue } from '../../../packages/middleware/src/export/otlp/span-model.js';

interface Serializer {
  serializeRequest(spans: readonly object[]): Uint8Array | undefined;
}
const require = createRequire(import.meta.url);
const official = require('@opentelemetry/otlp-transformer') as { ProtobufTraceSerializer: Serializer; JsonTraceSerializer: Serializer };

const quick = process.argv.includes('--quick');
const BATCH = 512;
const ROUNDS = quick ? 40 : 400;

function hex(n: number, seed: number): string {
  let s = '';
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    s += '0123456789abcdef'[x >>> 28];
  }
  return s;
}

const START = 1_767_225_600.123456; // 2026-01-01, microsecond precision as X-Ray keeps it

function httpSpan(i: number, withException: boolean): OtlpSpan {
  const start = START + i * 0.001;
  return {
    traceId: hex(32, i * 3 + 1),
    spanId: hex(16, i * 3 + 2),
    parentSpanId: hex(16, i * 3 + 3),
    flags: 0x101,
    name: 'GET /api/activities/home',
    kind: SpanKind.SERVER,
    startTime: start,
    endTime: start + 0.012345,
    attributes: [
      { key: 'http.request.method', value: 'GET' },
      { key: 'url.path', value: '/api/activities/home' },
      { key: 'url.scheme', value: 'http' },
      { key: 'http.route', value: '/api/activities/home' },
      { key: 'http.response.status_code', value: withException ? 500 : 200 },
      { key: 'server.address', value: 'backend.cruddur.internal' },
      { key: 'server.port', value: 4567 },
      { key: 'client.address', value: '203.0.113.7' },
      { key: 'network.protocol.version', value: '1.1' },
      { key: 'user_agent.original', value: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36' },
      { key: 'http.response.body.size', value: 1834 },
      { key: 'aws.xray.annotations.user_handle', value: 'andrewbrown' },
      { key: 'aws.xray.annotations.cache_hit', value: false },
      { key: 'aws.xray.metadata.default.items', value: 20 },
      { key: 'cloud.region', value: 'us-east-1' },
    ],
    events: withException
      ? [
          {
            name: 'exception',
            time: start + 0.01,
            attributes: [
              { key: 'exception.type', value: 'TypeError' },
              { key: 'exception.message', value: "Cannot read properties of undefined (reading 'handle')" },
              {
                key: 'exception.stacktrace',
                value:
                  "TypeError: Cannot read properties of undefined (reading 'handle')\n    at HomeActivities.run (/app/services/home_activities.js:42:17)\n    at async /app/app.js:118:20\n    at async Layer.handle (/app/node_modules/express/lib/router/layer.js:95:5)\n    at async next (/app/node_modules/express/lib/router/route.js:149:13)",
              },
            ],
          },
        ]
      : undefined,
    status: withException ? { code: StatusCode.ERROR, message: "Cannot read properties of undefined (reading 'handle')" } : { code: StatusCode.UNSET },
  };
}

function batch(withException: boolean): OtlpResourceSpans[] {
  return [
    {
      resource: [
        { key: 'service.name', value: 'backend-flask' },
        { key: 'service.version', value: '1.4.2' },
        { key: 'telemetry.sdk.name', value: '@cruddur/middleware' },
      ],
      scope: { name: '@cruddur/middleware', version: '0.1.0' },
      spans: Array.from({ length: BATCH }, (_, i) => httpSpan(i, withException)),
    },
  ];
}

// The official serializers take SDK ReadableSpans: the same span, in their shape.
function readableSpans(model: OtlpResourceSpans[]): object[] {
  const rs = model[0] as OtlpResourceSpans;
  const toRecord = (attributes: readonly OtlpAttribute[]): Record<string, unknown> =>
    Object.fromEntries(attributes.map((a) => [a.key, typeof a.value === 'object' && 'double' in a.value ? a.value.double : a.value]));
  const hr = (seconds: number): [number, number] => {
    const us = secondsToMicros(seconds);
    return [Math.floor(us / 1e6), (us % 1e6) * 1000];
  };
  const resource = { attributes: toRecord(rs.resource) };
  return rs.spans.map((s) => ({
    name: s.name,
    kind: s.kind - 1,
    spanContext: () => ({ traceId: s.traceId, spanId: s.spanId, traceFlags: 1 }),
    parentSpanContext: s.parentSpanId === undefined ? undefined : { traceId: s.traceId, spanId: s.parentSpanId, traceFlags: 1 },
    startTime: hr(s.startTime),
    endTime: hr(s.endTime),
    attributes: toRecord(s.attributes),
    droppedAttributesCount: 0,
    events: (s.events ?? []).map((e) => ({ name: e.name, time: hr(e.time), attributes: toRecord(e.attributes), droppedAttributesCount: 0 })),
    droppedEventsCount: 0,
    status: { code: s.status?.code ?? 0, message: s.status?.message },
    links: [],
    droppedLinksCount: 0,
    resource,
    instrumentationScope: rs.scope,
  }));
}

// The alternative JSON encoder: a minimal object in OTLP/JSON shape, then JSON.stringify.
function jsonViaStringify(model: readonly OtlpResourceSpans[]): string {
  const nanos = (seconds: number): string => `${secondsToMicros(seconds)}000`;
  const value = (v: OtlpValue): object => {
    if (typeof v === 'string') return { stringValue: v };
    if (typeof v === 'boolean') return { boolValue: v };
    if (typeof v === 'number') return Number.isSafeInteger(v) ? { intValue: String(v) } : { doubleValue: v };
    if ('double' in v) return { doubleValue: v.double };
    return { arrayValue: { values: v.map(value) } };
  };
  const attributes = (list: readonly OtlpAttribute[]): object[] => list.map((a) => ({ key: a.key, value: value(a.value) }));
  return JSON.stringify({
    resourceSpans: model.map((rs) => ({
      resource: { attributes: attributes(rs.resource) },
      scopeSpans: [
        {
          scope: rs.scope,
          spans: rs.spans.map((s) => ({
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId,
            flags: s.flags,
            name: s.name,
            kind: s.kind,
            startTimeUnixNano: nanos(s.startTime),
            endTimeUnixNano: nanos(s.endTime),
            attributes: attributes(s.attributes),
            events: s.events?.map((e) => ({ timeUnixNano: nanos(e.time), name: e.name, attributes: attributes(e.attributes) })),
            status: s.status !== undefined && s.status.code !== 0 ? s.status : undefined,
          })),
        },
      ],
    })),
  });
}

/**
 * Median CPU ns per span over several runs of `ROUNDS / 5` batches, after a warm-up. CPU time
 * (process.cpuUsage) rather than wall time: the machines this runs on are shared, and time spent
 * waiting for a core says nothing about the encoder.
 */
function nsPerSpan(fn: () => unknown): number {
  for (let i = 0; i < Math.max(20, ROUNDS / 4); i++) fn();
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const start = process.cpuUsage();
    for (let i = 0; i < ROUNDS / 5; i++) fn();
    const used = process.cpuUsage(start);
    runs.push(((used.user + used.system) * 1000) / ((ROUNDS / 5) * BATCH));
  }
  runs.sort((a, b) => a - b);
  return runs[2] as number;
}

/** A machine yardstick: CPU ns to copy one ASCII character into a Uint8Array in a JS loop. */
function nsPerCharCopy(): number {
  const text = 'aws.xray.annotations.user_handle';
  const buf = new Uint8Array(1 << 16);
  const n = 1_000_000;
  const start = process.cpuUsage();
  let pos = 0;
  for (let k = 0; k < n; k++) {
    if (pos > 60_000) pos = 0;
    for (let i = 0; i < text.length; i++) buf[pos + i] = text.charCodeAt(i);
    pos += text.length;
  }
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / (n * text.length);
}

function sizes(body: Uint8Array | string): [number, number, number] {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return [bytes.length / BATCH, gzipSync(bytes, { level: 1 }).length / BATCH, gzipSync(bytes, { level: 6 }).length / BATCH];
}

function row(label: string, ns: number, body: Uint8Array | string): void {
  const [raw, gz1, gz6] = sizes(body);
  console.log(`${label.padEnd(44)} ${ns.toFixed(0).padStart(8)} ${raw.toFixed(0).padStart(9)} ${gz1.toFixed(0).padStart(9)} ${gz6.toFixed(0).padStart(9)}`);
}

console.log(`OTLP trace request encoding (node ${process.version}, batches of ${BATCH} spans, ${ROUNDS} batches per figure)\n`);
nsPerCharCopy();
console.log(`machine yardstick: ${nsPerCharCopy().toFixed(2)} CPU ns per character copied by a JS loop (≈0.5–1 on an idle modern core)\n`);
console.log(`${'encoder · span'.padEnd(44)} ${'ns/span'.padStart(8)} ${'B/span'.padStart(9)} ${'gzip-1'.padStart(9)} ${'gzip-6'.padStart(9)}`);
for (const [name, withException] of [
  ['typical HTTP span', false],
  ['span with exception event', true],
] as const) {
  const model = batch(withException);
  const readable = readableSpans(model);
  row(`protobuf (ours) · ${name}`, nsPerSpan(() => encodeTraceRequestProtobuf(model)), encodeTraceRequestProtobuf(model));
  row(`JSON (ours) · ${name}`, nsPerSpan(() => encodeTraceRequestJson(model)), encodeTraceRequestJson(model));
  row(`JSON via JSON.stringify · ${name}`, nsPerSpan(() => jsonViaStringify(model)), jsonViaStringify(model));
  row(`protobuf (otlp-transformer) · ${name}`, nsPerSpan(() => official.ProtobufTraceSerializer.serializeRequest(readable)), official.ProtobufTraceSerializer.serializeRequest(readable) ?? new Uint8Array());
  row(`JSON (otlp-transformer) · ${name}`, nsPerSpan(() => official.JsonTraceSerializer.serializeRequest(readable)), official.JsonTraceSerializer.serializeRequest(readable) ?? new Uint8Array());
  console.log('');
}
{
  // The encoder copies the bytes of attributes equal to the previous span's; here no two
  // consecutive spans share their path, client address or body size, as on a busy API.
  const model = batch(false).map((rs) => ({
    ...rs,
    spans: rs.spans.map((span, i) => ({
      ...span,
      attributes: span.attributes.map((a) =>
        a.key === 'url.path' ? { key: a.key, value: `/api/users/${i}` } : a.key === 'client.address' ? { key: a.key, value: `203.0.113.${i % 256}` } : a.key === 'http.response.body.size' ? { key: a.key, value: 1000 + i } : a,
      ),
    })),
  }));
  row('protobuf (ours) · typical, 3 values vary', nsPerSpan(() => encodeTraceRequestProtobuf(model)), encodeTraceRequestProtobuf(model));
  console.log('');
}
console.log('Target: protobuf (ours) ≤ 1500 ns per typical span. Sizes are per span within the batch (resource and scope amortised).');

/** The parts of a Fastify app this bench uses. */
interface HelloApp {
  register(plugin: unknown, options: unknown): PromiseLike<unknown>;
  get(path: string, handler: () => Promise<unknown>): unknown;
  listen(options: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
}

/**
 * Fastify 5 from the repository root, as the bench servers load it: bench/node_modules holds a
 * Fastify 4 that came with the official X-Ray SDK's plugin and must not be measured.
 */
function loadFastify5(): (options: { logger: boolean }) => HelloApp {
  return createRequire(new URL('../../../package.json', import.meta.url))('fastify') as (options: { logger: boolean }) => HelloApp;
}

/** What the exporter receives: the entities of BATCH real requests to a traced Fastify hello world. */
async function fastifyHelloEntities(): Promise<Entity[]> {
  const entities: Entity[] = [];
  const emitter = { emitEntity: (entity: Segment | Subsegment) => void entities.push(entity) };
  const tracer = new Tracer({ emitter, samplingRules: SAMPLE_EVERYTHING, centralizedSampling: false, logLevel: 'silent' }, {});
  const app = loadFastify5()({ logger: false });
  await app.register(fastifyXray, { name: 'bench', tracer });
  app.get('/hello', async () => ({ hello: 'world' }));
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  for (let i = 0; i < BATCH; i++) await (await fetch(`${base}/hello`)).text();
  await app.close();
  return entities;
}

/**
 * CPU ns per span of the whole exporter — queueing, the batch body, the POST and its answer —
 * sending to a minimal OTLP/HTTP receiver in another process (its CPU is not counted).
 */
async function exporterNsPerSpan(entities: readonly Entity[]): Promise<number> {
  const receiver = `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => { s.writeHead(200, { 'content-type': 'application/x-protobuf' }); s.end(); }); }).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port)); });`;
  const sink = spawn(process.execPath, ['-e', receiver], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve) => sink.stdout.once('data', (data: Buffer) => resolve(Number(String(data)))));
    const exporter = new OtlpTraceExporter({ endpoint: `http://127.0.0.1:${port}/v1/traces` }, { env: {} });
    const ns = await nsPerSpanAsync(async () => {
      for (const entity of entities) exporter.emitEntity(entity as Segment | Subsegment);
      await exporter.flush();
    }, entities.length);
    await exporter.close();
    return ns;
  } finally {
    sink.kill();
  }
}

/** Median process CPU ns per span (main thread and libuv threadpool) of an asynchronous step. */
async function nsPerSpanAsync(fn: () => Promise<unknown>, spans: number): Promise<number> {
  for (let i = 0; i < Math.max(20, ROUNDS / 4); i++) await fn();
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const start = process.cpuUsage();
    for (let i = 0; i < ROUNDS / 5; i++) await fn();
    const used = process.cpuUsage(start);
    runs.push(((used.user + used.system) * 1000) / ((ROUNDS / 5) * spans));
  }
  runs.sort((a, b) => a - b);
  return runs[2] as number;
}

{
  const entities = await fastifyHelloEntities();
  const resources = new ResourceBuilder();
  const encoder = new BatchBodyEncoder(resources, 'http/protobuf', false);
  const now = Date.now() / 1000;
  const model = encoder.group(entities, now);
  const writer = new ProtobufWriter();
  const raw = encodeTraceRequestProtobuf(model);
  const gzipAsync = promisify(gzip);
  const level1 = { level: zlibConstants.Z_BEST_SPEED };
  const gzipped = new BatchBodyEncoder(resources, 'http/protobuf', true);
  const perSpan = (fn: () => unknown): string => nsPerSpan(fn).toFixed(0).padStart(8);
  console.log(`\nThe exporter's batch work on real entities: ${entities.length} requests to a traced Fastify hello world, one batch (${(raw.length / entities.length).toFixed(1)} B/span raw, ${(gzipped.encode(entities, now).length / entities.length).toFixed(1)} B/span gzipped)\n`);
  console.log(`${'step'.padEnd(60)} ${'ns/span'.padStart(8)}`);
  console.log(`${'segment → span mapping (entityToSpan)'.padEnd(60)} ${perSpan(() => entities.map((e) => entityToSpan(e, now)))}`);
  console.log(`${'mapping + resource grouping (BatchBodyEncoder.group)'.padEnd(60)} ${perSpan(() => encoder.group(entities, now))}`);
  console.log(`${'protobuf encoding into a reused writer'.padEnd(60)} ${perSpan(() => { writer.reset(); writeTraceRequestProtobuf(writer, model); })}`);
  console.log(`${'gzip level 1, one synchronous call (the exporter)'.padEnd(60)} ${perSpan(() => gzipSync(raw, level1))}`);
  console.log(`${'gzip level 1, asynchronous (main thread + threadpool)'.padEnd(60)} ${(await nsPerSpanAsync(() => gzipAsync(raw, level1), entities.length)).toFixed(0).padStart(8)}`);
  console.log(`${'whole body: map, encode, gzip (BatchBodyEncoder.encode)'.padEnd(60)} ${perSpan(() => gzipped.encode(entities, now))}`);
  console.log(`${'whole exporter: emitEntity ×512, flush(), POST to a local sink'.padEnd(60)} ${(await exporterNsPerSpan(entities)).toFixed(0).padStart(8)}`);
}
