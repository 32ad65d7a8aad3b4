// Round-trip fidelity of the OTLP path: the segment documents our tracer writes (captured with
// InMemoryEmitter, exactly what the UDP path sends) against the documents the trace viewer
// rebuilds from the spans OtlpTraceExporter sent to its OTLP receiver — the same reconstruction
// the OpenTelemetry collector's X-Ray exporter does (packages/trace-viewer/README.md). Both come
// from the same tracer (one emitter list), for a traced Express service whose requests cover the
// whole segment model. Every field is compared; what does not survive is listed in
// `expectedAfterRoundTrip` with its reason, and README-otlp.md's "Not carried" line says the same.
import assert from 'node:assert/strict';
import { isAbsolute, resolve } from 'node:path';
import { createServer, get as httpGet, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { startDynalite, type DynaliteHandle } from '@cruddur/fakes';
import { startTraceViewer, type Trace, type TraceViewer } from '@cruddur/trace-viewer';
import express from 'express';
import { instrument } from '../src/aws/index.js';
import { xray, xrayErrorHandler } from '../src/express/index.js';
import { instrumentHttp } from '../src/http/index.js';
import {
  addAnnotation,
  addMetadata,
  capture,
  InMemoryEmitter,
  OtlpTraceExporter,
  setUser,
  Tracer,
  type JsonValue,
  type SegmentDocument,
  type SubsegmentDocument,
} from '../src/internal.js';
import { announceLogGroup } from '../src/logger/segment-logs.js';
import { SAMPLE_EVERYTHING } from '../src/testing/index.js';

const TABLE = 'users';
const WAIT_MS = 60_000;
const ROUTES = ['/api/users/42', '/missing', '/throttled', '/boom'] as const;

/** A thrown error with a real stack, from a named function in this file. */
class LedgerError extends Error {
  override name = 'LedgerError';
}
function loadLedger(): never {
  throw new LedgerError('the ledger is locked');
}

let viewer: TraceViewer;
let memory: InMemoryEmitter;
let tracer: Tracer;
let dynamo: DynaliteHandle;
let downstream: Server;
let appServer: Server;
let uninstallHttp: () => void;
/** trace id per route, from the X-Amzn-Trace-Id response header. */
const traceIds = new Map<string, string>();
/** Each trace as the viewer's JSON API shows it. */
const viewed = new Map<string, Trace>();

before(async () => {
  viewer = await startTraceViewer({ udpPort: 0, httpPort: 0, otlpPort: 0, finishAfterMs: 200 });
  dynamo = await startDynalite();
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
  await new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials }).send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  downstream = createServer((_req, res) => void res.end('ok'));
  await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', () => resolve()));
  const downstreamUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}/inventory`;

  memory = new InMemoryEmitter();
  const exporter = new OtlpTraceExporter({ endpoint: viewer.otlpTracesUrl!, scheduleDelayMs: 20 }, { env: {} });
  tracer = new Tracer(
    { name: 'roundtrip', emitter: [memory, exporter], samplingRules: SAMPLE_EVERYTHING, centralizedSampling: false, logLevel: 'silent', serviceVersion: '1.2.3' },
    {},
  );
  // What the EC2 environment plugin and the logger (CloudWatch on) put on every segment.
  tracer.segmentDefaults.origin = 'AWS::EC2::Instance';
  tracer.addSegmentAws({ ec2: { instance_id: 'i-0b5a4678fc325bg98', availability_zone: 'us-east-1a', instance_size: 't3.micro', ami_id: 'ami-0abcdef1234567890' } });
  announceLogGroup(tracer, '/cruddur/backend');

  uninstallHttp = instrumentHttp().uninstall;
  const client = instrument(new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }));
  const app = express();
  app.use(xray({ tracer }));
  app.get('/api/users/:id', async (req, res) => {
    addAnnotation('feed', 'home');
    addAnnotation('count', 3);
    addAnnotation('ratio', 0.5);
    addAnnotation('fresh', true);
    addMetadata('query', { limit: 10, tags: ['a', 'b'], nested: { deep: null } });
    addMetadata('cache', 'miss', 'store');
    setUser('andrewbrown');
    await new Promise<void>((resolve, reject) => {
      httpGet(downstreamUrl, (r) => {
        r.resume();
        r.on('end', resolve);
      }).on('error', reject);
    });
    await client.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: String(req.params.id) } } }));
    await capture('query-ledger', (sub) => {
      // An SQL call as a database integration would record it.
      if (sub) sub.sql = { database_type: 'PostgreSQL', url: 'postgresql://db.internal:5432/ledger', user: 'app', sanitized_query: 'SELECT * FROM ledger WHERE id = $1', database_version: '16.3' };
    });
    // Fire-and-forget work still running when the service shuts down.
    tracer.beginSubsegment('background-sync');
    res.json({ id: req.params.id });
  });
  app.get('/missing', (_req, res) => void res.status(404).json({ error: 'not found' }));
  app.get('/throttled', (_req, res) => void res.status(429).send('slow down'));
  app.get('/boom', () => loadLedger());
  app.use(xrayErrorHandler());
  app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(500).json({ error: 'internal' }));
  appServer = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (appServer.address() as AddressInfo).port;

  for (const route of ROUTES) {
    // Two requests come through a proxy (X-Forwarded-For), two straight from the client.
    const forwarded: Record<string, string> = route === '/api/users/42' || route === '/boom' ? { 'x-forwarded-for': '203.0.113.7' } : {};
    const response = await fetch(`http://127.0.0.1:${port}${route}`, { headers: { 'user-agent': 'roundtrip/1.0', ...forwarded } });
    await response.arrayBuffer();
    const id = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24})/.exec(response.headers.get('x-amzn-trace-id') ?? '')?.[1];
    assert.ok(id, `${route} answered with a trace id`);
    traceIds.set(route, id);
  }
  // Shutdown exports the open `background-sync` subsegment as in progress.
  await tracer.shutdown();
  for (const [route, id] of traceIds) {
    await memory.waitFor((d) => d.trace_id === id && (d as SubsegmentDocument).type !== 'subsegment', WAIT_MS);
    viewed.set(route, await viewedTrace(id, oursFor(route).size));
  }
});

after(async () => {
  uninstallHttp();
  appServer.closeAllConnections();
  appServer.close();
  downstream.close();
  await dynamo.close();
  await viewer.close();
});

/** The trace from the viewer's JSON API, once it holds `entities` segments and subsegments. */
async function viewedTrace(id: string, entities: number): Promise<Trace> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const response = await fetch(`${viewer.url!}api/traces/${id}`);
    if (response.status === 200) {
      const trace = (await response.json()) as Trace;
      if (flatten(trace.documents as Doc[]).size >= entities) return trace;
    } else await response.arrayBuffer();
    assert.ok(Date.now() < deadline, `the viewer holds ${entities} entities of ${id} within ${WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// ---------------------------------------------------------------------------------------------

type Doc = SegmentDocument | SubsegmentDocument;
type Plain = Record<string, JsonValue | undefined>;

/** Every entity of a list of documents by id, embedded subsegments lifted out (parent_id set). */
function flatten(documents: readonly Doc[]): Map<string, Plain> {
  const out = new Map<string, Plain>();
  const visit = (doc: Doc, parentId: string | undefined) => {
    const { subsegments, ...rest } = doc as Doc & { subsegments?: Doc[] };
    const plain = JSON.parse(JSON.stringify(rest)) as Plain;
    if (parentId !== undefined) plain['parent_id'] = parentId;
    // The embedding is a transport choice on both sides (a segment's subsegments travel inside
    // it, or alone as `type: "subsegment"` documents with `trace_id`): not a field to compare.
    delete plain['type'];
    if (parentId !== undefined || (doc as SubsegmentDocument).type === 'subsegment') delete plain['trace_id'];
    for (const key of ['start_time', 'end_time']) {
      // Microseconds: X-Ray's precision; OTLP's nanoseconds carry it exactly.
      if (typeof plain[key] === 'number') plain[key] = Math.round((plain[key] as number) * 1e6);
    }
    out.set(doc.id, plain);
    for (const sub of subsegments ?? []) visit(sub, doc.id);
  };
  for (const doc of documents) visit(doc, (doc as SubsegmentDocument).type === 'subsegment' ? doc.parent_id : undefined);
  return out;
}

/** A copy without the keys whose value is undefined (JSON equality). */
function clean(value: Plain): Plain {
  return JSON.parse(JSON.stringify(value)) as Plain;
}

function oursFor(route: string): Map<string, Plain> {
  const id = traceIds.get(route)!;
  return flatten(memory.documents.map((d) => d.document).filter((d) => d.trace_id === id));
}

function viewerFor(route: string): Map<string, Plain> {
  return flatten(viewed.get(route)!.documents as Doc[]);
}

/** Keys the viewer adds to `metadata.default`: span and resource attributes no X-Ray field takes. */
function addedMetadataKeys(doc: Plain, isSegment: boolean, ours: Plain): string[] {
  const keys: string[] = [];
  if (isSegment) {
    // The resource, as the collector's exporter keeps it (`otel.resource.<key>`), and http.route
    // (X-Ray has no route field; the route travels as the `route` annotation as well).
    for (const key of ['service.name', 'service.version', 'process.runtime.name', 'process.runtime.version', 'telemetry.sdk.name', 'telemetry.sdk.language', 'telemetry.sdk.version']) keys.push(`otel.resource.${key}`);
    for (const key of ['host.id', 'cloud.availability_zone', 'host.type', 'host.image.id', 'aws.log.group.names', 'cloud.platform', 'cloud.provider']) keys.push(`otel.resource.${key}`);
    keys.push('http.route');
  }
  if (doc['namespace'] === 'remote') keys.push('peer.service');
  if (doc['namespace'] === 'aws') keys.push('rpc.system', 'rpc.service', 'aws.dynamodb.table_names');
  if (ours['sql'] !== undefined) keys.push('db.version');
  return keys.sort();
}

/**
 * What the viewer (like the X-Ray OTLP endpoint and the collector's X-Ray exporter) rebuilds from
 * our span, derived from the document we wrote. Everything not touched here survives exactly:
 * name, id, parent_id, trace_id, start/end time (µs), namespace, in_progress, http (method, url,
 * user_agent, client_ip, status, content_length), aws (operation, region, request_id,
 * table_name, ec2, cloudwatch_logs), annotations of every type, metadata namespaces, user,
 * origin, service.version, error/throttle/fault, cause type and message, frame labels.
 */
function expectedAfterRoundTrip(ours: Plain, isSegment: boolean): Plain {
  const expected = structuredClone(ours);
  // `traced`: no semantic convention and no translator key (README-otlp.md, "Not carried").
  delete expected['traced'];
  // `sql`: rebuilt the collector's way — `url` from the span name, `connection_string` from
  // db.connection_string + "/" + db.name, `database_type` as the conventions' lower-case id;
  // `database_version` has no key it reads back.
  const sql = expected['sql'] as Record<string, JsonValue> | undefined;
  if (sql) {
    expected['sql'] = {
      url: expected['name']!,
      connection_string: `${String(sql['url'])}/`,
      database_type: String(sql['database_type']).toLowerCase(),
      user: sql['user']!,
      sanitized_query: sql['sanitized_query']!,
    };
  }
  const aws = expected['aws'] as Record<string, JsonValue> | undefined;
  if (aws) {
    // `aws.xray.sdk` is rebuilt as "<telemetry.sdk.name> for <telemetry.sdk.language>", with the
    // resource's language id (`nodejs`), and auto_instrumentation = false is added.
    if (isSegment) aws['xray'] = { sdk: '@cruddur/middleware for nodejs', sdk_version: (aws['xray'] as Record<string, JsonValue>)['sdk_version']!, auto_instrumentation: false };
  }
  const cause = expected['cause'] as { working_directory?: string; exceptions: Array<Record<string, JsonValue>> } | undefined;
  if (cause && typeof cause === 'object') {
    // working_directory: no attribute carries it. Exception ids are new (random) on the X-Ray
    // side, and `remote: false` is written for server and internal spans.
    delete cause.working_directory;
    cause.exceptions = cause.exceptions.map(({ id: _id, ...exception }) => ({
      ...exception,
      remote: false,
      // Frames: exception.stacktrace carries the original V8 frame lines, so lines and labels
      // survive; paths come back absolute (X-Ray documents keep them relative to the working
      // directory, which no attribute carries), and a frame without a function name has no label.
      stack: (exception['stack'] as Array<{ path: string; line: number | null; label?: string }>).map((f) => ({
        path: isAbsolute(f.path) || f.path.startsWith('<') ? f.path : resolve(process.cwd(), f.path),
        ...(f.line !== null ? { line: f.line } : {}),
        ...(f.label !== undefined && f.label !== 'anonymous' ? { label: f.label } : {}),
      })),
    }));
  }
  return clean(expected);
}

/** The viewer's document with the exception ids dropped and metadata.default split off. */
function comparable(doc: Plain, ours: Plain): { doc: Plain; added: Record<string, JsonValue> } {
  const copy = structuredClone(doc);
  const cause = copy['cause'] as { exceptions: Array<Record<string, JsonValue>> } | undefined;
  if (cause) cause.exceptions = cause.exceptions.map(({ id, ...exception }) => (assert.match(String(id), /^[0-9a-f]{16}$/), exception));
  // V8 writes an unnamed function as `<anonymous>` or leaves the name out; X-Ray frames say `anonymous`.
  for (const exception of cause?.exceptions ?? []) {
    for (const frame of (exception['stack'] as Array<Record<string, JsonValue>> | undefined) ?? []) if (frame['label'] === '<anonymous>') delete frame['label'];
  }
  const metadata = copy['metadata'] as Record<string, Record<string, JsonValue>> | undefined;
  const added: Record<string, JsonValue> = {};
  if (metadata?.['default']) {
    const ourDefault = ((ours['metadata'] as Record<string, Record<string, JsonValue>> | undefined)?.['default'] ?? {});
    for (const [key, value] of Object.entries(metadata['default'])) {
      if (!(key in ourDefault)) {
        added[key] = value;
        delete metadata['default'][key];
      }
    }
    if (Object.keys(metadata['default']).length === 0) delete metadata['default'];
    if (Object.keys(metadata).length === 0) delete copy['metadata'];
  }
  return { doc: clean(copy), added };
}

/** Sorts object keys so that deepEqual failures read field by field. */
function sorted(value: JsonValue | undefined): JsonValue | undefined {
  if (Array.isArray(value)) return value.map((v) => sorted(v)!);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted(value[k])!]));
}

for (const route of ROUTES) {
  test(`${route}: every segment and subsegment survives OTLP → the viewer, except the listed fields`, () => {
    const ours = oursFor(route);
    const theirs = viewerFor(route);
    assert.deepEqual([...theirs.keys()].sort(), [...ours.keys()].sort(), 'the same entities, by id');
    for (const [id, mine] of ours) {
      const isSegment = mine['trace_id'] !== undefined;
      const { doc, added } = comparable(theirs.get(id)!, mine);
      assert.deepEqual(sorted(doc as JsonValue), sorted(expectedAfterRoundTrip(mine, isSegment) as JsonValue), `${String(mine['name'])} (${id})`);
      assert.deepEqual(Object.keys(added).sort(), addedMetadataKeys(mine, isSegment, mine), `${String(mine['name'])}: attributes kept as metadata`);
    }
  });
}

test('the rich request: each kind of entity is there, with the fields under test', () => {
  const ours = [...oursFor('/api/users/42').values()];
  const byName = (name: string) => ours.find((d) => d['name'] === name)!;
  const segment = byName('roundtrip');
  assert.deepEqual(segment['annotations'], { feed: 'home', count: 3, ratio: 0.5, fresh: true, route: '/api/users/:id' });
  assert.deepEqual(Object.keys(segment['metadata'] as object).sort(), ['default', 'store']);
  assert.equal(segment['user'], 'andrewbrown');
  assert.equal(segment['origin'], 'AWS::EC2::Instance');
  assert.equal(byName('127.0.0.1')['namespace'], 'remote');
  assert.deepEqual(byName('DynamoDB')['aws'], { ...(byName('DynamoDB')['aws'] as object), operation: 'GetItem', region: 'us-east-1', table_name: TABLE });
  assert.ok(byName('query-ledger')['sql']);
  assert.equal(byName('background-sync')['in_progress'], true);
  const boom = [...oursFor('/boom').values()][0]!;
  assert.equal(boom['fault'], true);
  const frames = (boom['cause'] as { exceptions: Array<{ stack: Array<{ label?: string }> }> }).exceptions[0]!.stack;
  assert.equal(frames[0]!.label, 'loadLedger', 'a real stack, from the throwing function');
  assert.equal([...oursFor('/throttled').values()][0]!['throttle'], true);
  assert.equal([...oursFor('/missing').values()][0]!['error'], true);
});
