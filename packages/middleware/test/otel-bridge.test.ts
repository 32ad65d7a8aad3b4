// The OpenTelemetry bridge in one process, without servers: context sharing both ways, the
// span → subsegment mapping, root spans, the context-missing strategy and deferral to our own
// integrations. The real instrumentations are in otel-bridge-db.test.ts and otel-bridge-loaders.test.ts.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { context, createContextKey, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SegmentNotFoundError, type SubsegmentDocument } from '../src/index.js';
import { registerOtelBridge, type OtelBridgeOptions } from '../src/otel/index.js';
import { sanitizeSql, urlWithoutCredentials } from '../src/otel/span-to-subsegment.js';
import { createTestTracer, flattenSubsegments } from '../src/testing/index.js';

function setup(t: TestContext, options: Omit<OtelBridgeOptions, 'tracer'> = {}, tracerOptions: Parameters<typeof createTestTracer>[0] = {}) {
  const { tracer, emitter } = createTestTracer({ name: 'svc', ...tracerOptions });
  const bridge = registerOtelBridge({ tracer, ...options });
  t.after(() => bridge.unregister());
  assert.equal(bridge.registered, true);
  return { tracer, emitter, otel: trace.getTracer('test-instrumentation') };
}

test('a span started inside a request is a subsegment, and its children nest under it', (t) => {
  const { tracer, emitter, otel } = setup(t);
  const segment = tracer.beginSegment({ name: 'svc' });
  tracer.run(segment, () => {
    otel.startActiveSpan('outer', (outer) => {
      otel.startSpan('inner', { kind: SpanKind.CLIENT, attributes: { 'peer.service': 'billing' } }).end();
      outer.end();
    });
  });
  segment.close();
  const [doc] = emitter.segments;
  assert.equal(doc?.subsegments?.[0]?.name, 'outer');
  const inner = doc?.subsegments?.[0]?.subsegments?.[0];
  assert.equal(inner?.name, 'billing');
  assert.equal(inner?.namespace, 'remote');
});

test('getActiveSpan() inside capture() is the capture subsegment; attributes, events and status land on it', (t) => {
  const { tracer, emitter } = setup(t, { annotationKeys: ['app.tenant'] });
  const segment = tracer.beginSegment({ name: 'svc' });
  tracer.run(segment, () =>
    tracer.capture('work', (sub) => {
      const span = trace.getActiveSpan();
      assert.ok(span);
      assert.equal(span.spanContext().spanId, sub?.id);
      assert.equal(span.spanContext().traceId, segment.traceId.replace(/^1-|-/g, ''));
      span.setAttribute('app.tenant', 'acme');
      span.setAttribute('app.items', 3);
      span.addEvent('cache-miss', { key: 'k' });
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
      span.end(); // not ours to close: the capture closes it
      assert.equal(sub?.isClosed, false);
    }),
  );
  segment.close();
  const work = emitter.segments[0]?.subsegments?.[0] as SubsegmentDocument;
  assert.deepEqual(work.annotations, { app_tenant: 'acme' });
  const otelMeta = work.metadata?.otel as Record<string, unknown>;
  assert.equal(otelMeta['app.items'], 3);
  assert.equal((otelMeta['events'] as Array<{ name: string }>)[0]?.name, 'cache-miss');
  assert.equal(work.fault, true);
  assert.equal(typeof work.cause === 'object' && work.cause.exceptions[0]?.message, 'boom');
});

test('attributes set after the start: naming keys and updateName rename the subsegment, the rest is metadata, secrets are scrubbed', (t) => {
  const { tracer, emitter, otel } = setup(t);
  const segment = tracer.beginSegment({ name: 'svc' });
  tracer.run(segment, () => {
    const late = otel.startSpan('query', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'server.address': 'db.internal' } });
    late.setAttribute('db.namespace', 'cruddur');
    late.setAttribute('db.response.returned_rows', 2);
    late.setAttribute('api.token', 'abc123');
    late.setAttribute('db.query.parameter.0', 'hello');
    // Not an attribute value the API allows, but instrumentations are plain JavaScript.
    late.setAttribute('odd', 10n as unknown as number);
    late.end();
    const renamed = otel.startSpan('before');
    renamed.updateName('after');
    renamed.end();
    const untouched = otel.startSpan('kept', { attributes: { 'peer.service': 'billing' } });
    untouched.setAttribute('app.items', 3);
    untouched.end();
  });
  segment.close();
  const [query, renamed, untouched] = (emitter.segments[0]?.subsegments ?? []) as SubsegmentDocument[];
  assert.equal(query?.name, 'cruddur@db.internal');
  assert.equal(query?.sql?.url, 'postgresql://db.internal/cruddur');
  assert.deepEqual(query?.metadata, { otel: { 'db.response.returned_rows': 2, 'api.token': '[REDACTED]' } }, 'parameters never recorded; one bad value leaves out only itself');
  assert.equal(renamed?.name, 'after');
  assert.equal(untouched?.name, 'billing');
  assert.deepEqual(untouched?.metadata, { otel: { 'peer.service': 'billing', 'app.items': 3 } });
});

test('getActiveSpan() is one span per entity: an OK status stays final across calls', (t) => {
  const { tracer, emitter } = setup(t);
  const segment = tracer.beginSegment({ name: 'svc' });
  tracer.run(segment, () =>
    tracer.capture('work', () => {
      const first = trace.getActiveSpan();
      first?.setStatus({ code: SpanStatusCode.OK });
      const second = trace.getActiveSpan();
      assert.equal(second, first);
      second?.setStatus({ code: SpanStatusCode.ERROR, message: 'too late' });
    }),
  );
  segment.close();
  const work = emitter.segments[0]?.subsegments?.[0] as SubsegmentDocument;
  assert.equal(work.fault ?? false, false, 'the later ERROR did not replace OK');
  assert.equal(work.cause, undefined);
});

test('non-span context values survive, also across capture()', (t) => {
  const { tracer, otel } = setup(t);
  const key = createContextKey('tenant');
  const segment = tracer.beginSegment({ name: 'svc' });
  tracer.run(segment, () => {
    context.with(context.active().setValue(key, 'acme'), () => {
      assert.equal(context.active().getValue(key), 'acme');
      assert.equal(trace.getActiveSpan()?.spanContext().spanId, segment.id);
      tracer.capture('inner', (sub) => {
        assert.equal(context.active().getValue(key), 'acme', 'the value is still there inside capture()');
        assert.equal(trace.getActiveSpan()?.spanContext().spanId, sub?.id);
        const span = otel.startSpan('child');
        assert.equal((span as unknown as { entity: { parent: { id: string } } }).entity.parent.id, sub?.id);
        span.end();
      });
    });
    assert.equal(context.active().getValue(key), undefined, 'and gone outside');
    context.with(ROOT_CONTEXT, () => assert.equal(trace.getActiveSpan(), undefined, 'ROOT_CONTEXT has no entity'));
  });
  segment.close();
});

test('outside a request: client spans follow the context-missing strategy, server spans start a segment', (t) => {
  const { emitter, otel } = setup(t, {}, { contextMissing: 'RUNTIME_ERROR' });
  assert.throws(() => otel.startSpan('orphan', { kind: SpanKind.CLIENT }), SegmentNotFoundError);
  const server = otel.startSpan('GET /jobs', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'url.scheme': 'http', 'server.address': 'svc', 'url.path': '/jobs', 'http.response.status_code': 503 } });
  context.with(trace.setSpan(context.active(), server), () => otel.startSpan('step').end());
  server.end();
  const [doc] = emitter.segments;
  assert.equal(doc?.name, 'svc');
  assert.equal(doc?.http?.request?.url, 'http://svc/jobs');
  assert.equal(doc?.fault, true);
  assert.equal(doc?.subsegments?.[0]?.name, 'step');
});

test('a server span continues a propagated W3C parent', (t) => {
  const { emitter, otel } = setup(t);
  const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId: '5759e988bd862e3fe1be46a994272793', spanId: '53995c3f42cd8ad8', traceFlags: 1, isRemote: true });
  otel.startSpan('consume', { kind: SpanKind.CONSUMER }, parent).end();
  assert.equal(emitter.segments[0]?.trace_id, '1-5759e988-bd862e3fe1be46a994272793');
  assert.equal(emitter.segments[0]?.parent_id, '53995c3f42cd8ad8');
});

test('spans of deferred instrumentations (HTTP, AWS SDK) are not recorded and keep the entity current', (t) => {
  const { tracer, emitter } = setup(t);
  const http = trace.getTracer('@opentelemetry/instrumentation-http');
  const segment = tracer.beginSegment({ name: 'svc' });
  tracer.run(segment, () => {
    const span = http.startSpan('GET', { kind: SpanKind.CLIENT });
    assert.equal(span.isRecording(), false);
    assert.equal(span.spanContext().spanId, segment.id);
    context.with(trace.setSpan(context.active(), span), () => tracer.capture('ours', () => undefined));
    span.end();
  });
  segment.close();
  assert.deepEqual(flattenSubsegments(emitter.segments[0]!).map((s) => s.name), ['ours']);
});

test('status ERROR with an HTTP 4xx is an error, not a fault; exceptions become the cause once', (t) => {
  const { tracer, emitter, otel } = setup(t);
  const segment = tracer.beginSegment({ name: 'svc' });
  const failure = new Error('not found');
  tracer.run(segment, () => {
    const span = otel.startSpan('GET', { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'GET', 'url.full': 'https://user:pw@api.example.com/x?token=1' } });
    span.setAttribute('http.response.status_code', 404);
    span.recordException(failure);
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  segment.close();
  const call = emitter.segments[0]?.subsegments?.[0];
  assert.equal(call?.http?.request?.url, 'https://api.example.com/x');
  assert.equal(call?.http?.response?.status, 404);
  assert.equal(call?.error, true);
  assert.equal(call?.fault, undefined);
  assert.equal(typeof call?.cause === 'object' && call.cause.exceptions[0]?.message, 'not found');
});

test('AWS SDK spans (rpc.system aws-api) are aws subsegments named by service', (t) => {
  const { tracer, emitter } = setup(t, { deferredInstrumentations: [] });
  const aws = trace.getTracer('@opentelemetry/instrumentation-aws-sdk');
  const segment = tracer.beginSegment({ name: 'svc' });
  tracer.run(segment, () => {
    aws.startSpan('DynamoDB.Query', { kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'aws-api', 'rpc.service': 'DynamoDB', 'rpc.method': 'Query', 'aws.region': 'eu-west-1', 'aws.dynamodb.table_names': ['t'] } }).end();
  });
  segment.close();
  const call = emitter.segments[0]?.subsegments?.[0];
  assert.equal(call?.name, 'DynamoDB');
  assert.equal(call?.namespace, 'aws');
  assert.deepEqual(call?.aws, { operation: 'Query', region: 'eu-west-1', table_names: ['t'] });
});

test('SQL literals are masked, placeholders kept; URLs lose their credentials', () => {
  assert.equal(sanitizeSql("SELECT * FROM t WHERE a = $1 AND b = 'x''y' AND c = 42 AND d.e1 = :p"), 'SELECT * FROM t WHERE a = $1 AND b = ? AND c = ? AND d.e1 = :p');
  assert.equal(urlWithoutCredentials('postgresql://bob:secret@db:5432/app?password=x'), 'postgresql://db:5432/app');
});
