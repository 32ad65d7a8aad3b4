// Field-by-field comparison of our OTLP spans with the OpenTelemetry JS SDK's for the same
// applications and the same requests. The same Express and Fastify apps run twice: once in a child
// process under the OTel SDK 3.x (instrumentation-http, instrumentation-express, @fastify/otel,
// instrumentation-aws-sdk; test/fixtures/otel-service.ts) exporting to one OTLP sink, once here
// with @cruddur/middleware and OtlpTraceExporter exporting to another. Both sinks decode with the
// official protobuf definitions. What must agree is asserted as equal; every known difference is
// asserted too (so a change on either side shows up here), each with its reason. The table in
// README-otlp.md ("Differences from the OpenTelemetry JS SDK's spans") is this file in prose.
import assert from 'node:assert/strict';
import { createServer, get as httpGet, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { startDynalite, startOtlpSink, type DynaliteHandle, type OtlpSink, type OtlpSpan } from '@cruddur/fakes';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { instrument } from '../src/aws/index.js';
import { xray, xrayErrorHandler } from '../src/express/index.js';
import xrayFastify from '../src/fastify/index.js';
import { instrumentHttp } from '../src/http/index.js';
import { OtlpTraceExporter, Tracer } from '../src/index.js';
import { SAMPLE_EVERYTHING } from '../src/testing/index.js';
import { startOtelPeer, type OtelPeer } from './support/otel-peer.js';

const TABLE = 'users';
const USER_AGENT = 'otel-compare/1.0';
const ROUTES = ['/users/42?q=1', '/missing', '/boom', '/call', '/dynamo'] as const;
type Route = (typeof ROUTES)[number];
const FRAMEWORKS = ['express', 'fastify'] as const;
type Framework = (typeof FRAMEWORKS)[number];
const WAIT_MS = 60_000;

const SpanKind = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;
const StatusCode = { UNSET: 0, ERROR: 2 } as const;

/** One side of the comparison: the ports its apps listen on and the spans its sink received. */
interface Side {
  ports: Record<Framework, number>;
  sink: OtlpSink;
}

let dynamo: DynaliteHandle;
let downstream: Server;
let downstreamUrl: string;
let otel: Side;
let ours: Side;
let peer: OtelPeer;
let tracer: Tracer;
const cleanups: Array<() => Promise<unknown> | void> = [];

function getStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    httpGet(url, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

/** Our side: the fixture's apps, route for route, with our middleware instead of the OTel SDK. */
async function startOurApps(sink: OtlpSink): Promise<Record<Framework, number>> {
  const exporter = new OtlpTraceExporter({ endpoint: sink.tracesUrl, scheduleDelayMs: 20 }, { env: {} });
  tracer = new Tracer({ name: 'ours-compare', emitter: exporter, samplingRules: SAMPLE_EVERYTHING, centralizedSampling: false, logLevel: 'silent' }, {});
  const client = instrument(
    new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 }),
  );
  const getItem = () => client.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'u1' } } }));
  const http = instrumentHttp();
  cleanups.push(() => http.uninstall());

  const app = express();
  app.use(xray({ tracer }));
  app.get('/users/:id', (req, res) => void res.json({ id: req.params.id }));
  app.get('/missing', (_req, res) => void res.status(404).json({ error: 'not found' }));
  app.get('/boom', () => {
    throw new TypeError('the database said no');
  });
  app.get('/call', async (_req, res) => void res.json({ status: await getStatus(downstreamUrl) }));
  app.get('/dynamo', async (_req, res) => {
    await getItem();
    res.json({ ok: true });
  });
  app.use(xrayErrorHandler());
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  cleanups.push(() => {
    server.closeAllConnections();
    server.close();
  });

  const fastify: FastifyInstance = Fastify();
  await fastify.register(xrayFastify, { tracer });
  fastify.get('/users/:id', async (req) => ({ id: (req.params as { id: string }).id }));
  fastify.get('/missing', async (_req, reply) => reply.code(404).send({ error: 'not found' }));
  fastify.get('/boom', async () => {
    throw new TypeError('the database said no');
  });
  fastify.get('/call', async () => ({ status: await getStatus(downstreamUrl) }));
  fastify.get('/dynamo', async () => {
    await getItem();
    return { ok: true };
  });
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => fastify.close());
  return { express: (server.address() as AddressInfo).port, fastify: (fastify.server.address() as AddressInfo).port };
}

async function drive(side: Side): Promise<void> {
  for (const framework of FRAMEWORKS) {
    for (const route of ROUTES) {
      const response = await fetch(`http://127.0.0.1:${side.ports[framework]}${route}`, { headers: { 'user-agent': USER_AGENT } });
      await response.arrayBuffer();
      const expected = route === '/missing' ? 404 : route === '/boom' ? 500 : 200;
      assert.equal(response.status, expected, `${framework} ${route}`);
    }
  }
}

before(async () => {
  dynamo = await startDynalite();
  cleanups.push(() => dynamo.close());
  const admin = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
  await admin.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  downstream = createServer((_req, res) => void res.end('ok'));
  await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(() => {
    downstream.closeAllConnections();
    downstream.close();
  });
  // A query string on the outgoing call shows what each side records of it.
  downstreamUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}/down?page=2`;

  const otelSink = await startOtlpSink();
  const ourSink = await startOtlpSink();
  cleanups.push(() => otelSink.close(), () => ourSink.close());
  peer = await startOtelPeer({ mode: 'compare', serviceName: 'otel-compare', otlpUrl: otelSink.tracesUrl, downstream: downstreamUrl, dynamoEndpoint: dynamo.endpoint, table: TABLE });
  cleanups.push(() => peer.stop());
  otel = { ports: { express: peer.ports['express']!, fastify: peer.ports['fastify']! }, sink: otelSink };
  ours = { ports: await startOurApps(ourSink), sink: ourSink };
  cleanups.push(() => tracer.shutdown());

  await drive(otel);
  await drive(ours);
  await peer.flush();
  await tracer.flush();
  // 10 server spans per side; flush() already waited, the wait only guards against a slow sink.
  for (const side of [otel, ours]) await side.sink.waitForSpans((s) => s.kind === SpanKind.SERVER && s.attributes['url.path'] === '/dynamo' && s.attributes['server.port'] === side.ports.fastify, WAIT_MS);
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

// ---------------------------------------------------------------------------------------------
// Finding spans

function attrs(span: OtlpSpan): Record<string, unknown> {
  return span.attributes;
}

function pathOf(route: Route): string {
  return route.split('?')[0]!;
}

function serverSpan(side: Side, framework: Framework, route: Route): OtlpSpan {
  const found = side.sink.spans().filter((s) => s.kind === SpanKind.SERVER && attrs(s)['server.port'] === side.ports[framework] && attrs(s)['url.path'] === pathOf(route));
  assert.equal(found.length, 1, `one server span for ${framework} ${route} on port ${side.ports[framework]}`);
  return found[0]!;
}

/** Spans below `root` in its trace, depth first. */
function descendants(side: Side, root: OtlpSpan): OtlpSpan[] {
  const spans = side.sink.spans().filter((s) => s.traceId === root.traceId);
  const out: OtlpSpan[] = [];
  const walk = (id: string) => {
    for (const child of spans.filter((s) => s.parentSpanId === id)) {
      out.push(child);
      walk(child.spanId);
    }
  };
  walk(root.spanId);
  return out;
}

function only<T>(items: T[], what: string): T {
  assert.equal(items.length, 1, `exactly one ${what}, got ${items.length}`);
  return items[0]!;
}

/** The attribute keys a span has, beyond `known`. */
function keysBeyond(span: OtlpSpan, known: readonly string[]): string[] {
  return Object.keys(attrs(span))
    .filter((k) => !known.includes(k))
    .sort();
}

function statusCode(span: OtlpSpan): number {
  return span.status?.code ?? StatusCode.UNSET;
}

// ---------------------------------------------------------------------------------------------
// HTTP server spans

/** Server-span attributes both sides record, with the same values for the same request. */
const SHARED_SERVER_KEYS = [
  'http.request.method',
  'url.scheme',
  'url.path',
  'http.route',
  'http.response.status_code',
  'server.address',
  'client.address',
  'user_agent.original',
] as const;

for (const framework of FRAMEWORKS) {
  void describe(`${framework}: the HTTP server span`, () => {
    for (const route of ['/users/42?q=1', '/missing', '/boom'] as const) {
      test(`${route}: kind, name and the shared attributes agree`, () => {
        const theirs = serverSpan(otel, framework, route);
        const mine = serverSpan(ours, framework, route);
        assert.equal(mine.kind, SpanKind.SERVER);
        assert.equal(theirs.kind, SpanKind.SERVER);
        assert.equal(mine.name, theirs.name, 'span name: method + route');
        assert.equal(mine.name, `GET ${pathOf(route).replace('42', ':id')}`);
        for (const key of SHARED_SERVER_KEYS) assert.deepEqual(attrs(mine)[key], attrs(theirs)[key], key);
        assert.equal(attrs(mine)['http.route'], pathOf(route).replace('42', ':id'));
        // server.port: both record it, each the port its own app listens on.
        assert.equal(attrs(mine)['server.port'], ours.ports[framework]);
        assert.equal(attrs(theirs)['server.port'], otel.ports[framework]);
        assert.equal(mine.attributeTypes['server.port'], theirs.attributeTypes['server.port'], 'server.port is an int on both sides');
        assert.equal(mine.attributeTypes['http.response.status_code'], 'int');
        assert.equal(theirs.attributeTypes['http.response.status_code'], 'int');
      });

      test(`${route}: the known differences in attributes`, () => {
        const theirs = serverSpan(otel, framework, route);
        const mine = serverSpan(ours, framework, route);
        const shared = [...SHARED_SERVER_KEYS, 'server.port', 'network.peer.address'];
        // Both send network.peer.address for a direct client (ours: the client ip, which X-Ray
        // then reads as not forwarded).
        assert.equal(attrs(mine)['network.peer.address'], attrs(mine)['client.address']);
        // OTel only:
        //  - network.peer.port / network.protocol.version: the socket's port and the HTTP version.
        //    Our segment model has no field for them (X-Ray keeps only client_ip).
        //  - url.query: we never record query strings (they carry tokens; one scrubbing policy).
        //  - error.type = "500" on a 5xx: the conventions' error class; X-Ray derives fault from the status.
        const otelOnly = ['network.peer.port', 'network.protocol.version'];
        if (route.includes('?')) otelOnly.push('url.query');
        if (route === '/boom') otelOnly.push('error.type');
        assert.deepEqual(keysBeyond(theirs, shared), otelOnly.sort());
        if (route.includes('?')) assert.equal(attrs(theirs)['url.query'], 'q=1');
        if (route === '/boom') assert.equal(attrs(theirs)['error.type'], '500');
        // Ours only:
        //  - http.response.body.size: from Content-Length, which X-Ray keeps (content_length).
        //  - the `route` annotation and aws.xray.annotations = ["route"]: X-Ray indexes the route
        //    as an annotation; http.route alone would land in metadata on the X-Ray side.
        assert.deepEqual(keysBeyond(mine, shared), ['aws.xray.annotations', 'http.response.body.size', 'route']);
        assert.equal(attrs(mine)['route'], attrs(mine)['http.route']);
        assert.deepEqual(attrs(mine)['aws.xray.annotations'], ['route']);
      });
    }

    test('status: unset for 200 and 404 on both sides, ERROR for the 500', () => {
      for (const route of ['/users/42?q=1', '/missing'] as const) {
        assert.equal(statusCode(serverSpan(ours, framework, route)), StatusCode.UNSET, `ours ${route}`);
        assert.equal(statusCode(serverSpan(otel, framework, route)), StatusCode.UNSET, `otel ${route}`);
      }
      assert.equal(statusCode(serverSpan(ours, framework, '/boom')), StatusCode.ERROR);
      assert.equal(statusCode(serverSpan(otel, framework, '/boom')), StatusCode.ERROR);
    });

    test('/boom: the exception event — same type and message, on different spans', () => {
      const mine = serverSpan(ours, framework, '/boom');
      const theirs = serverSpan(otel, framework, '/boom');
      // Ours: the event is on the server span (the segment's cause), and the status message is
      // the exception's message.
      const myEvent = only(mine.events.filter((e) => e.name === 'exception'), 'exception event on our server span');
      assert.equal(mine.status?.message, 'the database said no');
      // OTel: the server span (instrumentation-http) has status ERROR without a message and no
      // event; the exception is recorded on the framework's handler span(s) below it, which also
      // carry the message as their status.
      assert.deepEqual(theirs.events, []);
      assert.equal(theirs.status?.message ?? '', '');
      const handlerSpans = descendants(otel, theirs).filter((s) => s.events.some((e) => e.name === 'exception'));
      assert.ok(handlerSpans.length >= 1, 'an OTel span below the server span holds the exception');
      for (const span of handlerSpans) {
        assert.equal(span.kind, SpanKind.INTERNAL);
        assert.equal(span.status?.message, 'the database said no');
      }
      const theirEvent = handlerSpans[0]!.events.find((e) => e.name === 'exception')!;
      for (const key of ['exception.type', 'exception.message']) assert.equal(myEvent.attributes[key], theirEvent.attributes[key], key);
      assert.equal(myEvent.attributes['exception.type'], 'TypeError');
      // The stack trace: OTel sends err.stack verbatim; ours rebuilds the first line from the
      // scrubbed message and keeps the original frame lines, so both are the same text here.
      const myStack = String(myEvent.attributes['exception.stacktrace']);
      const theirStack = String(theirEvent.attributes['exception.stacktrace']);
      assert.equal(myStack.split('\n')[0], theirStack.split('\n')[0]);
      assert.match(theirStack.split('\n')[1]!, /:\d+:\d+\)$/, 'OTel frames have line:column');
      assert.match(myStack.split('\n')[1]!, /:\d+:\d+\)$/, 'ours too');
    });

    test('spans per request: ours one server span; OTel adds framework spans', () => {
      for (const route of ['/users/42?q=1', '/missing', '/boom'] as const) {
        assert.deepEqual(descendants(ours, serverSpan(ours, framework, route)), [], `ours ${route}`);
        const below = descendants(otel, serverSpan(otel, framework, route));
        assert.ok(below.length >= 1, `otel ${route}`);
        for (const span of below) assert.equal(span.kind, SpanKind.INTERNAL);
        // Express: "request handler" (instrumentation-express); Fastify: "request" and
        // "handler - …" (@fastify/otel). X-Ray would show each as a subsegment.
        const names = below.map((s) => s.name);
        if (framework === 'express') assert.deepEqual(names, ['request handler']);
        else assert.deepEqual([names[0], names[1]?.startsWith('handler - ')], ['request', true]);
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// HTTP client spans

function clientSpan(side: Side, framework: Framework): OtlpSpan {
  const root = serverSpan(side, framework, '/call');
  return only(descendants(side, root).filter((s) => s.kind === SpanKind.CLIENT), `client span under ${framework} /call`);
}

for (const framework of FRAMEWORKS) {
  test(`${framework}: the outgoing node:http client span`, () => {
    const mine = clientSpan(ours, framework);
    const theirs = clientSpan(otel, framework);
    assert.equal(mine.name, 'GET');
    assert.equal(mine.name, theirs.name);
    for (const key of ['http.request.method', 'server.address', 'server.port', 'http.response.status_code']) {
      assert.deepEqual(attrs(mine)[key], attrs(theirs)[key], key);
    }
    assert.equal(statusCode(mine), StatusCode.UNSET);
    assert.equal(statusCode(theirs), StatusCode.UNSET);
    // Known differences:
    //  - url.full: OTel keeps the query string, ours drops it (scrubbing policy: no query strings).
    assert.equal(attrs(theirs)['url.full'], downstreamUrl);
    assert.equal(attrs(mine)['url.full'], downstreamUrl.split('?')[0]);
    //  - OTel only: network.peer.address/port and network.protocol.version (nothing in our model).
    //  - ours only: peer.service (the X-Ray subsegment name, here the host) and
    //    http.response.body.size (X-Ray's content_length).
    const shared = ['http.request.method', 'server.address', 'server.port', 'http.response.status_code', 'url.full'];
    assert.deepEqual(keysBeyond(theirs, shared), ['network.peer.address', 'network.peer.port', 'network.protocol.version']);
    assert.deepEqual(keysBeyond(mine, shared), ['http.response.body.size', 'peer.service']);
    assert.equal(attrs(mine)['peer.service'], '127.0.0.1');
    //  - parent: ours is a child of the server span; OTel's of the framework's handler span.
    assert.equal(mine.parentSpanId, serverSpan(ours, framework, '/call').spanId);
    assert.notEqual(theirs.parentSpanId, serverSpan(otel, framework, '/call').spanId);
  });
}

// ---------------------------------------------------------------------------------------------
// AWS SDK v3 spans

function awsSpan(side: Side, framework: Framework): OtlpSpan {
  const root = serverSpan(side, framework, '/dynamo');
  return only(descendants(side, root).filter((s) => attrs(s)['rpc.system'] === 'aws-api'), `AWS SDK span under ${framework} /dynamo`);
}

for (const framework of FRAMEWORKS) {
  test(`${framework}: the DynamoDB GetItem span`, () => {
    const mine = awsSpan(ours, framework);
    const theirs = awsSpan(otel, framework);
    assert.equal(mine.kind, SpanKind.CLIENT);
    assert.equal(theirs.kind, SpanKind.CLIENT);
    assert.equal(mine.name, 'DynamoDB.GetItem');
    assert.equal(mine.name, theirs.name);
    for (const key of ['rpc.system', 'rpc.service', 'rpc.method', 'aws.dynamodb.table_names', 'http.response.status_code']) {
      assert.deepEqual(attrs(mine)[key], attrs(theirs)[key], key);
    }
    assert.deepEqual(attrs(mine)['aws.dynamodb.table_names'], [TABLE]);
    assert.equal(statusCode(mine), StatusCode.UNSET);
    assert.equal(statusCode(theirs), StatusCode.UNSET);
    // Known differences:
    //  - the request id: ours `aws.request_id` (the X-Ray key, what the collector's X-Ray exporter
    //    reads), OTel `aws.request.id` (the semantic-conventions key). Different requests, so
    //    only the shape is compared.
    assert.match(String(attrs(mine)['aws.request_id']), /^[A-Z0-9]{52}$/);
    assert.match(String(attrs(theirs)['aws.request.id']), /^[A-Z0-9]{52}$/);
    //  - the region: ours `aws.region` (X-Ray key), OTel `cloud.region`.
    assert.equal(attrs(mine)['aws.region'], 'us-east-1');
    assert.equal(attrs(theirs)['cloud.region'], 'us-east-1');
    //  - OTel only: db.system.name = dynamodb, db.namespace = the table, db.operation.name
    //    (the database conventions, on top of rpc.*).
    assert.equal(attrs(theirs)['db.system.name'], 'dynamodb');
    assert.equal(attrs(theirs)['db.namespace'], TABLE);
    assert.equal(attrs(theirs)['db.operation.name'], 'GetItem');
    //  - ours only: aws.xray.retries (X-Ray's `aws.retries`), http.response.body.size.
    const shared = ['rpc.system', 'rpc.service', 'rpc.method', 'aws.dynamodb.table_names', 'http.response.status_code'];
    assert.deepEqual(keysBeyond(theirs, shared), ['aws.request.id', 'cloud.region', 'db.namespace', 'db.operation.name', 'db.system.name']);
    assert.deepEqual(keysBeyond(mine, shared), ['aws.region', 'aws.request_id', 'aws.xray.retries', 'http.response.body.size']);
    //  - OTel also records the SDK's HTTP request (a `POST` client span under the AWS span, from
    //    instrumentation-http); ours records the AWS call only.
    const theirChildren = descendants(otel, theirs);
    assert.deepEqual(
      theirChildren.map((s) => [s.name, s.kind]),
      [['POST', SpanKind.CLIENT]],
    );
    assert.deepEqual(descendants(ours, mine), []);
  });
}

test('resource: service.name and telemetry.sdk.language agree; the SDK name differs', () => {
  const mine = serverSpan(ours, 'express', '/missing').resource;
  const theirs = serverSpan(otel, 'express', '/missing').resource;
  assert.equal(mine['service.name'], 'ours-compare');
  assert.equal(theirs['service.name'], 'otel-compare');
  assert.equal(mine['telemetry.sdk.language'], theirs['telemetry.sdk.language']);
  assert.equal(mine['telemetry.sdk.language'], 'nodejs');
  // Known difference: the producer's name.
  assert.equal(theirs['telemetry.sdk.name'], 'opentelemetry');
  assert.equal(mine['telemetry.sdk.name'], '@cruddur/middleware');
});
