// The four setups the OTel bridge benchmark compares, one instrumentation pattern each: a
// request (a segment, or a server root span) with `spans` client spans, each started with five
// attributes, given two more, and ended. Each setup is built only when asked for, so a
// measuring process loads nothing of the others (no second AsyncLocalStorage, no SDK timers).
import { context, SpanKind, trace, type Attributes } from '@opentelemetry/api';
import { createRequire } from 'node:module';
import { createTracer, type Emitter } from '../../../../packages/middleware/src/index.js';
import { registerOtelBridge } from '../../../../packages/middleware/src/otel/index.js';
import { SAMPLE_EVERYTHING } from '../../../../packages/middleware/src/testing/index.js';

export const SETUP_IDS = ['capture', 'bridge', 'sdk', 'sdk-otlp'] as const;
export type SetupId = (typeof SETUP_IDS)[number];

export const SETUP_LABELS: Readonly<Record<SetupId, string>> = {
  capture: 'our capture() subsegment (same fields as the bridged span)',
  bridge: 'bridged OTel span (start + attributes + end)',
  sdk: 'OTel JS SDK 3.x + BatchSpanProcessor, exporter discarding',
  'sdk-otlp': 'OTel JS SDK 3.x + BatchSpanProcessor, exporter encoding OTLP',
};

/** A built setup: one request, and what it leaves to check or to release. */
export interface Setup {
  readonly request: (spans: number) => void;
  /** The last document our setups wrote (X-Ray JSON); empty for the SDK. */
  readonly lastDocument: () => string;
  /** Spans the SDK's exporter received (0 for ours). */
  readonly exported: () => number;
  readonly close: () => Promise<void>;
}

const QUERY = 'SELECT * FROM activities WHERE id = $1';
const ATTRIBUTES: Attributes = { 'db.system.name': 'postgresql', 'db.namespace': 'cruddur', 'server.address': '127.0.0.1', 'server.port': 5432, 'db.query.text': QUERY };
const SPAN_NAME = 'pg.query:SELECT cruddur';
const SCOPE = '@opentelemetry/instrumentation-pg';

export async function buildSetup(id: SetupId): Promise<Setup> {
  return id === 'capture' || id === 'bridge' ? ours(id) : sdk(id === 'sdk-otlp');
}

// Our tracer writes each closed segment as the UDP path does; the emitter keeps the last text only.
function ours(id: 'capture' | 'bridge'): Setup {
  let lastDocument = '';
  const sink: Emitter = { send: (document) => void (lastDocument = document) };
  const tracer = createTracer({ emitter: sink, samplingRules: SAMPLE_EVERYTHING, logLevel: 'silent', centralizedSampling: false });
  const bridge = registerOtelBridge({ tracer });
  const bridged = bridge.tracerProvider.getTracer(SCOPE);
  const captured = (spans: number): void => {
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
  };
  // As instrumentations call it: startSpan with the active context, attributes, end.
  const viaBridge = (spans: number): void => {
    for (let i = 0; i < spans; i++) {
      const span = bridged.startSpan(SPAN_NAME, { kind: SpanKind.CLIENT, attributes: ATTRIBUTES });
      span.setAttribute('db.operation.name', 'SELECT');
      span.setAttribute('db.response.returned_rows', 1);
      span.end();
    }
  };
  const body = id === 'capture' ? captured : viaBridge;
  return {
    request: (spans) => {
      const segment = tracer.beginSegment({ name: 'bench' });
      tracer.run(segment, () => body(spans));
      segment.close();
    },
    lastDocument: () => lastDocument,
    exported: () => 0,
    close: async () => {
      bridge.unregister();
      await tracer.shutdown();
    },
  };
}

interface Serializer {
  serializeRequest(spans: readonly unknown[]): Uint8Array | undefined;
}

// The SDK as an application sets it up: TracerProvider + BatchSpanProcessor, the
// AsyncLocalStorage context manager, the request entered with `context.with` as the HTTP
// instrumentation does. Its exporter either discards each batch or first encodes it as an OTLP
// protobuf request with the official serializer (the work ours does when it writes JSON).
async function sdk(encode: boolean): Promise<Setup> {
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const { BatchSpanProcessor, TracerProvider } = await import('@opentelemetry/sdk-trace');
  const serializer = encode ? (createRequire(import.meta.url)('@opentelemetry/otlp-transformer') as { ProtobufTraceSerializer: Serializer }).ProtobufTraceSerializer : undefined;
  let exported = 0;
  const exporter = {
    export(spans: unknown[], done: (result: { code: number }) => void): void {
      exported += spans.length;
      serializer?.serializeRequest(spans);
      done({ code: 0 });
    },
    shutdown: (): Promise<void> => Promise.resolve(),
  };
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter })] });
  const tracer = provider.getTracer(SCOPE);
  return {
    request: (spans) => {
      const root = tracer.startSpan('GET /bench', { kind: SpanKind.SERVER });
      context.with(trace.setSpan(context.active(), root), () => {
        for (let i = 0; i < spans; i++) {
          const span = tracer.startSpan(SPAN_NAME, { kind: SpanKind.CLIENT, attributes: ATTRIBUTES });
          span.setAttribute('db.operation.name', 'SELECT');
          span.setAttribute('db.response.returned_rows', 1);
          span.end();
        }
      });
      root.end();
    },
    lastDocument: () => '',
    exported: () => exported,
    close: () => provider.shutdown(),
  };
}
