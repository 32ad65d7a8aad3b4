// The direct X-Ray emitter and the CloudWatch Logs transport retry the same failures: the AWS
// SDK's own classification, driven through the real SDK clients against the local fakes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { XRayClient } from '@aws-sdk/client-xray';
import { startCloudWatchLogsServer, startXRayApiServer, type CloudWatchLogsServer, type XRayApiServer } from '@cruddur/fakes';
import { DirectXRayEmitter } from '../src/aws/index.js';
import { Diagnostics, newEntityId, newTraceId } from '../src/internal.js';
import { cloudWatchLogger, FAKE_CREDENTIALS } from './support/logger-cloudwatch-setup.js';

/** One failure both fakes can answer with, and whether another try is worth it. */
const CASES = [
  { fault: 'throttle', answer: 'throttling (X-Ray: 429 ThrottledException; CloudWatch Logs: 400 ThrottlingException)', retried: true },
  { fault: 'limit', answer: '400 LimitExceededException, a throttling error by name', retried: true },
  { fault: '500', answer: '500', retried: true },
  { fault: 'reset', answer: 'connection reset without an answer', retried: true },
  { fault: 'denied', answer: '4xx AccessDeniedException', retried: false },
] as const;

const quiet = (): Diagnostics => new Diagnostics({ debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }, 'silent');

function segmentDocument(): string {
  const start = Date.now() / 1000;
  return JSON.stringify({ name: 'cruddur-backend', id: newEntityId(), trace_id: newTraceId(), start_time: start, end_time: start + 0.01 });
}

void describe('one retry classification for AWS calls', () => {
  let xray: XRayApiServer;
  let logs: CloudWatchLogsServer;
  let client: XRayClient;
  before(async () => {
    [xray, logs] = await Promise.all([startXRayApiServer(), startCloudWatchLogsServer()]);
    client = new XRayClient({ endpoint: xray.url, region: 'us-east-1', credentials: { ...FAKE_CREDENTIALS }, maxAttempts: 1 });
  });
  after(async () => {
    client.destroy();
    await Promise.all([xray.close(), logs.close()]);
  });

  for (const { fault, answer, retried } of CASES) {
    void it(`${answer}: ${retried ? 'retried' : 'not retried'} by both`, { timeout: 15_000 }, async () => {
      xray.clearFaults();
      xray.failNext('TraceSegments', fault, 1);
      const emitter = new DirectXRayEmitter({ client, flushIntervalMs: 60_000, retryBaseMs: 5, diagnostics: quiet() });
      emitter.send(segmentDocument());
      await emitter.flush();

      logs.failNext('PutLogEvents', fault, 1);
      const logger = cloudWatchLogger(logs, { stream: `retry-${fault}`, cloudwatch: { requestTimeoutMs: 1_000 } });
      logger.info('one entry');
      const flushed = await logger.flush(10_000);
      const transport = logger.cloudwatch!.stats();
      await logger.shutdown(1_000);

      const direct = { retried: emitter.stats.retried > 0, delivered: emitter.stats.sent === 1 };
      const cloudwatch = { retried: transport.retries > 0, delivered: transport.delivered === 1 };
      assert.deepEqual(direct, { retried, delivered: retried }, `direct emitter: ${JSON.stringify(emitter.stats)}`);
      assert.deepEqual(cloudwatch, { retried, delivered: retried }, `CloudWatch transport: ${JSON.stringify(transport)}`);
      assert.equal(flushed.complete, true);
      if (!retried) {
        assert.equal(emitter.stats.failed, 1, 'the document is given up and counted');
        assert.equal(transport.failed, 1, 'the entry is given up and counted');
      }
    });
  }
});
