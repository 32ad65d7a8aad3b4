// OpenTelemetry, the path AWS now recommends: NodeTracerProvider with the X-Ray id generator and
// propagator, a BatchSpanProcessor with its default settings, and the HTTP, Express and Fastify
// instrumentations. The exporter counts spans and discards them, in-process.
// Its HTTP instrumentation covers node:http (so the AWS SDK's requests become client spans); it has
// no fetch (undici) instrumentation in this set, so the realistic route's fetch is not recorded.
import type * as FastifyOtel from '@fastify/otel';
import type * as Instrumentation from '@opentelemetry/instrumentation';
import type * as ExpressInstrumentation from '@opentelemetry/instrumentation-express';
import type * as HttpInstrumentation from '@opentelemetry/instrumentation-http';
import type * as IdGenerator from '@opentelemetry/id-generator-aws-xray';
import type * as Propagator from '@opentelemetry/propagator-aws-xray';
import type * as Resources from '@opentelemetry/resources';
import type * as TraceBase from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type * as TraceNode from '@opentelemetry/sdk-trace-node';
import { requireFromRoot, type Setup } from './instrumentation.js';

/** ExportResultCode.SUCCESS of @opentelemetry/core. */
const SUCCESS = 0;

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

export const setup: Setup = (config) => {
  // Loaded with require (CommonJS) so the instrumentations' require hooks see the frameworks load.
  const { NodeTracerProvider } = requireFromRoot('@opentelemetry/sdk-trace-node') as typeof TraceNode;
  const { BatchSpanProcessor } = requireFromRoot('@opentelemetry/sdk-trace-base') as typeof TraceBase;
  const { AWSXRayIdGenerator } = requireFromRoot('@opentelemetry/id-generator-aws-xray') as typeof IdGenerator;
  const { AWSXRayPropagator } = requireFromRoot('@opentelemetry/propagator-aws-xray') as typeof Propagator;
  const { resourceFromAttributes } = requireFromRoot('@opentelemetry/resources') as typeof Resources;
  const { registerInstrumentations } = requireFromRoot('@opentelemetry/instrumentation') as typeof Instrumentation;
  const { HttpInstrumentation: Http } = requireFromRoot('@opentelemetry/instrumentation-http') as typeof HttpInstrumentation;

  const exporter = new CountingExporter();
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
      return { count: exporter.count, sample: exporter.sample };
    },
    async shutdown() {
      await provider.shutdown();
    },
  });
};
