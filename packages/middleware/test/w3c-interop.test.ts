// W3C trace context against the OpenTelemetry JS SDK as the peer, over real sockets: OTel's
// W3CTraceContextPropagator writes what our Express integration continues, and extracts what our
// fetch / node:http calls send. Then the precedence rules between X-Amzn-Trace-Id and
// traceparent (the ALB case first), OTEL_PROPAGATORS, and the AWS SDK decision.
import assert from 'node:assert/strict';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { GetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { context as otelContext, defaultTextMapGetter, defaultTextMapSetter, propagation, ROOT_CONTEXT, trace, TraceFlags, type Context, type SpanContext } from '@opentelemetry/api';
import { TraceState, W3CTraceContextPropagator } from '@opentelemetry/core';
import express from 'express';
import { instrument } from '../src/aws/index.js';
import { xray } from '../src/express/index.js';
import { instrumentHttp } from '../src/http/index.js';
import { InMemoryEmitter, Tracer, w3cToXrayTraceId, xrayToW3cTraceId, type SegmentDocument, type SubsegmentDocument, type TracerOptions } from '../src/internal.js';
import { createTestTracer, SAMPLE_EVERYTHING } from '../src/testing/index.js';
import { send } from './support/http-client.js';
import { startRecordingServer, type RecordingServer } from './support/recording-server.js';

const OTEL_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const OTEL_SPAN_ID = '00f067aa0ba902b7';
const XRAY_ROOT = `1-${Math.floor(Date.now() / 1000).toString(16)}-bd862e3fe1be46a994272793`;
const XRAY_PARENT = '53995c3f42cd8ad8';
const W3C_PROPAGATOR = new W3CTraceContextPropagator();

let downstream: RecordingServer;
let uninstallHttp: () => void;
before(async () => {
  downstream = await startRecordingServer();
  uninstallHttp = instrumentHttp().uninstall;
  propagation.setGlobalPropagator(W3C_PROPAGATOR);
});
after(async () => {
  propagation.disable();
  uninstallHttp();
  await downstream.close();
});

/** The headers the OpenTelemetry SDK sends for a span context (through the global propagation API). */
function otelHeaders(span: Partial<SpanContext> = {}): Record<string, string> {
  const spanContext: SpanContext = { traceId: OTEL_TRACE_ID, spanId: OTEL_SPAN_ID, traceFlags: TraceFlags.SAMPLED, ...span };
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpanContext(ROOT_CONTEXT, spanContext), carrier, defaultTextMapSetter);
  return carrier;
}

/** What the OpenTelemetry SDK reads from headers our instrumentation sent. */
function otelExtract(headers: IncomingHttpHeaders): SpanContext | undefined {
  const ctx: Context = propagation.extract(otelContext.active(), headers, defaultTextMapGetter);
  return trace.getSpanContext(ctx);
}

/** What a request's live segment says: read in the handler, so unsampled requests show too. */
interface SegmentView {
  traceId: string;
  parentId: string | null;
  sampled: boolean;
  traceState: string | null;
}

interface App {
  port: number;
  tracer: Tracer;
  emitter: InMemoryEmitter;
  close(): Promise<void>;
}

/** An Express app traced by a test tracer; `env` stands for the process environment. */
async function startApp(options: TracerOptions = {}, env: NodeJS.ProcessEnv = {}): Promise<App> {
  const emitter = new InMemoryEmitter();
  const tracer = new Tracer({ samplingRules: SAMPLE_EVERYTHING, logLevel: 'silent', emitter, ...options }, env);
  const app = express();
  app.use(xray({ tracer, name: 'w3c-app' }));
  const view = (req: express.Request): SegmentView => {
    const s = req.segment!;
    return { traceId: s.traceId, parentId: s.parentId ?? null, sampled: s.isSampled, traceState: s.traceState ?? null };
  };
  app.get('/view', (req, res) => void res.json(view(req)));
  app.get('/fetch', async (req, res) => {
    await (await fetch(`${downstream.origin}/from-fetch`)).text();
    res.json(view(req));
  });
  app.get('/node', async (req, res) => {
    await nodeGet('/from-node');
    res.json(view(req));
  });
  const server = await new Promise<http.Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    port: (server.address() as AddressInfo).port,
    tracer,
    emitter,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

function nodeGet(path: string, headers: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: downstream.port, path, headers }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
}

async function viewOf(app: App, headers: Record<string, string>, path = '/view'): Promise<SegmentView & { responseHeader: string | undefined }> {
  const reply = await send(app.port, path, { headers });
  assert.equal(reply.status, 200, reply.body);
  return { ...(JSON.parse(reply.body) as SegmentView), responseHeader: reply.traceHeader };
}

function lastDownstream(path: string): IncomingHttpHeaders {
  const hit = downstream.requests.filter((r) => r.url === path).at(-1);
  assert.ok(hit, `${path} was called`);
  return hit.headers;
}

function onlySubsegment(doc: SegmentDocument | undefined): SubsegmentDocument {
  assert.ok(doc);
  assert.equal(doc.subsegments?.length, 1);
  return doc.subsegments[0] as SubsegmentDocument;
}

void describe('(a) an OpenTelemetry caller: our Express integration continues its trace', () => {
  let app: App;
  before(async () => (app = await startApp()));
  after(() => app.close());

  test('trace id and parent id equal the OTel ids exactly; the sampled flag is honoured', async () => {
    const headers = otelHeaders();
    assert.deepEqual(Object.keys(headers), ['traceparent'], 'OTel sent only traceparent');
    const seen = await viewOf(app, headers);
    assert.equal(seen.traceId, w3cToXrayTraceId(OTEL_TRACE_ID));
    assert.equal(seen.traceId, `1-${OTEL_TRACE_ID.slice(0, 8)}-${OTEL_TRACE_ID.slice(8)}`);
    assert.equal(seen.parentId, OTEL_SPAN_ID);
    assert.equal(seen.sampled, true);
    const doc = (await app.emitter.waitFor((d) => d.trace_id === seen.traceId)) as SegmentDocument;
    assert.equal(doc.parent_id, OTEL_SPAN_ID);
    assert.equal(seen.responseHeader, `Root=${seen.traceId}`, 'the X-Amzn-Trace-Id response header is unchanged');
  });

  test('flags 00: not sampled although our sampler samples everything (ParentBased)', async () => {
    const seen = await viewOf(app, otelHeaders({ traceFlags: TraceFlags.NONE }));
    assert.deepEqual([seen.traceId, seen.parentId, seen.sampled], [w3cToXrayTraceId(OTEL_TRACE_ID), OTEL_SPAN_ID, false]);
  });

  test('tracestate is kept with the segment and forwarded unchanged with the new parent', async () => {
    const headers = otelHeaders({ traceState: new TraceState('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE') });
    assert.equal(headers.tracestate, 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    const seen = await viewOf(app, headers, '/fetch');
    assert.equal(seen.traceState, 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    const sent = lastDownstream('/from-fetch');
    assert.equal(sent.tracestate, 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    const extracted = otelExtract(sent);
    assert.equal(extracted?.traceId, OTEL_TRACE_ID);
    assert.equal(extracted?.traceState?.get('congo'), 't61rcWkgMzE');
    const doc = (await app.emitter.waitFor((d) => d.trace_id === seen.traceId && d.subsegments !== undefined)) as SegmentDocument;
    assert.equal(extracted?.spanId, onlySubsegment(doc).id, 'the downstream parent is our subsegment');
  });
});

void describe('(b) our outgoing calls: the OpenTelemetry propagator extracts the same context', () => {
  for (const [kind, path, call] of [
    ['fetch', '/out-fetch', async (p: string) => void (await (await fetch(`${downstream.origin}${p}`)).text())],
    ['node:http', '/out-node', (p: string) => nodeGet(p)],
  ] as const) {
    test(`${kind}: trace id, parent span id (= our subsegment id) and sampled flag`, async () => {
      const { tracer, emitter } = createTestTracer();
      const segment = tracer.beginSegment({ name: 'caller' });
      await tracer.run(segment, () => call(path));
      segment.close();
      const sub = onlySubsegment(emitter.segments[0]);
      const sent = lastDownstream(path);
      const extracted = otelExtract(sent);
      assert.deepEqual(
        [extracted?.traceId, extracted?.spanId, extracted?.traceFlags, extracted?.isRemote],
        [xrayToW3cTraceId(segment.traceId), sub.id, TraceFlags.SAMPLED, true],
      );
      assert.equal(sent['x-amzn-trace-id'], `Root=${segment.traceId};Parent=${sub.id};Sampled=1`, 'X-Amzn-Trace-Id unchanged, same parent');
      assert.equal(sent.tracestate, undefined, 'no tracestate when the request had none');
    });

    test(`${kind}: an unsampled request sends flags 00 with the segment as parent`, async () => {
      const { tracer } = createTestTracer();
      const segment = tracer.beginSegment({ name: 'caller', sampled: false });
      await tracer.run(segment, () => call(path));
      segment.close();
      const extracted = otelExtract(lastDownstream(path));
      assert.deepEqual([extracted?.traceId, extracted?.spanId, extracted?.traceFlags], [xrayToW3cTraceId(segment.traceId), segment.id, TraceFlags.NONE]);
    });
  }

  test("the caller's own traceparent wins: both headers are left alone, no subsegment", async () => {
    const { tracer, emitter } = createTestTracer();
    const segment = tracer.beginSegment({ name: 'caller' });
    const own = `00-${OTEL_TRACE_ID}-${OTEL_SPAN_ID}-01`;
    await tracer.run(segment, async () => {
      await (await fetch(`${downstream.origin}/own-fetch`, { headers: { TraceParent: own } })).text();
      await nodeGet('/own-node', { traceparent: own });
    });
    segment.close();
    for (const path of ['/own-fetch', '/own-node']) {
      const sent = lastDownstream(path);
      assert.equal(sent.traceparent, own);
      assert.equal(sent['x-amzn-trace-id'], undefined, `${path}: no X-Amzn-Trace-Id added`);
    }
    assert.equal(emitter.segments[0]?.subsegments, undefined);
  });
});

void describe('(c) precedence over a real server', () => {
  let app: App;
  let reversed: App;
  before(async () => {
    app = await startApp();
    reversed = await startApp({ propagators: ['tracecontext', 'xray'] });
  });
  after(async () => {
    await app.close();
    await reversed.close();
  });
  const W3C_ROOT = w3cToXrayTraceId(OTEL_TRACE_ID);

  test('the ALB case: a Root-only X-Amzn-Trace-Id does not beat the caller’s traceparent', async () => {
    const alb = `Root=${XRAY_ROOT}`;
    const seen = await viewOf(app, { ...otelHeaders(), 'X-Amzn-Trace-Id': alb });
    assert.deepEqual([seen.traceId, seen.parentId, seen.sampled], [W3C_ROOT, OTEL_SPAN_ID, true]);
    // The ALB's Self= form (it forwards a header it found) changes nothing when there is no Parent.
    const self = await viewOf(app, { ...otelHeaders({ traceFlags: TraceFlags.NONE }), 'X-Amzn-Trace-Id': `Self=1-67891234-12456789abcdef012345678;${alb}` });
    assert.deepEqual([self.traceId, self.parentId, self.sampled], [W3C_ROOT, OTEL_SPAN_ID, false]);
    // Whatever the configured order.
    const other = await viewOf(reversed, { ...otelHeaders(), 'X-Amzn-Trace-Id': alb });
    assert.deepEqual([other.traceId, other.parentId], [W3C_ROOT, OTEL_SPAN_ID]);
  });

  test('without traceparent the ALB root is continued as before', async () => {
    const seen = await viewOf(app, { 'X-Amzn-Trace-Id': `Root=${XRAY_ROOT}` });
    assert.deepEqual([seen.traceId, seen.parentId], [XRAY_ROOT, null]);
  });

  test('both with a parent, same trace: X-Amzn-Trace-Id is used; its Sampled decides, else the flag', async () => {
    const sameTrace = `00-${xrayToW3cTraceId(XRAY_ROOT)}-${OTEL_SPAN_ID}`;
    const withDecision = await viewOf(app, { traceparent: `${sameTrace}-01`, tracestate: 'congo=t61rcWkgMzE', 'X-Amzn-Trace-Id': `Root=${XRAY_ROOT};Parent=${XRAY_PARENT};Sampled=0` });
    assert.deepEqual(withDecision, { traceId: XRAY_ROOT, parentId: XRAY_PARENT, sampled: false, traceState: 'congo=t61rcWkgMzE', responseHeader: `Root=${XRAY_ROOT}` });
    const noDecision = await viewOf(app, { traceparent: `${sameTrace}-00`, 'X-Amzn-Trace-Id': `Root=${XRAY_ROOT};Parent=${XRAY_PARENT}` });
    assert.deepEqual([noDecision.parentId, noDecision.sampled], [XRAY_PARENT, false]);
    const asked = await viewOf(app, { traceparent: `${sameTrace}-01`, 'X-Amzn-Trace-Id': `Root=${XRAY_ROOT};Parent=${XRAY_PARENT};Sampled=?` });
    assert.deepEqual([asked.parentId, asked.sampled, asked.responseHeader], [XRAY_PARENT, true, `Root=${XRAY_ROOT};Sampled=1`]);
  });

  test('both with a parent, different traces: the propagator listed first wins (xray by default)', async () => {
    const headers = { ...otelHeaders({ traceState: new TraceState('congo=t61rcWkgMzE') }), 'X-Amzn-Trace-Id': `Root=${XRAY_ROOT};Parent=${XRAY_PARENT};Sampled=1` };
    const byDefault = await viewOf(app, headers);
    assert.deepEqual([byDefault.traceId, byDefault.parentId, byDefault.traceState], [XRAY_ROOT, XRAY_PARENT, null], 'tracestate belongs to the other trace');
    const tracecontextFirst = await viewOf(reversed, headers);
    assert.deepEqual([tracecontextFirst.traceId, tracecontextFirst.parentId, tracecontextFirst.traceState], [W3C_ROOT, OTEL_SPAN_ID, 'congo=t61rcWkgMzE']);
  });

  test('an invalid header never wins over a valid one, and a Sampled=? is still answered', async () => {
    const badParent = await viewOf(app, { traceparent: `00-${OTEL_TRACE_ID.toUpperCase()}-${OTEL_SPAN_ID}-01`, 'X-Amzn-Trace-Id': `Root=${XRAY_ROOT};Parent=${XRAY_PARENT};Sampled=1` });
    assert.deepEqual([badParent.traceId, badParent.parentId], [XRAY_ROOT, XRAY_PARENT]);
    const badRoot = await viewOf(app, { ...otelHeaders({ traceFlags: TraceFlags.NONE }), 'X-Amzn-Trace-Id': `Root=1-zz;Parent=${XRAY_PARENT};Sampled=?` });
    assert.deepEqual([badRoot.traceId, badRoot.parentId, badRoot.sampled, badRoot.responseHeader], [W3C_ROOT, OTEL_SPAN_ID, false, `Root=${W3C_ROOT};Sampled=0`]);
  });

  test('an invalid traceparent: its tracestate is not read, a new trace starts', async () => {
    const seen = await viewOf(app, { traceparent: `00-${'0'.repeat(32)}-${OTEL_SPAN_ID}-01`, tracestate: 'congo=t61rcWkgMzE' });
    assert.notEqual(seen.traceId, W3C_ROOT);
    assert.deepEqual([seen.parentId, seen.traceState], [null, null]);
  });
});

void describe('(d) OTEL_PROPAGATORS', () => {
  const bothIn = (): Record<string, string> => ({ ...otelHeaders(), 'X-Amzn-Trace-Id': `Root=${XRAY_ROOT};Parent=${XRAY_PARENT};Sampled=1` });

  async function probe(env: NodeJS.ProcessEnv, incoming: Record<string, string>) {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} };
    const app = await startApp({ logLevel: 'warn', logger }, env);
    try {
      const seen = await viewOf(app, incoming, '/node');
      const doc = (await app.emitter.waitFor((d) => d.trace_id === seen.traceId)) as SegmentDocument;
      return { seen, sent: lastDownstream('/from-node'), sub: onlySubsegment(doc), warnings, tracer: app.tracer };
    } finally {
      await app.close();
    }
  }

  test('xray: traceparent is neither read nor sent', async () => {
    const { seen, sent, sub } = await probe({ OTEL_PROPAGATORS: 'xray' }, otelHeaders());
    assert.notEqual(seen.traceId, w3cToXrayTraceId(OTEL_TRACE_ID), 'a new trace: traceparent was not read');
    assert.equal(sent['x-amzn-trace-id'], `Root=${seen.traceId};Parent=${sub.id};Sampled=1`);
    assert.equal(sent.traceparent, undefined);
  });

  test('tracecontext: X-Amzn-Trace-Id is neither read nor sent; the response header stays', async () => {
    const { seen, sent, sub } = await probe({ OTEL_PROPAGATORS: 'tracecontext' }, bothIn());
    assert.deepEqual([seen.traceId, seen.parentId], [w3cToXrayTraceId(OTEL_TRACE_ID), OTEL_SPAN_ID]);
    assert.equal(sent['x-amzn-trace-id'], undefined);
    assert.equal(otelExtract(sent)?.spanId, sub.id);
    assert.equal(seen.responseHeader, `Root=${seen.traceId}`);
  });

  test('none: nothing read, nothing sent; the call is still recorded', async () => {
    const { seen, sent, sub } = await probe({ OTEL_PROPAGATORS: 'none' }, bothIn());
    assert.ok(seen.traceId !== XRAY_ROOT && seen.traceId !== w3cToXrayTraceId(OTEL_TRACE_ID) && seen.parentId === null);
    assert.equal(sent['x-amzn-trace-id'], undefined);
    assert.equal(sent.traceparent, undefined);
    assert.equal(sub.namespace, 'remote');
  });

  test('names this package does not speak: one warning naming them, the rest applies', async () => {
    const { sent, warnings, tracer } = await probe({ OTEL_PROPAGATORS: 'tracecontext,baggage, B3 ,bogus\r\nx' }, otelHeaders());
    assert.deepEqual(tracer.propagators, ['tracecontext']);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    for (const name of ['"baggage"', '"b3"', '"bogus\\r\\nx"']) assert.ok(warnings[0]!.includes(name), warnings[0]);
    assert.ok(!/[\r\n]/.test(warnings[0]!), 'the warning is one line');
    assert.ok(sent.traceparent !== undefined && sent['x-amzn-trace-id'] === undefined);
  });

  test('the option wins over the variable; a bad option name throws at start-up', () => {
    assert.deepEqual(new Tracer({ propagators: ['xray'], logLevel: 'silent' }, { OTEL_PROPAGATORS: 'tracecontext' }).propagators, ['xray']);
    assert.deepEqual(new Tracer({ logLevel: 'silent' }, {}).propagators, ['xray', 'tracecontext']);
    assert.throws(() => new Tracer({ propagators: ['b3' as 'xray'] }, {}), /propagators contains "b3"/);
  });
});

void describe('AWS SDK calls carry X-Amzn-Trace-Id only', () => {
  let aws: http.Server;
  let port: number;
  const seen: IncomingHttpHeaders[] = [];
  before(async () => {
    aws = http.createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'REQ' });
      res.end('{}');
    });
    await new Promise<void>((resolve) => aws.listen(0, '127.0.0.1', resolve));
    port = (aws.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => aws.close(() => resolve())));

  function client(): DynamoDBClient {
    return new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' } });
  }
  const signedHeaders = (h: IncomingHttpHeaders): string[] => /SignedHeaders=([^,]+)/.exec(String(h.authorization))?.[1]?.split(';') ?? [];

  test('no traceparent reaches the AWS request (not even through the HTTP instrumentation)', async () => {
    const db = instrument(client());
    const { tracer, emitter } = createTestTracer();
    const segment = tracer.beginSegment({ name: 'caller' });
    await tracer.run(segment, () => db.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: '1' } } })));
    segment.close();
    db.destroy();
    const sub = onlySubsegment(emitter.segments[0]);
    const headers = seen.at(-1)!;
    assert.equal(headers['x-amzn-trace-id'], `Root=${segment.traceId};Parent=${sub.id};Sampled=1`);
    assert.equal(headers.traceparent, undefined);
    assert.equal(headers.tracestate, undefined);
    // Why: SigV4 leaves X-Amzn-Trace-Id unsigned (load balancers rewrite it), ...
    assert.ok(!signedHeaders(headers).includes('x-amzn-trace-id'), signedHeaders(headers).join(';'));
  });

  test('... while a traceparent added at the build step would be signed: rewriting it in transit would break the signature', async () => {
    const db = client();
    db.middlewareStack.add((next) => (args) => {
      (args.request as { headers: Record<string, string> }).headers.traceparent = `00-${OTEL_TRACE_ID}-${OTEL_SPAN_ID}-01`;
      return next(args);
    }, { step: 'build', name: 'userTraceparent' });
    await db.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: '1' } } }));
    db.destroy();
    assert.ok(signedHeaders(seen.at(-1)!).includes('traceparent'));
  });
});
