// CPU per span of one instrumentation pattern (a client span started with attributes, two more
// attributes, end) in three setups, measured in one run and compared with the bridge's targets:
// - our own `capture()` subsegment recording the same fields the bridge records for that span
//   (namespace, `sql` block, metadata), serialised with its segment as the UDP path does;
// - the same span through the bridge (`startSpan` with the active context, as instrumentations
//   call it): a subsegment, serialised with its segment;
// - the OTel JS SDK 3.x: TracerProvider + BatchSpanProcessor with an exporter that discards, the
//   AsyncLocalStorage context manager, the request entered with `context.with` as the HTTP
//   instrumentation does. The targets are set against this setup. It serialises nothing, where
//   both of ours write JSON, so a fourth row, for reference, has the exporter encode each batch as
//   an OTLP protobuf request (the official serializer) before discarding it.
// Each "request" opens a segment (a server root span) with 10 child spans and closes it; figures
// are per child span, request included. Requests run in chunks with an event-loop turn between
// them, so the batch processor exports as it does in a server (in one synchronous loop its queue
// fills and it drops spans, which flatters it). Setups alternate round by round and each figure is
// the median round, measured as process CPU time (user + system, garbage collection included):
// under load from other processes, wall time measures the machine, not the code. Each round
// starts from a collected heap and ends with a full collection inside the measurement, so every
// setup pays for its own garbage, not for what the previous round promoted (needs --expose-gc);
// the cost of a collection with nothing to free (marking what stays alive, the same for every
// setup) is measured right after and taken out.
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, SpanKind, trace, type Attributes, type ContextManager } from '@opentelemetry/api';
import { BatchSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { createRequire } from 'node:module';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createTracer, type Emitter } from '../../../packages/middleware/src/index.js';
import { registerOtelBridge } from '../../../packages/middleware/src/otel/index.js';
import { SAMPLE_EVERYTHING } from '../../../packages/middleware/src/testing/index.js';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 7;
const REQUESTS = quick ? 1_000 : 5_000;
const CHUNK = 50;
const SPANS = 10;
const QUERY = 'SELECT * FROM activities WHERE id = $1';
const ATTRIBUTES: Attributes = { 'db.system.name': 'postgresql', 'db.namespace': 'cruddur', 'server.address': '127.0.0.1', 'server.port': 5432, 'db.query.text': QUERY };
const TARGET_VS_CAPTURE = 1.5;
const TARGET_VS_SDK = 3;

// Serialises each closed segment (the cost the UDP path pays) and keeps only the last text, for
// the check below that both of our setups emit the same subsegment.
let lastDocument = '';
const sink: Emitter = { send: (document) => void (lastDocument = document) };
const tracer = createTracer({ emitter: sink, samplingRules: SAMPLE_EVERYTHING, logLevel: 'silent', centralizedSampling: false });
const bridge = registerOtelBridge({ tracer });
const bridgeContext = bridge.contextManager;
const bridged = bridge.tracerProvider.getTracer('@opentelemetry/instrumentation-pg');

function ownRequest(spans: number): void {
  const segment = tracer.beginSegment({ name: 'bench' });
  tracer.run(segment, () => {
    for (let i = 0; i < spans; i++) {
      tracer.capture(
        'cruddur@127.0.0.1',
        (sub) => {
          if (sub === undefined) return;
          sub.sql = { database_type: 'postgresql', url: 'postgresql://127.0.0.1:5432/cruddur', sanitized_query: QUERY };
          sub.addMetadata('db.operation.name', 'SELECT', 'otel');
          sub.addMetadata('db.response.returned_rows', 1, 'otel');
        },
        { namespace: 'remote' },
      );
    }
  });
  segment.close();
}

function bridgedRequest(spans: number): void {
  const segment = tracer.beginSegment({ name: 'bench' });
  tracer.run(segment, () => {
    for (let i = 0; i < spans; i++) {
      const span = bridged.startSpan('pg.query:SELECT cruddur', { kind: SpanKind.CLIENT, attributes: ATTRIBUTES });
      span.setAttribute('db.operation.name', 'SELECT');
      span.setAttribute('db.response.returned_rows', 1);
      span.end();
    }
  });
  segment.close();
}

interface Serializer {
  serializeRequest(spans: readonly ReadableSpan[]): Uint8Array | undefined;
}
const { ProtobufTraceSerializer } = createRequire(import.meta.url)('@opentelemetry/otlp-transformer') as { ProtobufTraceSerializer: Serializer };

class DiscardingExporter implements SpanExporter {
  exported = 0;
  constructor(private readonly serializer?: Serializer) {}
  export(spans: ReadableSpan[], done: (result: { code: number }) => void): void {
    this.exported += spans.length;
    this.serializer?.serializeRequest(spans);
    done({ code: 0 });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
const sdkContext = new AsyncLocalStorageContextManager().enable();

function sdkSetup(exporter: DiscardingExporter): { provider: TracerProvider; request: (spans: number) => void } {
  const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter })] });
  const sdk = provider.getTracer('@opentelemetry/instrumentation-pg');
  const request = (spans: number): void => {
    const root = sdk.startSpan('GET /bench', { kind: SpanKind.SERVER });
    context.with(trace.setSpan(context.active(), root), () => {
      for (let i = 0; i < spans; i++) {
        const span = sdk.startSpan('pg.query:SELECT cruddur', { kind: SpanKind.CLIENT, attributes: ATTRIBUTES });
        span.setAttribute('db.operation.name', 'SELECT');
        span.setAttribute('db.response.returned_rows', 1);
        span.end();
      }
    });
    root.end();
  };
  return { provider, request };
}
const exporter = new DiscardingExporter();
const sdk = sdkSetup(exporter);
const sdkEncoding = sdkSetup(new DiscardingExporter(ProtobufTraceSerializer));

interface Setup {
  readonly label: string;
  readonly request: (spans: number) => void;
  readonly contextManager: ContextManager;
  readonly rounds: number[];
}
const setups: Setup[] = [
  { label: 'our capture() subsegment (same fields as the bridged span)', request: ownRequest, contextManager: bridgeContext, rounds: [] },
  { label: 'bridged OTel span (start + attributes + end)', request: bridgedRequest, contextManager: bridgeContext, rounds: [] },
  { label: 'OTel JS SDK 3.x + BatchSpanProcessor (discarding exporter)', request: sdk.request, contextManager: sdkContext, rounds: [] },
  { label: '  reference: same, the exporter encoding OTLP protobuf first', request: sdkEncoding.request, contextManager: sdkContext, rounds: [] },
];

// The global context manager is the one of the setup being measured, as in an application.
function enter(manager: ContextManager): void {
  context.disable();
  context.setGlobalContextManager(manager);
}

/** The one subsegment of a one-span request, without its ids and times. */
function subsegmentFields(request: (spans: number) => void): string {
  request(1);
  const doc = JSON.parse(lastDocument) as { subsegments: Record<string, unknown>[] };
  const { id: _id, start_time: _start, end_time: _end, ...fields } = doc.subsegments[0] ?? {};
  return JSON.stringify(fields);
}

enter(bridgeContext);
const own = subsegmentFields(ownRequest);
const viaBridge = subsegmentFields(bridgedRequest);
if (own !== viaBridge) throw new Error(`the two setups record different subsegments:\n capture(): ${own}\n bridge:    ${viaBridge}`);
console.log(`both of our setups emit: ${viaBridge}`);

const collectGarbage = (globalThis as { gc?: () => void }).gc;
if (collectGarbage === undefined) console.log('(run with node --expose-gc: without it, one round\'s garbage is collected during the next)');

async function measure(setup: Setup, requests: number): Promise<number> {
  enter(setup.contextManager);
  await nextTurn();
  collectGarbage?.();
  const before = process.cpuUsage();
  for (let done = 0; done < requests; done += CHUNK) {
    for (let i = 0; i < CHUNK; i++) setup.request(SPANS);
    await nextTurn();
  }
  collectGarbage?.();
  const used = process.cpuUsage(before);
  const idle = process.cpuUsage();
  collectGarbage?.();
  const fixed = process.cpuUsage(idle);
  return ((used.user + used.system - fixed.user - fixed.system) * 1000) / (requests * SPANS);
}

for (const setup of setups) await measure(setup, REQUESTS); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  for (const setup of setups) setup.rounds.push(await measure(setup, REQUESTS));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
console.log(`CPU ns per span, median of ${ROUNDS} rounds of ${REQUESTS} requests × ${SPANS} spans (Node ${process.versions.node}):`);
const [ownNs, bridgeNs, sdkNs, sdkEncodingNs] = setups.map((setup) => {
  const ns = median(setup.rounds);
  console.log(`${setup.label.padEnd(62)} ${ns.toFixed(0).padStart(7)} ns/span   (rounds ${setup.rounds.map((r) => r.toFixed(0)).join(' ')})`);
  return ns;
}) as [number, number, number, number];
const vsCapture = bridgeNs / ownNs;
const vsSdk = sdkNs / bridgeNs;
console.log(`bridge / capture()  = ${vsCapture.toFixed(2)}×   target ≤ ${TARGET_VS_CAPTURE}×   ${vsCapture <= TARGET_VS_CAPTURE ? 'met' : 'NOT met'}`);
console.log(`OTel SDK / bridge   = ${vsSdk.toFixed(2)}×   target ≥ ${TARGET_VS_SDK}×   ${vsSdk >= TARGET_VS_SDK ? 'met' : 'NOT met'}`);
console.log(`(reference: OTel SDK encoding OTLP / bridge = ${(sdkEncodingNs / bridgeNs).toFixed(2)}×)`);
console.log(`(the SDK's exporter received ${exporter.exported} spans: the batch processor exported rather than dropped)`);
bridge.unregister();
await Promise.all([sdk.provider.shutdown(), sdkEncoding.provider.shutdown()]);
