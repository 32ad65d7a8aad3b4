// @cruddur/middleware, imported from its built package exactly as a user would: to the X-Ray
// daemon over UDP (ours, ours-unsampled), or over OTLP/HTTP with the OtlpTraceExporter's defaults
// — protobuf, gzip, batches of up to 512 — (ours-otlp). Same integrations in every case.
// ours-metrics: ours plus `createMetrics()` (request and call metrics from the integrations,
// default flush interval) writing to a function that counts the lines and discards them.
import { createTracer, OtlpTraceExporter } from '@cruddur/middleware';
import { instrument } from '@cruddur/middleware/aws';
import { xray, xrayErrorHandler } from '@cruddur/middleware/express';
import fastifyXray from '@cruddur/middleware/fastify';
import { instrumentHttp } from '@cruddur/middleware/http';
import { createMetrics } from '@cruddur/middleware/metrics';
import { SAMPLE_EVERYTHING } from '@cruddur/middleware/testing';
import type { Instrumentation, Setup } from './instrumentation.js';

/** Rules that sample nothing: no reservoir, rate 0. */
const SAMPLE_NOTHING = { version: 2 as const, rules: [], default: { fixed_target: 0, rate: 0 } };

export const setup: Setup = (config) => {
  const otlp = config.variant === 'ours-otlp';
  if (otlp && config.otlpEndpoint === null) throw new Error('ours-otlp needs the OTLP sink endpoint');
  // Only the endpoint is set: every other setting is the exporter's default, as a user gets it.
  const exporter = otlp ? new OtlpTraceExporter({ endpoint: config.otlpEndpoint ?? undefined }) : undefined;
  const tracer = createTracer({
    ...(exporter ? { emitter: exporter } : { daemonAddress: `127.0.0.1:${config.daemonPort}` }),
    samplingRules: config.variant === 'ours-unsampled' ? SAMPLE_NOTHING : SAMPLE_EVERYTHING,
    // Local rules only: nothing listens for the sampling proxy's TCP calls at the sink's address.
    centralizedSampling: false,
  });
  const http = instrumentHttp({ tracer });
  // Documents are counted and dropped: aggregation only, no I/O. No environment: the defaults.
  const written = { documents: 0, chars: 0 };
  const metrics =
    config.variant === 'ours-metrics'
      ? createMetrics(
          {
            output: (line) => {
              written.documents++;
              written.chars += line.length;
            },
          },
          {},
        )
      : undefined;
  const instrumentation: Instrumentation = {
    expressBefore(app) {
      app.use(xray({ name: 'bench', tracer }));
    },
    expressAfter(app) {
      app.use(xrayErrorHandler());
    },
    async fastify(app) {
      await app.register(fastifyXray, { name: 'bench', tracer });
    },
    dynamo: (client) => instrument(client, { tracer }),
    async shutdown() {
      http.uninstall();
      await metrics?.shutdown();
      await tracer.shutdown();
    },
  };
  if (metrics) {
    instrumentation.metrics = async (flush) => {
      if (flush) await metrics.flush();
      const { requests, overflowed } = metrics.stats();
      return { requests, overflowed, ...written };
    };
  }
  if (exporter) {
    // Batches otherwise leave up to 5 s late: flush so that their mapping, encoding, gzip and
    // POST are counted in the run whose requests produced them. The sink counts what arrived.
    instrumentation.exported = async () => {
      await exporter.flush();
      const { dropped, rejected, failed } = exporter.stats;
      return { count: null, sample: [], lost: dropped + rejected + failed };
    };
  }
  return Promise.resolve(instrumentation);
};
