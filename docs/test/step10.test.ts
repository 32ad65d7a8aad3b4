// Step 10: the snippet's metrics reach CloudWatch Logs in their own stream at SIGTERM, as EMF
// documents the CloudWatch Logs fake extracts metrics from, with an exemplar that is a real trace.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { readEmf, startCloudWatchLogsServer, startDaemonSink, type CloudWatchLogsServer, type DaemonSink } from '@cruddur/fakes';
import { LOCAL_AWS, request, SAMPLE_EVERYTHING, snippetPath, startSnippet, waitForSegment, type RunningSnippet, stopAllSnippets } from './support.js';

after(stopAllSnippets);
describe('step 10: metrics', () => {
  let sink: DaemonSink;
  let logs: CloudWatchLogsServer;
  let app: RunningSnippet;
  let traceIds: (string | undefined)[];

  before(async () => {
    [sink, logs] = await Promise.all([startDaemonSink(), startCloudWatchLogsServer()]);
    app = await startSnippet('step10-metrics.ts', {
      AWS_XRAY_DAEMON_ADDRESS: sink.address,
      CRUDDUR_XRAY_SAMPLING_RULES: SAMPLE_EVERYTHING,
      ...LOCAL_AWS,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: logs.url,
      CRUDDUR_LOG_GROUP: 'cruddur',
      CRUDDUR_METRICS_NAMESPACE: 'Cruddur',
    });
    traceIds = [];
    for (let i = 0; i < 3; i++) traceIds.push((await request(`${app.url}/api/messages`, { method: 'POST' })).traceId);
    await waitForSegment(sink, (d) => d.trace_id === traceIds[2]);
    // Long before the 60 s interval: SIGTERM must write and deliver them.
    await app.stop('SIGTERM');
  });
  after(async () => {
    await app?.stop();
    await Promise.all([sink?.close(), logs?.close()]);
  });

  test('request metrics and MessagesSent arrive in the metrics stream, valid for CloudWatch', async () => {
    const data = await logs.waitForMetrics((d) => d.metricName === 'MessagesSent', 10_000);
    assert.deepEqual(logs.emfRejections, []);
    assert.equal(data[0]?.namespace, 'Cruddur');
    assert.equal(data[0]?.sum, 3);
    const requests = logs.metricData.find((d) => d.metricName === 'Requests' && d.dimensions.Route === '/api/messages');
    assert.deepEqual(requests?.dimensions, { Service: 'cruddur-backend', Route: '/api/messages', Method: 'POST' });
    assert.equal(requests?.sum, 3);
    const latency = logs.metricData.find((d) => d.metricName === 'Latency' && d.dimensions.Route === '/api/messages');
    assert.equal(latency?.sampleCount, 3);
    const stream = logs.events.find((e) => e.message.includes('"_aws"'))?.logStreamName ?? '';
    assert.match(stream, /\/metrics$/);
    assert.ok(!logs.events.some((e) => e.logStreamName === stream && !e.message.includes('"_aws"')), 'only EMF in the metrics stream');
  });

  test('the exemplar is the trace of one of the requests', () => {
    const requests = logs.metricData.find((d) => d.metricName === 'Requests' && d.dimensions.Route === '/api/messages');
    const exemplar = (requests?.document as { Exemplar?: { TraceId: string } } | undefined)?.Exemplar;
    assert.ok(traceIds.includes(exemplar?.TraceId));
  });

  test("the page's example document is one CloudWatch extracts", () => {
    const text = readFileSync(snippetPath('step10-emf-document.json'), 'utf8');
    const timestamp = (JSON.parse(text) as { _aws: { Timestamp: number } })._aws.Timestamp;
    const reading = readEmf(JSON.stringify(JSON.parse(text)), timestamp);
    assert.equal(reading.kind, 'metrics', JSON.stringify(reading));
  });
});
