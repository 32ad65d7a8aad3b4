// OpenTelemetry, the path AWS now recommends: NodeTracerProvider with the X-Ray id generator and
// propagator, a BatchSpanProcessor with its default settings, and the HTTP, Express and Fastify
// instrumentations. The exporter counts spans and discards them, in-process (otel), or is the
// official OTLP/HTTP protobuf exporter, gzip, sending to the counting OTLP sink (otel-otlp).
// Its HTTP instrumentation covers node:http (so the AWS SDK's requests become client spans); it has
// no fetch (undici) instrumentation in this set, so the realistic route's fetch is not recorded.
import type * as FastifyOtel from '@fastify/otel';
import type * as Api from '@opentelemetry/api';
import type * as OtlpProto from '@opentelemetry/exporter-trace-otlp-proto';
import type * as Instrumentation from '@opentelemetry/instrumentation';
import type * as ExpressInstrumentation from '@opentelemetry/instrumentation-express';
import type * as HttpInstrumentation from '@opentelemetry/instrumentation-http';
import type * as IdGenerator from '@opentelemetry/id-generator-aws-xray';
import type * as Propagator from '@opentelemetry/propagator-aws-xray';
import type * as Resources from '@opentelemetry/resources';
import type * as TraceBase from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type * as TraceNode from '@opentelemetry/sdk-trace-node';
import { requireFromBench, requireFromRoot, type ExportedSoFar, type Setup } from './instrumentation.js';

/** ExportResultCode.SUCCESS of @opentelemetry/core. */
const SUCCESS = 0;

/** The exporter's `compression` option: an enum of otlp-exporter-base whose values are these strings. */
type OtlpCompression = NonNullable<NonNullable<ConstructorParameters<typeof OtlpProto.OTLPTraceExporter>[0]>['compression']>;

/** Counts what the batch processor hands over and keeps nothing but the last few span names. */
class CountingExporter implements SpanExporter {
  count = 0;
  sample: string[] = [];

  export(spans: ReadableSpan[], resultCallback: Parameters<SpanExporter['export']>[1]): void {
    this.count += spans.length;
    this.sample = spans.slice(-6).map((span) => span.name);
    resultCallback({ code: SUCCESS });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Hands batches to the OTLP exporter and counts the spans of batches it reports as failed (after
 * its own retries). One call per batch of up to 512 spans: nothing measurable.
 */
class FailureCountingExporter implements SpanExporter {
  failed = 0;
  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: Parameters<SpanExporter['export']>[1]): void {
    this.inner.export(spans, (result) => {
      if (result.code !== SUCCESS) this.failed += spans.length;
      resultCallback(result);
    });
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

/**
 * Spans the BatchSpanProcessor dropped because its queue was full. It keeps no lasting count: it
 * reports each run of drops through the diagnostic logger once the queue takes spans again.
 */
function countQueueDrops(): { dropped: number } {
  const { diag, DiagLogLevel } = requireFromRoot('@opentelemetry/api') as typeof Api;
  const counter = { dropped: 0 };
  const ignore = (): void => undefined;
  diag.setLogger(
    {
      error: ignore,
      info: ignore,
      debug: ignore,
      verbose: ignore,
      warn(message: string) {
        const match = /^Dropped (\d+) spans/.exec(message);
        if (match) counter.dropped += Number(match[1]);
      },
    },
    DiagLogLevel.WARN,
  );
  return counter;
}

export const setup: Setup = (config) => {
  // Loaded with require (CommonJS) so the instrumentations' require hooks see the frameworks load.
  const { NodeTracerProvider } = requireFromRoot('@opentelemetry/sdk-trace-node') as typeof TraceNode;
  const { BatchSpanProcessor } = requireFromRoot('@opentelemetry/sdk-trace-base') as typeof TraceBase;
  const { AWSXRayIdGenerator } = requireFromRoot('@opentelemetry/id-generator-aws-xray') as typeof IdGenerator;
  const { AWSXRayPropagator } = requireFromRoot('@opentelemetry/propagator-aws-xray') as typeof Propagator;
  const { resourceFromAttributes } = requireFromRoot('@opentelemetry/resources') as typeof Resources;
  const { registerInstrumentations } = requireFromRoot('@opentelemetry/instrumentation') as typeof Instrumentation;
  const { HttpInstrumentation: Http } = requireFromRoot('@opentelemetry/instrumentation-http') as typeof HttpInstrumentation;

  let exported: () => ExportedSoFar;
  let exporter: SpanExporter;
  if (config.variant === 'otel-otlp') {
    if (config.otlpEndpoint === null) throw new Error('otel-otlp needs the OTLP sink endpoint');
    const { OTLPTraceExporter } = requireFromBench('@opentelemetry/exporter-trace-otlp-proto') as typeof OtlpProto;
    const queue = countQueueDrops();
    // gzip as ours sends (the OTel default is no compression): the same export, to the same sink.
    const otlp = new FailureCountingExporter(new OTLPTraceExporter({ url: config.otlpEndpoint, compression: 'gzip' as OtlpCompression }));
    exporter = otlp;
    exported = () => ({ count: null, sample: [], lost: queue.dropped + otlp.failed });
  } else {
    const counting = new CountingExporter();
    exporter = counting;
    exported = () => ({ count: counting.count, sample: counting.sample, lost: null });
  }
  const provider = new NodeTracerProvider({
    idGenerator: new AWSXRayIdGenerator(),
    resource: resourceFromAttributes({ 'service.name': 'bench' }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register({ propagator: new AWSXRayPropagator() });

  let fastifyOtel: FastifyOtel.FastifyOtelInstrumentation | undefined;
  const instrumentations: Instrumentation.Instrumentation[] = [new Http()];
  if (config.framework === 'express') {
    const { ExpressInstrumentation: Express } = requireFromRoot('@opentelemetry/instrumentation-express') as typeof ExpressInstrumentation;
    instrumentations.push(new Express());
  } else {
    const { FastifyOtelInstrumentation } = requireFromRoot('@fastify/otel') as typeof FastifyOtel;
    fastifyOtel = new FastifyOtelInstrumentation();
    instrumentations.push(fastifyOtel);
  }
  registerInstrumentations({ tracerProvider: provider, instrumentations });

  return Promise.resolve({
    async fastify(app) {
      if (fastifyOtel) await app.register(fastifyOtel.plugin());
    },
    async exported() {
      await provider.forceFlush();
      return exported();
    },
    async shutdown() {
      await provider.shutdown();
    },
  });
};
