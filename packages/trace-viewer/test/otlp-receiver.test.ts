// The OTLP/HTTP receiver with real senders: the OpenTelemetry JS SDK's protobuf and JSON exporters,
// and hand-made requests for what an SDK never sends. Every socket is on an ephemeral port.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { context, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { renderTraceTree, startTraceViewer, type JsonObject, type SegmentDocument, type Trace, type TraceNode, type TraceViewer } from '../src/index.js';
import { Sender, newId, newTraceId } from './fixtures.js';
import { decodeResponse, decodeStatus, encodeRequest, jsonRequest, jsonSpan, post, postJson, sdkSender } from './otlp-fixtures.js';

const ECS_RESOURCE = {
  'service.name': 'items-api',
  'service.version': '1.2.3',
  'cloud.provider': 'aws',
  'cloud.platform': 'aws_ecs',
  'aws.ecs.launchtype': 'fargate',
  'aws.ecs.cluster.arn': 'arn:aws:ecs:us-east-1:123456789012:cluster/cruddur',
  'aws.log.group.names': ['/cruddur/items'],
  'telemetry.sdk.name': 'opentelemetry',
  'telemetry.sdk.language': 'nodejs',
  'telemetry.sdk.version': '3.1.1',
};

/** Every entity of a document, itself first, embedded subsegments depth first. */
function entities(document: JsonObject): JsonObject[] {
  const children = Array.isArray(document['subsegments']) ? (document['subsegments'] as JsonObject[]) : [];
  return [document, ...children.flatMap(entities)];
}

function findEntity(trace: Trace, name: string): JsonObject {
  const found = trace.documents.flatMap(entities).find((entity) => entity['name'] === name);
  assert.ok(found, `no entity named ${name} in ${JSON.stringify(trace.documents.map((d) => d.name))}`);
  return found;
}

function findNode(nodes: readonly TraceNode[], name: string): TraceNode | undefined {
  for (const node of nodes) {
    if (node.name === name) return node;
    const child = findNode(node.children, name);
    if (child) return child;
  }
  return undefined;
}

function xrayId(hex: string): string {
  return `1-${hex.slice(0, 8)}-${hex.slice(8)}`;
}

function nearly(actual: unknown, expected: number, what: string): void {
  assert.equal(typeof actual, 'number', what);
  assert.ok(Math.abs((actual as number) - expected) < 0.001, `${what}: ${String(actual)} vs ${expected}`);
}

void describe('OTLP/HTTP receiver', () => {
  let viewer: TraceViewer;

  before(async () => {
    viewer = await startTraceViewer({ udpPort: 0, httpPort: 0, otlpPort: 0, finishAfterMs: 50 });
  });
  after(async () => {
    await viewer.close();
  });

  void it('binds an ephemeral port and reports it like the UDP port', async () => {
    assert.ok(viewer.otlpPort !== undefined && viewer.otlpPort > 0 && viewer.otlpPort !== 4318);
    assert.equal(viewer.otlpEndpoint, `http://127.0.0.1:${viewer.otlpPort}`);
    assert.equal(viewer.otlpTracesUrl, `http://127.0.0.1:${viewer.otlpPort}/v1/traces`);
    const info = (await (await fetch(`${viewer.url!}api/info`)).json()) as Record<string, unknown>;
    assert.equal(info['otlpTracesUrl'], viewer.otlpTracesUrl);
    const off = await startTraceViewer({ udpPort: 0, web: false });
    try {
      assert.equal(off.otlpPort, undefined, 'off unless asked for');
      assert.equal(off.otlpEndpoint, undefined);
      assert.equal(off.stats().otlp, undefined);
    } finally {
      await off.close();
    }
  });

  void it('maps a batch sent as gzip protobuf field by field, subsegments embedded in their segment', async () => {
    const provider = sdkSender({ url: viewer.otlpTracesUrl!, protocol: 'protobuf', gzip: true, batch: true, resource: ECS_RESOURCE });
    const tracer = provider.getTracer('otlp-test');
    const server = tracer.startSpan('GET /api/items', {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': 'GET',
        'url.scheme': 'http',
        'url.path': '/api/items',
        'url.query': 'q=1',
        'server.address': 'localhost',
        'server.port': 4567,
        'client.address': '10.0.0.7',
        'user_agent.original': 'curl/8.5',
        'http.response.status_code': 200,
        'http.route': '/api/items',
        'enduser.id': 'andrewbrown',
        'aws.xray.annotations': ['tenant', 'http.route', 'absent'],
        tenant: 'acme',
        'aws.xray.metadata.cache': JSON.stringify({ hit: false, keys: 3 }),
        'aws.xray.metadata.default': JSON.stringify({ merged: true }),
        'custom.note': 'kept as metadata',
      },
    });
    const parent = trace.setSpan(context.active(), server);
    const call = tracer.startSpan('POST', {
      kind: SpanKind.CLIENT,
      attributes: { 'peer.service': 'worker', 'http.request.method': 'POST', 'url.full': 'http://127.0.0.1:4568/process', 'http.response.status_code': 200 },
    }, parent);
    call.end();
    const dynamo = tracer.startSpan('DynamoDB.GetItem', {
      kind: SpanKind.CLIENT,
      attributes: {
        'rpc.system': 'aws-api',
        'rpc.service': 'DynamoDB',
        'rpc.method': 'GetItem',
        'aws.region': 'us-east-1',
        'aws.request.id': 'REQ-1',
        'aws.dynamodb.table_names': ['cruddur-items'],
        'db.system': 'dynamodb',
        'http.response.status_code': 200,
      },
    }, parent);
    dynamo.end();
    const render = tracer.startSpan('render', { kind: SpanKind.INTERNAL }, parent);
    const failure = new TypeError('template missing');
    render.recordException(failure);
    render.setStatus({ code: SpanStatusCode.ERROR, message: 'template missing' });
    render.end();
    server.end();
    await provider.forceFlush();
    await provider.shutdown();

    const hex = server.spanContext().traceId;
    const traced = await viewer.store.waitForTrace(xrayId(hex), 5000);
    assert.equal(traced.documents.length, 1, 'one export request: the subsegments are embedded in their segment');
    const segment = traced.documents[0]!;

    assert.equal(segment['trace_id'], xrayId(hex));
    assert.equal(segment.id, server.spanContext().spanId);
    assert.equal(segment.name, 'items-api', 'server span: named after the resource service.name');
    assert.equal(segment['parent_id'], undefined);
    assert.equal(segment['type'], undefined);
    assert.equal(segment['namespace'], undefined);
    const serverSpan = server as unknown as { startTime: [number, number]; endTime: [number, number] };
    nearly(segment.start_time, serverSpan.startTime[0] + serverSpan.startTime[1] / 1e9, 'start_time');
    nearly(segment['end_time'], serverSpan.endTime[0] + serverSpan.endTime[1] / 1e9, 'end_time');
    assert.equal(segment['origin'], 'AWS::ECS::Fargate');
    assert.deepEqual(segment['service'], { version: '1.2.3' });
    assert.equal(segment['user'], 'andrewbrown');
    assert.deepEqual(segment['http'], {
      request: { method: 'GET', url: 'http://localhost:4567/api/items?q=1', user_agent: 'curl/8.5', client_ip: '10.0.0.7', x_forwarded_for: true },
      response: { status: 200 },
    });
    assert.deepEqual(segment['aws'], {
      ecs: { cluster_arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/cruddur', launch_type: 'fargate' },
      cloudwatch_logs: [{ log_group: '/cruddur/items' }],
      xray: { sdk: 'opentelemetry for nodejs', sdk_version: '3.1.1', auto_instrumentation: false },
    });
    assert.deepEqual(segment['annotations'], { tenant: 'acme', http_route: '/api/items' });
    const metadata = segment['metadata'] as Record<string, Record<string, unknown>>;
    assert.deepEqual(metadata['cache'], { hit: false, keys: 3 });
    assert.equal(metadata['default']!['merged'], true);
    assert.equal(metadata['default']!['custom.note'], 'kept as metadata');
    assert.equal(metadata['default']!['otel.resource.cloud.platform'], 'aws_ecs', 'a segment keeps its resource as metadata');
    for (const consumed of ['http.request.method', 'enduser.id', 'tenant', 'aws.xray.annotations', 'aws.xray.metadata.cache']) {
      assert.equal(metadata['default']![consumed], undefined, `${consumed} is not repeated as metadata`);
    }
    assert.equal(segment['error'], undefined);
    assert.equal(segment['fault'], undefined);

    const remote = findEntity(traced, 'worker');
    assert.equal(remote['id'], call.spanContext().spanId);
    assert.equal(remote['namespace'], 'remote');
    assert.equal(remote['trace_id'], undefined, 'embedded subsegments carry no trace id');
    assert.equal(remote['type'], undefined);
    assert.deepEqual(remote['http'], { request: { method: 'POST', url: 'http://127.0.0.1:4568/process' }, response: { status: 200 } });
    assert.equal(remote['origin'], undefined, 'resource facts stay on the segment');

    const aws = findEntity(traced, 'DynamoDB');
    assert.equal(aws['namespace'], 'aws');
    assert.deepEqual(aws['aws'], { operation: 'GetItem', region: 'us-east-1', request_id: 'REQ-1', table_name: 'cruddur-items' });
    assert.equal((aws['metadata'] as Record<string, Record<string, unknown>>)['default']!['db.system'], 'dynamodb', 'no sql block for DynamoDB');

    const rendered = findEntity(traced, 'render');
    assert.equal(rendered['fault'], true, 'ERROR status without an HTTP status is a fault');
    const cause = rendered['cause'] as { exceptions: Array<Record<string, unknown>> };
    assert.equal(cause.exceptions.length, 1);
    const [exception] = cause.exceptions;
    assert.match(String(exception!['id']), /^[0-9a-f]{16}$/);
    assert.equal(exception!['type'], 'TypeError');
    assert.equal(exception!['message'], 'template missing');
    assert.equal(exception!['remote'], false);
    const stack = exception!['stack'] as Array<{ path: string; line: number; label?: string }>;
    assert.ok(stack.length > 0, 'the V8 stack trace is parsed');
    assert.ok(stack[0]!.path.endsWith('otlp-receiver.test.ts'), JSON.stringify(stack[0]));
    assert.ok(Number.isInteger(stack[0]!.line) && stack[0]!.line > 0);

    // The tree and the terminal view read OTLP documents like any other.
    const root = traced.roots[0]!;
    assert.equal(traced.roots.length, 1);
    assert.deepEqual(root.children.map((child) => child.name).sort(), ['DynamoDB', 'render', 'worker']);
    assert.deepEqual(traced.services, ['items-api']);
    assert.equal(traced.method, 'GET');
    assert.equal(traced.status, 200);
    const printed = renderTraceTree(traced);
    assert.match(printed, /items-api {2}GET http:\/\/localhost:4567\/api\/items\?q=1 → 200/);
    assert.match(printed, /DynamoDB {2}aws {2}GetItem/);
    assert.match(printed, /render .*FAULT {2}TypeError: template missing/);
    assert.match(printed, /\{http_route=\/api\/items tenant=acme\} {2}user=andrewbrown/);
  });

  void it('maps spans the JSON exporter sends one by one into independent subsegments of one tree', async () => {
    const provider = sdkSender({ url: viewer.otlpTracesUrl!, protocol: 'json', resource: { 'service.name': 'json-api' } });
    const tracer = provider.getTracer('otlp-test');
    const server = tracer.startSpan('GET /x', { kind: SpanKind.SERVER, attributes: { 'http.method': 'GET', 'http.url': 'http://localhost:4567/x', 'http.status_code': 200 } });
    const parent = trace.setSpan(context.active(), server);
    const internal = tracer.startSpan('load', { kind: SpanKind.INTERNAL }, parent);
    const query = tracer.startSpan('SELECT items', {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system': 'postgresql', 'db.name': 'cruddur', 'db.statement': 'SELECT * FROM items WHERE id = $1', 'db.user': 'app', 'db.connection_string': 'postgresql://db.local:5432' },
    }, trace.setSpan(parent, internal));
    query.end();
    internal.end();
    server.end();
    await provider.forceFlush();
    await provider.shutdown();

    const traced = await viewer.store.waitForTrace(xrayId(server.spanContext().traceId), 5000);
    assert.equal(traced.documents.length, 3, 'one document per export');
    const db = traced.documents.find((document) => document.id === query.spanContext().spanId)!;
    assert.equal(db['type'], 'subsegment');
    assert.equal(db['parent_id'], internal.spanContext().spanId);
    assert.equal(db['trace_id'], traced.id);
    assert.equal(db.name, 'cruddur@db.local', 'database spans are named <db name>@<host>');
    assert.equal(db['namespace'], 'remote');
    assert.deepEqual(db['sql'], {
      url: 'SELECT items',
      connection_string: 'postgresql://db.local:5432/cruddur',
      database_type: 'postgresql',
      user: 'app',
      sanitized_query: 'SELECT * FROM items WHERE id = $1',
    });
    const segment = traced.documents.find((document) => document.id === server.spanContext().spanId)!;
    assert.deepEqual(segment['http'], { request: { method: 'GET', url: 'http://localhost:4567/x' }, response: { status: 200 } });
    assert.equal(traced.roots.length, 1);
    assert.equal(traced.roots[0]!.children[0]!.name, 'load');
    assert.equal(traced.roots[0]!.children[0]!.children[0]!.sql, 'SELECT * FROM items WHERE id = $1');
  });

  void it('sets error, fault and throttle from the HTTP status the way the X-Ray exporter does', async () => {
    const provider = sdkSender({ url: viewer.otlpTracesUrl!, protocol: 'json', batch: true, resource: { 'service.name': 'flags' } });
    const tracer = provider.getTracer('otlp-test');
    const cases: Array<{ status?: number; old?: boolean; spanStatus?: SpanStatusCode; flags: string[] }> = [
      { status: 404, flags: ['error'] },
      { status: 429, old: true, flags: ['error', 'throttle'] },
      { status: 503, flags: ['fault'] },
      { status: 500, old: true, spanStatus: SpanStatusCode.ERROR, flags: ['fault'] },
      // The HTTP status wins over the span status: a 404 with an ERROR status stays a client error.
      { status: 404, spanStatus: SpanStatusCode.ERROR, flags: ['error'] },
      { spanStatus: SpanStatusCode.ERROR, flags: ['fault'] },
      { status: 201, flags: [] },
    ];
    const ids: string[] = [];
    for (const [index, testCase] of cases.entries()) {
      const key = testCase.old ? 'http.status_code' : 'http.response.status_code';
      const span = tracer.startSpan(`case ${index}`, { kind: SpanKind.SERVER, attributes: testCase.status !== undefined ? { [key]: testCase.status } : {} });
      if (testCase.spanStatus !== undefined) span.setStatus({ code: testCase.spanStatus });
      span.end();
      ids.push(span.spanContext().traceId);
    }
    await provider.forceFlush();
    await provider.shutdown();
    for (const [index, testCase] of cases.entries()) {
      const traced = await viewer.store.waitForTrace(xrayId(ids[index]!), 5000);
      const segment = traced.documents[0]!;
      const flags = ['error', 'fault', 'throttle'].filter((flag) => segment[flag] === true);
      assert.deepEqual(flags, testCase.flags, `case ${index}: ${JSON.stringify(testCase)}`);
    }
  });

  void it('reads gzip JSON bodies with enum names, numeric int64 and snake_case fields', async () => {
    const traceId = randomBytes(16).toString('hex');
    const start = BigInt(Date.now()) * 1_000_000n;
    const request = {
      resource_spans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'gz' } }] },
          scope_spans: [
            {
              spans: [
                {
                  trace_id: traceId.toUpperCase(),
                  span_id: 'AAAAAAAAAAAAAAA1',
                  name: 'GET /gz',
                  kind: 'SPAN_KIND_SERVER',
                  start_time_unix_nano: Number(start / 1000n) * 1000,
                  end_time_unix_nano: String(start + 2_000_000n),
                  status: { code: 'STATUS_CODE_ERROR', message: 'broken' },
                  attributes: [
                    { key: 'count', value: { intValue: '42' } },
                    { key: 'ratio', value: { doubleValue: 0.5 } },
                    { key: 'raw', value: { bytesValue: Buffer.from('hi').toString('base64') } },
                    { key: 'nested', value: { kvlistValue: { values: [{ key: 'a', value: { arrayValue: { values: [{ boolValue: true }] } } }] } } },
                    { key: '__proto__', value: { stringValue: 'plain data' } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const response = await postJson(viewer.otlpTracesUrl!, request, true);
    assert.equal(response.status, 200);
    assert.equal(response.contentType, 'application/json');
    assert.deepEqual(JSON.parse(response.body.toString()), {});
    const traced = await viewer.store.waitForTrace(xrayId(traceId), 5000);
    const segment = traced.documents[0]!;
    assert.equal(segment.id, 'aaaaaaaaaaaaaaa1');
    assert.equal(segment.name, 'gz');
    assert.equal(segment['fault'], true);
    assert.deepEqual(segment['cause'], { exceptions: [{ id: (segment['cause'] as { exceptions: Array<{ id: string }> }).exceptions[0]!.id, message: 'broken' }] });
    const metadata = (segment['metadata'] as Record<string, Record<string, unknown>>)['default']!;
    assert.equal(metadata['count'], 42);
    assert.equal(metadata['ratio'], 0.5);
    assert.equal(metadata['raw'], 'aGk=');
    assert.deepEqual(metadata['nested'], { a: [true] });
    assert.ok(Object.hasOwn(metadata, '__proto__'));
    assert.equal(Object.getPrototypeOf(metadata), Object.prototype);
  });

  void it('rejects spans with invalid ids in partial_success and keeps the others', async () => {
    const good = jsonSpan({ traceId: randomBytes(16).toString('hex'), spanId: 'aaaaaaaaaaaaaaa2' });
    const bad = [
      jsonSpan({ traceId: '00000000000000000000000000000000' }),
      jsonSpan({ spanId: 'xyz' }),
      jsonSpan({ spanId: '0000000000000000' }),
      jsonSpan({ parentSpanId: '1234' }),
      jsonSpan({ traceId: 'AQEBAQEBAQEBAQEBAQEBAQ==' }),
    ];
    const response = await postJson(viewer.otlpTracesUrl!, jsonRequest([good, ...bad]));
    assert.equal(response.status, 200);
    const body = JSON.parse(response.body.toString()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    assert.equal(body.partialSuccess.rejectedSpans, '5');
    assert.match(body.partialSuccess.errorMessage, /5 span\(s\) rejected: invalid trace id/);
    assert.match(body.partialSuccess.errorMessage, /invalid parent span id "1234"/);
    await viewer.store.waitForTrace(xrayId(good['traceId'] as string), 5000);

    // The same in protobuf: the answer is a protobuf ExportTraceServiceResponse.
    const traceId = randomBytes(16);
    const start = String(BigInt(Date.now()) * 1_000_000n);
    const bytes = encodeRequest({
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'proto' } }] },
        scopeSpans: [{ spans: [
          { traceId, spanId: randomBytes(8), name: 'ok', kind: 2, startTimeUnixNano: start, endTimeUnixNano: start },
          { traceId: randomBytes(15), spanId: randomBytes(8), name: 'short trace id', kind: 2, startTimeUnixNano: start, endTimeUnixNano: start },
          { traceId, spanId: Buffer.alloc(8), name: 'zero span id', kind: 2, startTimeUnixNano: start, endTimeUnixNano: start },
        ] }],
      }],
    });
    const proto = await post(viewer.otlpTracesUrl!, bytes, { 'content-type': 'application/x-protobuf' });
    assert.equal(proto.status, 200);
    assert.equal(proto.contentType, 'application/x-protobuf');
    const decoded = decodeResponse(proto.body) as { partialSuccess?: { rejectedSpans?: number; errorMessage?: string } };
    assert.equal(decoded.partialSuccess?.rejectedSpans, 2);
    assert.match(decoded.partialSuccess?.errorMessage ?? '', /invalid trace id/);
    await viewer.store.waitForTrace(xrayId(traceId.toString('hex')), 5000);
    // A fully accepted protobuf request gets an empty response message.
    const empty = await post(viewer.otlpTracesUrl!, encodeRequest({ resourceSpans: [] }), { 'content-type': 'application/x-protobuf' });
    assert.equal(empty.status, 200);
    assert.equal(empty.body.length, 0);
  });

  void it('answers 415, 400, 404 and 405 with a google.rpc.Status in the request’s encoding', async () => {
    const url = viewer.otlpTracesUrl!;
    const text = await post(url, '{}', { 'content-type': 'text/plain' });
    assert.equal(text.status, 415);
    assert.match(JSON.parse(text.body.toString()).message as string, /unsupported content type "text\/plain"/);
    const brotli = await post(url, '{}', { 'content-type': 'application/json', 'content-encoding': 'br' });
    assert.equal(brotli.status, 415);

    const badJson = await post(url, '{"resourceSpans": [', { 'content-type': 'application/json; charset=utf-8' });
    assert.equal(badJson.status, 400);
    assert.equal(badJson.contentType, 'application/json');
    const status = JSON.parse(badJson.body.toString()) as { code: number; message: string };
    assert.equal(status.code, 3);
    assert.match(status.message, /not JSON/);
    const wrongShape = await postJson(url, { resourceSpans: 'nope' });
    assert.equal(wrongShape.status, 400);

    const badProto = await post(url, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), { 'content-type': 'application/x-protobuf' });
    assert.equal(badProto.status, 400);
    assert.equal(badProto.contentType, 'application/x-protobuf');
    const protoStatus = decodeStatus(badProto.body);
    assert.equal(protoStatus.code, 3);
    assert.match(protoStatus.message, /not a protobuf ExportTraceServiceRequest/);
    const badGzip = await post(url, Buffer.from('not gzip'), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    assert.equal(badGzip.status, 400);
    assert.match(decodeStatus(badGzip.body).message, /invalid gzip body/);

    const notFound = await post(`${viewer.otlpEndpoint!}/v1/metrics`, '{}', { 'content-type': 'application/json' });
    assert.equal(notFound.status, 404);
    const get = await fetch(url);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    const refused = viewer.stats().otlp!.refused;
    assert.ok(refused.unsupported_media_type >= 2 && refused.bad_request >= 4 && refused.not_found >= 1 && refused.method_not_allowed >= 1, JSON.stringify(refused));
  });

  void it('survives garbage in both encodings and keeps receiving', async () => {
    const before = viewer.stats().otlp!;
    for (let i = 0; i < 40; i++) {
      const junk = randomBytes(1 + (i * 37) % 700);
      const type = i % 2 === 0 ? 'application/x-protobuf' : 'application/json';
      const response = await post(viewer.otlpTracesUrl!, i % 5 === 0 ? gzipSync(junk) : junk, { 'content-type': type, ...(i % 5 === 0 ? { 'content-encoding': 'gzip' } : {}) });
      assert.ok(response.status === 200 || response.status === 400, `junk ${i}: ${response.status}`);
    }
    // Deep nesting, wrong types and hostile keys in otherwise valid JSON.
    const depth = 20_000;
    const deep = `${'{"arrayValue":{"values":['.repeat(depth)}{"stringValue":"bottom"}${']}}'.repeat(depth)}`;
    const deepRequest = JSON.stringify(jsonRequest([jsonSpan({ attributes: [{ key: 'deep', value: 'DEEP' }] })])).replace('"DEEP"', deep);
    const deepResponse = await post(viewer.otlpTracesUrl!, deepRequest, { 'content-type': 'application/json' });
    assert.ok(deepResponse.status === 200 || deepResponse.status === 400, `deep: ${deepResponse.status}`);
    for (const body of [
      jsonRequest([jsonSpan({ name: 42, kind: {}, events: [null, 1], links: [{}], status: 'x', attributes: 'x' })]),
      jsonRequest([null, 'span', 7]),
      { resourceSpans: [{ scopeSpans: [{ spans: {} }] }] },
      [],
      'null',
    ]) {
      const response = await postJson(viewer.otlpTracesUrl!, body);
      assert.ok(response.status === 200 || response.status === 400, `${JSON.stringify(body).slice(0, 80)}: ${response.status}`);
    }
    const after = viewer.stats().otlp!;
    assert.equal(after.refused.internal_error, 0);
    assert.ok(after.refused.bad_request > before.refused.bad_request);
    const traceId = randomBytes(16).toString('hex');
    assert.equal((await postJson(viewer.otlpTracesUrl!, jsonRequest([jsonSpan({ traceId })]))).status, 200);
    await viewer.store.waitForTrace(xrayId(traceId), 5000);
  });

  void it('counts trace ids X-Ray itself would refuse for their age, and shows them anyway', async () => {
    const before = viewer.stats().otlp!.outsideXrayWindow;
    const old = `00000001${randomBytes(12).toString('hex')}`;
    const fresh = `${Math.floor(Date.now() / 1000).toString(16)}${randomBytes(12).toString('hex')}`;
    await postJson(viewer.otlpTracesUrl!, jsonRequest([jsonSpan({ traceId: old }), jsonSpan({ traceId: fresh, spanId: 'bbbbbbbbbbbbbbb1' })]));
    await viewer.store.waitForTrace(xrayId(old), 5000);
    await viewer.store.waitForTrace(xrayId(fresh), 5000);
    assert.equal(viewer.stats().otlp!.outsideXrayWindow, before + 1);
  });

  void it('merges a trace sent partly over UDP and partly over OTLP into one trace and one service map', async () => {
    // Service A (X-Ray SDK) calls service B (OpenTelemetry SDK) and propagates its subsegment id.
    const traceId = newTraceId(Date.now() / 1000 - 1);
    const callId = newId();
    const t0 = Date.now() / 1000 - 0.5;
    const sender = new Sender(viewer.udpPort);
    try {
      await sender.send({
        trace_id: traceId,
        id: newId(),
        name: 'frontend',
        start_time: t0,
        end_time: t0 + 0.3,
        http: { request: { method: 'GET', url: 'http://localhost:4567/home' }, response: { status: 200 } },
        subsegments: [
          { id: callId, name: 'worker', namespace: 'remote', start_time: t0 + 0.01, end_time: t0 + 0.2, traced: true, http: { request: { method: 'POST', url: 'http://127.0.0.1:4568/process' }, response: { status: 200 } } },
        ],
      });
    } finally {
      await sender.close();
    }
    const provider = sdkSender({ url: viewer.otlpTracesUrl!, protocol: 'protobuf', batch: true, resource: { 'service.name': 'worker' } });
    const tracer = provider.getTracer('otlp-test');
    const remoteParent = trace.setSpanContext(context.active(), {
      traceId: traceId.replace(/^1-/, '').replace('-', ''),
      spanId: callId,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    const server = tracer.startSpan('POST /process', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'http.response.status_code': 200 } }, remoteParent);
    tracer.startSpan('DynamoDB.PutItem', { kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'aws-api', 'rpc.service': 'DynamoDB', 'rpc.method': 'PutItem' } }, trace.setSpan(remoteParent, server)).end();
    server.end();
    await provider.forceFlush();
    await provider.shutdown();

    const merged = await viewer.store.waitForTrace((candidate) => candidate.id === traceId && candidate.services.length === 2, 5000);
    assert.equal(merged.roots.length, 1);
    assert.deepEqual(merged.services, ['frontend', 'worker']);
    const call = findNode(merged.roots, 'worker')!;
    assert.equal(call.namespace, 'remote');
    assert.equal(call.children[0]!.kind, 'segment', 'the OTLP segment hangs under the UDP call');
    assert.equal(call.children[0]!.parentId, callId);
    assert.equal(call.children[0]!.children[0]!.operation, 'PutItem');
    assert.deepEqual(
      merged.serviceMap.edges.map((edge) => `${edge.from}→${edge.to}`).sort(),
      ['frontend→worker', 'worker→DynamoDB'],
    );
    assert.deepEqual(merged.serviceMap.nodes.map((node) => `${node.kind}:${node.name}`).sort(), ['aws:DynamoDB', 'service:frontend', 'service:worker']);
    const listed = viewer.store.listTraces().find((summary) => summary.id === traceId)!;
    assert.equal(listed.documentCount, 2);
    const otlpDocument: SegmentDocument = merged.documents.find((document) => document.name === 'worker')!;
    assert.equal(otlpDocument['parent_id'], callId);
  });
});

void describe('OTLP body limit', () => {
  void it('answers 413 above the limit, as sent or once decompressed', async () => {
    const viewer = await startTraceViewer({ udpPort: 0, web: false, otlpPort: 0, otlpMaxBodyBytes: 4096 });
    try {
      const big = JSON.stringify(jsonRequest([jsonSpan({ name: 'x'.repeat(10_000) })]));
      const declared = await post(viewer.otlpTracesUrl!, big, { 'content-type': 'application/json' });
      assert.equal(declared.status, 413);
      assert.equal(JSON.parse(declared.body.toString()).code, 8);
      // Chunked: no content-length, the limit applies while reading.
      const chunked = await fetch(viewer.otlpTracesUrl!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: new ReadableStream<Uint8Array>({
          start(controller) {
            for (let i = 0; i < 8; i++) controller.enqueue(new Uint8Array(1024));
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      assert.equal(chunked.status, 413);
      // A small gzip body that inflates past the limit.
      const bomb = gzipSync(Buffer.alloc(1024 * 1024));
      assert.ok(bomb.byteLength < 4096);
      const inflated = await post(viewer.otlpTracesUrl!, bomb, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
      assert.equal(inflated.status, 413);
      assert.match(decodeStatus(inflated.body).message, /once decompressed/);
      assert.equal(viewer.stats().otlp!.refused.too_large, 3);
      // Still receiving.
      assert.equal((await postJson(viewer.otlpTracesUrl!, jsonRequest([jsonSpan()]))).status, 200);
    } finally {
      await viewer.close();
    }
  });
});
