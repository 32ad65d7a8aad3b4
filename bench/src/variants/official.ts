// The official X-Ray SDK (aws-xray-sdk-core 3.x with its Express and Fastify packages), as its
// README sets it up, with centralized sampling off and a local rule that samples everything.
// It records DynamoDB through captureAWSv3Client; it has no instrumentation for fetch.
import type * as XRay from 'aws-xray-sdk-core';
import type * as XRayExpress from 'aws-xray-sdk-express';
import { requireFromBench, requireFromRoot, type Setup } from './instrumentation.js';

export const setup: Setup = (config) => {
  const AWSXRay = requireFromRoot('aws-xray-sdk-core') as typeof XRay;
  AWSXRay.setDaemonAddress(`127.0.0.1:${config.daemonPort}`);
  AWSXRay.middleware.disableCentralizedSampling();
  AWSXRay.middleware.setSamplingRules({ version: 2, rules: [], default: { fixed_target: 0, rate: 1 } });
  // Lost context (its known weakness across await) would otherwise print an error per call.
  AWSXRay.setContextMissingStrategy('IGNORE_ERROR');
  return Promise.resolve({
    expressBefore(app) {
      const xrayExpress = requireFromRoot('aws-xray-sdk-express') as typeof XRayExpress;
      app.use(xrayExpress.openSegment('bench'));
    },
    expressAfter(app) {
      const xrayExpress = requireFromRoot('aws-xray-sdk-express') as typeof XRayExpress;
      app.use(xrayExpress.closeSegment());
    },
    async fastify(app) {
      // Only the bench workspace has it (with the override that lets it run on Fastify 5).
      const plugin: unknown = requireFromBench('aws-xray-sdk-fastify');
      await app.register(plugin, { segmentName: 'bench' });
    },
    dynamo: (client) => AWSXRay.captureAWSv3Client(client),
  });
};
