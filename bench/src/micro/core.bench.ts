// Cost of the core path per traced request: begin a segment → three nested captures → close →
// serialise → emit. Printed in ns per request, for three emitters: none (model + JSON only), the
// in-memory emitter, and real UDP datagrams to a counting sink in another process. Also what a
// request the sampler declines costs (headers read, decision, segment, context, end).
import {
  beginIncomingRequest,
  capture,
  createTracer,
  endIncomingRequest,
  formatTraceHeader,
  newEntityId,
  newTraceId,
  parseTraceHeader,
  runWithEntity,
  Subsegment,
  type Emitter,
  type IncomingRequestView,
} from '../../../packages/middleware/src/internal.js';
import { SAMPLE_EVERYTHING } from '../../../packages/middleware/src/testing/index.js';
import { startUdpCounter } from './udp-counter-client.js';

const quick = process.argv.includes('--quick');
const N = quick ? 20_000 : 200_000;

// CPU time of this process, not wall time: on a shared machine, time spent descheduled is not ours.
function perOp(label: string, n: number, fn: () => void): number {
  for (let i = 0; i < Math.min(n, 20_000); i++) fn(); // warm-up
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) fn();
  const used = process.cpuUsage(start);
  const ns = ((used.user + used.system) * 1000) / n;
  console.log(`${label.padEnd(58)} ${ns.toFixed(0).padStart(7)} ns/op`);
  return ns;
}

function requestPath(emitter: Emitter): () => void {
  const tracer = createTracer({ emitter, samplingRules: SAMPLE_EVERYTHING, logLevel: 'silent' });
  return () => {
    const segment = tracer.beginSegment({ name: 'bench' });
    segment.setHttpRequest({ method: 'GET', url: 'http://127.0.0.1/hello' });
    tracer.run(segment, () => {
      capture('a', () => capture('b', () => capture('c', () => undefined)));
    });
    segment.setHttpResponse(200, 11);
    segment.close();
  };
}

// What an integration does for a request the sampler declines (rate 0, no reservoir): read the
// trace headers, decide, make the segment that carries the ids, run inside it, end it.
function unsampledRequestPath(headers: IncomingRequestView['headers']): () => void {
  const tracer = createTracer({ emitter: { send: () => undefined }, samplingRules: { version: 2, rules: [], default: { fixed_target: 0, rate: 0 } }, logLevel: 'silent' });
  const view: IncomingRequestView = { method: 'GET', url: '/hello', headers, remoteAddress: '127.0.0.1', encrypted: false };
  const naming = { name: 'bench' };
  const handler = (): void => undefined;
  return () => {
    const trace = beginIncomingRequest(tracer, view, naming);
    runWithEntity(trace.segment, handler);
    endIncomingRequest(trace, { status: 200, contentLength: 17 });
  };
}

async function main(): Promise<void> {
  console.log(`@cruddur/middleware core micro-benchmarks (node ${process.version}, ${N} iterations)\n`);
  const header = `Root=${newTraceId()};Parent=${newEntityId()};Sampled=1`;
  perOp('newEntityId()', N * 5, () => void newEntityId());
  perOp('newTraceId()', N * 5, () => void newTraceId());
  perOp('parseTraceHeader(Root;Parent;Sampled)', N * 5, () => void parseTraceHeader(header));
  perOp('formatTraceHeader(Root;Parent;Sampled)', N * 5, () => void formatTraceHeader({ root: '1-5759e988-bd862e3fe1be46a994272793', parent: '53995c3f42cd8ad8', sampled: true }));
  const tracer = createTracer({ emitter: { send: () => undefined }, samplingRules: SAMPLE_EVERYTHING, logLevel: 'silent' });
  const seg = tracer.beginSegment({ name: 'x' });
  for (let i = 0; i < 3; i++) new Subsegment(`s${i}`, seg).close();
  perOp('JSON.stringify(segment with 3 subsegments)', N, () => void JSON.stringify(seg));
  console.log('');
  perOp('unsampled request: begin → run → end (no trace headers)', N, unsampledRequestPath({ host: '127.0.0.1:3000' }));
  perOp('unsampled request: … (X-Amzn-Trace-Id Root;Parent)', N, unsampledRequestPath({ host: '127.0.0.1:3000', 'x-amzn-trace-id': header.replace('Sampled=1', '') }));
  perOp('request: begin → 3 nested captures → close → serialise', N, requestPath({ send: () => undefined }));
  let kept = 0;
  perOp('request: … → serialise → in-memory emitter', N, requestPath({ send: (d) => void (kept += d.length) }));
  const counter = await startUdpCounter();
  const udpTracerPath = ((): (() => void) => {
    const t = createTracer({ daemonAddress: `127.0.0.1:${counter.port}`, samplingRules: SAMPLE_EVERYTHING, logLevel: 'silent' });
    return () => {
      const segment = t.beginSegment({ name: 'bench' });
      t.run(segment, () => capture('a', () => capture('b', () => capture('c', () => undefined))));
      segment.setHttpResponse(200, 11);
      segment.close();
    };
  })();
  // UDP sends complete asynchronously: run in batches and yield so the socket queue drains.
  const batches = 50;
  const per = Math.floor(N / batches);
  for (let i = 0; i < 2_000; i++) udpTracerPath();
  await new Promise((r) => setImmediate(r));
  const before = await counter.count();
  const start = process.hrtime.bigint();
  for (let b = 0; b < batches; b++) {
    for (let i = 0; i < per; i++) udpTracerPath();
    await new Promise((r) => setImmediate(r));
  }
  const ns = Number(process.hrtime.bigint() - start) / (batches * per);
  const received = (await counter.count()) - before;
  console.log(`${'request: … → serialise → UDP datagram (sink in a child)'.padEnd(58)} ${ns.toFixed(0).padStart(7)} ns/op`);
  console.log(`  datagrams received by the sink: ${received} of ${batches * per} sent`);
  await counter.close();
}

await main();
