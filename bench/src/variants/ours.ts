// @cruddur/middleware, imported from its built package exactly as a user would.
import { createTracer } from '@cruddur/middleware';
import { instrument } from '@cruddur/middleware/aws';
import { xray, xrayErrorHandler } from '@cruddur/middleware/express';
import fastifyXray from '@cruddur/middleware/fastify';
import { instrumentHttp } from '@cruddur/middleware/http';
import { SAMPLE_EVERYTHING } from '@cruddur/middleware/testing';
import type { Setup } from './instrumentation.js';

/** Rules that sample nothing: no reservoir, rate 0. */
const SAMPLE_NOTHING = { version: 2 as const, rules: [], default: { fixed_target: 0, rate: 0 } };

export const setup: Setup = (config) => {
  const tracer = createTracer({
    daemonAddress: `127.0.0.1:${config.daemonPort}`,
    samplingRules: config.variant === 'ours-unsampled' ? SAMPLE_NOTHING : SAMPLE_EVERYTHING,
    // Local rules only: nothing listens for the sampling proxy's TCP calls at the sink's address.
    centralizedSampling: false,
  });
  const http = instrumentHttp({ tracer });
  return Promise.resolve({
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
      await tracer.shutdown();
    },
  });
};
