// Cost per span of an OpenTelemetry instrumentation's span (start with attributes, two more
// attributes, end) in three setups, side by side: our own `capture()` subsegment; the same span
// through the bridge (a subsegment, serialised with its segment); and the OTel JS SDK 3.x
// (TracerProvider + BatchSpanProcessor with a no-op exporter). Each "request" opens a segment
// (or a root span) with 10 child spans and closes it; printed per child span, request included.
import { ROOT_CONTEXT, SpanKind, trace, type Attributes } from '@opentelemetry/api';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { createTracer, type Emitter } from '../../../packages/middleware/src/index.js';
import { registerOtelBridge } from '../../../packages/middleware/src/otel/index.js';
import { SAMPLE_EVERYTHING } from '../../../packages/middleware/src/testing/index.js';

const quick = process.argv.includes('--quick');
const REQUESTS = quick ? 2_000 : 20_000;
const SPANS = 10;
const ATTRIBUTES: Attributes = { 'db.system.name': 'postgresql', 'db.namespace': 'cruddur', 'server.address': '127.0.0.1', 'server.port': 5432, 'db.query.text': 'SELECT * FROM activities WHERE id = $1' };

function perSpan(label: string, request: () => void): number {
  for (let i = 0; i < Math.min(REQUESTS, 2_000); i++) request(); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < REQUESTS; i++) request();
  const ns = Number(process.hrtime.bigint() - start) / (REQUESTS * SPANS);
  console.log(`${label.padEnd(64)} ${ns.toFixed(0).padStart(7)} ns/span`);
  return ns;
}

// Serialises each closed segment (the cost the UDP path pays) and throws the text away.
const sink: Emitter = { send: () => undefined };
const tracer = createTracer({ emitter: sink, samplingRules: SAMPLE_EVERYTHING, logLevel: 'silent', centralizedSampling: false });
const bridge = registerOtelBridge({ tracer });
const bridged = bridge.tracerProvider.getTracer('@opentelemetry/instrumentation-pg');

const ownNs = perSpan('our capture() subsegment', () => {
  const segment = tracer.beginSegment({ name: 'bench' });
  tracer.run(segment, () => {
    for (let i = 0; i < SPANS; i++) tracer.capture('cruddur@127.0.0.1', () => undefined);
  });
  segment.close();
});

const bridgeNs = perSpan('bridged OTel span (start + attributes + end)', () => {
  const segment = tracer.beginSegment({ name: 'bench' });
  tracer.run(segment, () => {
    for (let i = 0; i < SPANS; i++) {
      const span = bridged.startSpan('pg.query:SELECT cruddur', { kind: SpanKind.CLIENT, attributes: ATTRIBUTES });
      span.setAttribute('db.operation.name', 'SELECT');
      span.setAttribute('db.response.returned_rows', 1);
      span.end();
    }
  });
  segment.close();
});

const noop = { export: (_spans: unknown, done: (result: { code: number }) => void) => done({ code: 0 }), shutdown: () => Promise.resolve() };
const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: noop, maxQueueSize: 1 << 16, maxExportBatchSize: 512, scheduledDelayMillis: 50 })] });
const sdk = provider.getTracer('@opentelemetry/instrumentation-pg');
const sdkNs = perSpan('OTel JS SDK 3.x + BatchSpanProcessor (no-op exporter)', () => {
  const root = sdk.startSpan('GET /bench', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
  const ctx = trace.setSpan(ROOT_CONTEXT, root);
  for (let i = 0; i < SPANS; i++) {
    const span = sdk.startSpan('pg.query:SELECT cruddur', { kind: SpanKind.CLIENT, attributes: ATTRIBUTES }, ctx);
    span.setAttribute('db.operation.name', 'SELECT');
    span.setAttribute('db.response.returned_rows', 1);
    span.end();
  }
  root.end();
});

console.log(`bridge / capture() = ${(bridgeNs / ownNs).toFixed(2)}×   OTel SDK / bridge = ${(sdkNs / bridgeNs).toFixed(2)}×`);
bridge.unregister();
// The processor's timer would keep the process alive; its spans were only for measuring.
process.exit(0);
