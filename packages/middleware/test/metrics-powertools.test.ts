// Powertools for AWS Lambda (TypeScript) Metrics as a peer: what we write passes its validation,
// and what it writes is read by the CloudWatch Logs fake through our delivery path just like ours.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MetricUnit as PowertoolsUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { xray } from '../src/express/index.js';
import { METRIC_UNITS } from '../src/metrics/index.js';
import { createTestTracer } from '../src/testing/index.js';
import { send } from './support/http-client.js';
import { METRICS_STREAM, startMetricsRig, type MetricsRig } from './support/metrics-setup.js';

interface Directive {
  Namespace: string;
  Dimensions: string[][];
  Metrics: { Name: string; Unit: string; StorageResolution?: number }[];
}
type Doc = Record<string, unknown> & { _aws: { Timestamp: number; CloudWatchMetrics: Directive[] } };

function recordingLogger(): { warnings: string[]; logger: { debug(): void; info(): void; warn(...m: unknown[]): void; error(...m: unknown[]): void } } {
  const warnings: string[] = [];
  return { warnings, logger: { debug: () => undefined, info: () => undefined, warn: (...m) => warnings.push(m.map(String).join(' ')), error: (...m) => warnings.push(m.map(String).join(' ')) } };
}

describe('Powertools Metrics as a peer', () => {
  let rig: MetricsRig;
  let server: Server;
  before(async () => {
    rig = await startMetricsRig({ service: 'backend', defaultDimensions: { Environment: 'test' } });
    const { tracer } = createTestTracer({ name: 'backend' });
    const app = express();
    app.use(xray({ tracer }));
    app.get('/api/messages/:id', (_req, res) => {
      rig.metrics.addMetric('MessagesSent', 'Count', 1);
      rig.metrics.addMetric('Queued', 'Count', 3, { resolution: 1 });
      res.json({});
    });
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    server.close();
    await rig.close();
  });

  it('uses exactly the units Powertools accepts', () => {
    assert.deepEqual([...METRIC_UNITS].sort(), Object.values(PowertoolsUnit).sort());
  });

  it('documents we write pass Powertools validation when replayed through its API', async () => {
    // prepare: request metrics (with histograms and an exemplar) and custom metrics, read back
    const port = (server.address() as AddressInfo).port;
    for (let i = 0; i < 120; i++) await send(port, `/api/messages/${i}`);
    await rig.metrics.flush(5_000);
    await rig.server.waitForMetrics((d) => d.metricName === 'Queued');
    const docs = rig.server.eventsFor('/cruddur/backend', METRICS_STREAM).map((e) => JSON.parse(e.message) as Doc);
    assert.ok(docs.length >= 2);
    for (const doc of docs) {
      // act: every dimension, metric value, resolution and the timestamp go through Powertools' checks
      const { warnings, logger } = recordingLogger();
      const peer = new PowertoolsMetrics({ namespace: doc._aws.CloudWatchMetrics[0]!.Namespace, logger });
      const directive = doc._aws.CloudWatchMetrics[0]!;
      assert.doesNotThrow(() => {
        peer.setTimestamp(doc._aws.Timestamp);
        peer.addDimensions(Object.fromEntries(directive.Dimensions[0]!.map((k) => [k, doc[k] as string])));
        for (const m of directive.Metrics) {
          const member = doc[m.Name] as number | { Values: number[] };
          for (const value of typeof member === 'number' ? [member] : member.Values) {
            peer.addMetric(m.Name, m.Unit as (typeof PowertoolsUnit)[keyof typeof PowertoolsUnit], value, (m.StorageResolution ?? 60) as 1 | 60);
          }
        }
      });
      const theirs = peer.serializeMetrics() as unknown as Doc;
      // assert
      assert.deepEqual(warnings, [], `Powertools had no complaint about ${JSON.stringify(doc).slice(0, 200)}`);
      const their = theirs._aws.CloudWatchMetrics[0]!;
      assert.equal(their.Namespace, directive.Namespace);
      // Powertools always adds its own `service` default dimension ("service_undefined" here).
      assert.deepEqual(their.Dimensions[0]!.filter((k) => k !== 'service'), directive.Dimensions[0]);
      assert.deepEqual(their.Metrics, directive.Metrics, 'same names, units and resolutions');
    }
  });

  it('documents Powertools writes are read like ours through the same delivery path', async () => {
    // prepare
    const { warnings, logger } = recordingLogger();
    const peer = new PowertoolsMetrics({ namespace: 'CruddurTest', serviceName: 'lambda-side', logger });
    peer.addDimension('Environment', 'test');
    peer.addMetric('RepliesCreated', PowertoolsUnit.Count, 1);
    peer.addMetric('RepliesCreated', PowertoolsUnit.Count, 1);
    peer.addMetric('ReplyLatency', PowertoolsUnit.Milliseconds, 12.5, 1);
    peer.addMetadata('request_id', 'abc');
    const line = JSON.stringify(peer.serializeMetrics());
    const transport = rig.logger.cloudwatch!.withStream('powertools');
    // act
    transport.log({ [Symbol.for('message')]: line }, () => undefined);
    await transport.flush(5_000);
    await transport.close(1);
    // assert
    const data = await rig.server.waitForMetrics((d) => d.metricName === 'ReplyLatency');
    assert.deepEqual(warnings, []);
    assert.deepEqual(rig.server.emfRejections, []);
    const replies = rig.server.metricData.find((d) => d.metricName === 'RepliesCreated')!;
    assert.deepEqual(replies.dimensions, { service: 'lambda-side', Environment: 'test' });
    assert.equal(replies.sampleCount, 2, 'its array form');
    assert.equal(data[0]?.storageResolution, 1);
  });
});
