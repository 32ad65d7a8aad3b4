// One trace across three services over real HTTP, the middle one traced by the OpenTelemetry JS
// SDK: backend (our Express) → otel-service (OTel SDK 3.x + instrumentation-http, W3C propagator
// only, its own OTLP/protobuf exporter; a child process) → worker (our Fastify). All three report
// to ONE trace viewer (ephemeral UDP and OTLP ports): our services over OTLP with
// OtlpTraceExporter, or over UDP as to the X-Ray daemon; the OTel service always over OTLP.
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import { startTraceViewer, type Trace, type TraceViewer } from '@cruddur/trace-viewer';
import express from 'express';
import Fastify from 'fastify';
import { xray } from '../src/express/index.js';
import xrayFastify from '../src/fastify/index.js';
import { instrumentHttp } from '../src/http/index.js';
import { OtlpTraceExporter, Tracer, xrayToW3cTraceId, type SegmentDocument, type SubsegmentDocument, type TracerOptions } from '../src/internal.js';
import { SAMPLE_EVERYTHING } from '../src/testing/index.js';
import type { HopReply } from './fixtures/otel-service.js';
import { startOtelPeer } from './support/otel-peer.js';

const WAIT_MS = 60_000;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** What the worker answers: the headers its request carried. */
interface WorkerReply {
  received: IncomingHttpHeaders;
}

/** What the backend answers: the OTel hop's reply (with the worker's inside). */
interface BackendReply {
  hop: HopReply & { downstream: WorkerReply };
}

type Transport = 'otlp' | 'udp';

async function startChain(t: TestContext, transport: Transport) {
  const viewer: TraceViewer = await startTraceViewer({ udpPort: 0, httpPort: 0, otlpPort: 0, finishAfterMs: 300 });
  t.after(() => viewer.close());
  const tracers: Tracer[] = [];
  const tracerFor = (name: string): Tracer => {
    const emitter: Pick<TracerOptions, 'emitter' | 'daemonAddress'> =
      transport === 'otlp'
        ? { emitter: new OtlpTraceExporter({ endpoint: viewer.otlpTracesUrl!, scheduleDelayMs: 20 }, { env: {} }) }
        : { daemonAddress: viewer.daemonAddress };
    const tracer = new Tracer({ name, samplingRules: SAMPLE_EVERYTHING, centralizedSampling: false, logLevel: 'silent', ...emitter }, {});
    tracers.push(tracer);
    return tracer;
  };
  const http = instrumentHttp();
  t.after(() => http.uninstall());

  const worker = Fastify();
  await worker.register(xrayFastify, { tracer: tracerFor('worker') });
  worker.get('/work', async (req): Promise<WorkerReply> => ({ received: req.headers }));
  await worker.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => worker.close());
  const workerPort = (worker.server.address() as AddressInfo).port;

  const peer = await startOtelPeer({ mode: 'chain', serviceName: 'otel-service', otlpUrl: viewer.otlpTracesUrl!, downstream: `http://127.0.0.1:${workerPort}/work` });
  t.after(() => peer.stop());

  const backend = express();
  backend.use(xray({ tracer: tracerFor('backend') }));
  backend.get('/api/chain', async (_req, res) => {
    const answer = await fetch(`http://127.0.0.1:${peer.ports['http']!}/hop`);
    res.json({ hop: (await answer.json()) as HopReply });
  });
  const backendServer = backend.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => backendServer.once('listening', () => resolve()));
  t.after(() => {
    backendServer.closeAllConnections();
    backendServer.close();
  });
  t.after(() => Promise.all(tracers.map((tracer) => tracer.shutdown())));

  const response = await fetch(`http://127.0.0.1:${(backendServer.address() as AddressInfo).port}/api/chain`);
  assert.equal(response.status, 200);
  const reply = (await response.json()) as BackendReply;
  const traceId = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24})/.exec(response.headers.get('x-amzn-trace-id') ?? '')?.[1];
  assert.ok(traceId, 'the backend answers with its trace id');

  await Promise.all([...tracers.map((tracer) => tracer.flush()), peer.flush()]);
  const trace = await viewer.store.waitForTrace(
    (tr) => tr.id === traceId && ['backend', 'otel-service', 'worker'].every((s) => tr.services.includes(s)),
    WAIT_MS,
  );
  return { viewer, reply, traceId, trace };
}

/** The one segment document a service sent for the trace. */
/** The viewer's documents, read with our document types (the viewer types them as plain JSON). */
function documentsOf(trace: Trace): Array<SegmentDocument | SubsegmentDocument> {
  return trace.documents as unknown as Array<SegmentDocument | SubsegmentDocument>;
}

function segmentOf(trace: Trace, service: string): SegmentDocument {
  const segments = documentsOf(trace).filter((d) => d.name === service && !('type' in d && d.type === 'subsegment'));
  assert.equal(segments.length, 1, `one segment from ${service}`);
  return segments[0] as SegmentDocument;
}

/** Every subsegment of a document, embedded at any depth, plus independent ones naming it. */
function callsOf(trace: Trace, segment: SegmentDocument): SubsegmentDocument[] {
  const out: SubsegmentDocument[] = [];
  const walk = (doc: SegmentDocument | SubsegmentDocument) => {
    for (const sub of doc.subsegments ?? []) {
      out.push(sub);
      walk(sub);
    }
  };
  walk(segment);
  const ids = new Set([segment.id, ...out.map((s) => s.id)]);
  for (const doc of documentsOf(trace)) if ('type' in doc && doc.type === 'subsegment' && doc.parent_id !== undefined && ids.has(doc.parent_id)) out.push(doc);
  return out.filter((s) => s.namespace === 'remote');
}

function checkChain(run: Awaited<ReturnType<typeof startChain>>): void {
  const { trace, traceId, reply } = run;
  const w3cTraceId = xrayToW3cTraceId(traceId);

  // One trace, three services, one entry segment.
  assert.equal(trace.id, traceId);
  assert.deepEqual([...trace.services].sort(), ['backend', 'otel-service', 'worker']);
  assert.equal(trace.roots.length, 1, 'everything hangs under the backend');
  for (const doc of trace.documents) assert.equal(doc.trace_id, traceId);

  const backend = segmentOf(trace, 'backend');
  const otelService = segmentOf(trace, 'otel-service');
  const worker = segmentOf(trace, 'worker');
  assert.equal(backend.parent_id, undefined);

  // Hop 1: our fetch subsegment is the parent of the OTel server span.
  const backendCall = callsOf(trace, backend).find((s) => s.http?.request?.url?.endsWith('/hop'));
  assert.ok(backendCall, 'the backend recorded its call to the OTel service');
  assert.equal(otelService.parent_id, backendCall.id, 'OTel server span parent = our outgoing subsegment');
  // Both headers arrived at the OTel service, naming the same parent.
  const atOtel = reply.hop.received;
  const parsed = TRACEPARENT.exec(String(atOtel['traceparent']));
  assert.ok(parsed, `traceparent at the OTel service: ${String(atOtel['traceparent'])}`);
  assert.deepEqual(parsed.slice(1), [w3cTraceId, backendCall.id, '01']);
  assert.equal(atOtel['x-amzn-trace-id'], `Root=${traceId};Parent=${backendCall.id};Sampled=1`);
  assert.equal(atOtel['tracestate'], undefined, 'no tracestate: none came in');

  // Hop 2: the OTel client span is the parent of our Fastify segment.
  const otelCall = callsOf(trace, otelService).find((s) => s.http?.request?.url?.endsWith('/work'));
  assert.ok(otelCall, 'the OTel service recorded its call to the worker (a CLIENT span)');
  assert.equal(worker.parent_id, otelCall.id, 'our Fastify segment parent = the OTel client span');
  // The OTel SDK with its default propagator sends traceparent only; our worker continued it.
  const atWorker = reply.hop.downstream.received;
  const parsedAtWorker = TRACEPARENT.exec(String(atWorker['traceparent']));
  assert.ok(parsedAtWorker, `traceparent at the worker: ${String(atWorker['traceparent'])}`);
  assert.deepEqual(parsedAtWorker.slice(1), [w3cTraceId, otelCall.id, '01']);
  assert.equal(atWorker['x-amzn-trace-id'], undefined, 'the OTel service sends no X-Amzn-Trace-Id');

  // The service map: backend → otel-service → worker.
  const edges = trace.serviceMap.edges.map((e) => `${e.from} → ${e.to}`).sort();
  assert.deepEqual(edges, ['backend → otel-service', 'otel-service → worker']);
  for (const name of ['backend', 'otel-service', 'worker']) {
    assert.equal(trace.serviceMap.nodes.find((n) => n.name === name)?.kind, 'service', name);
  }
}

void describe('backend (ours, Express) → otel-service (OTel JS SDK) → worker (ours, Fastify)', () => {
  test('everyone over OTLP to one trace viewer: one trace, parents right at every hop', { timeout: 180_000 }, async (t) => {
    const run = await startChain(t, 'otlp');
    checkChain(run);
    // The same trace through the viewer's JSON API, as the web view reads it.
    const api = (await (await fetch(`${run.viewer.url!}api/traces/${run.traceId}`)).json()) as Trace;
    assert.deepEqual([...api.services].sort(), ['backend', 'otel-service', 'worker']);
    assert.equal(api.documents.length, run.trace.documents.length);
    const list = (await (await fetch(`${run.viewer.url!}api/traces`)).json()) as Array<{ id: string }>;
    assert.deepEqual(
      list.map((s) => s.id),
      [run.traceId],
      'exactly one trace in the viewer',
    );
    assert.equal(run.viewer.stats().otlp?.rejectedSpans ?? 0, 0);
  });

  test('ours over UDP (the daemon path), the OTel service over OTLP: still one trace', { timeout: 180_000 }, async (t) => {
    const run = await startChain(t, 'udp');
    checkChain(run);
    const stats = run.viewer.stats();
    assert.ok(stats.received >= 2, 'our two segments came as datagrams');
    assert.ok((stats.otlp?.spans ?? 0) >= 2, "the OTel service's spans came over OTLP");
  });
});
