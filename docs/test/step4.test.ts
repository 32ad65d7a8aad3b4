// Step 4: the backend's call to the worker and its DynamoDB operations, as one trace across both
// services.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDaemonSink, startDynalite, type DaemonSink, type DynaliteHandle } from '@cruddur/fakes';
import { allSubsegments, LOCAL_AWS, postJson, request, SAMPLE_EVERYTHING, startSnippet, waitForSegment, type RunningSnippet, stopAllSnippets } from './support.js';


after(stopAllSnippets);
describe('step 4: DynamoDB and service-to-service traces', () => {
  let sink: DaemonSink;
  let dynamo: DynaliteHandle;
  let worker: RunningSnippet;
  let backend: RunningSnippet;

  before(async () => {
    [sink, dynamo] = await Promise.all([startDaemonSink(), startDynalite()]);
    const env = { AWS_XRAY_DAEMON_ADDRESS: sink.address, CRUDDUR_XRAY_SAMPLING_RULES: SAMPLE_EVERYTHING, ...LOCAL_AWS, AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint };
    worker = await startSnippet('step1-fastify.ts', env);
    backend = await startSnippet('step4-backend.ts', { ...env, WORKER_URL: worker.url });
  });
  after(async () => {
    await Promise.all([backend?.stop(), worker?.stop()]);
    await Promise.all([sink?.close(), dynamo?.close()]);
  });

  test('one trace: the worker segment nests under the backend call to it; PutItem on the table', async () => {
    const res = await postJson(`${backend.url}/api/activities`, { message: 'Cloud is fun!' });
    assert.equal(res.status, 200);
    const front = await waitForSegment(sink, (d) => d.trace_id === res.traceId && d.name === 'cruddur-backend');
    const back = await waitForSegment(sink, (d) => d.trace_id === res.traceId && d.name === 'cruddur-worker');

    const call = front.subsegments?.find((s) => s.namespace === 'remote');
    assert.equal(call?.name, '127.0.0.1');
    assert.equal(call?.http?.request?.method, 'POST');
    assert.equal(call?.http?.request?.url, `${worker.url}/internal/moderate`);
    assert.equal(call?.http?.response?.status, 200);
    assert.equal(call?.traced, true);
    assert.equal(back.parent_id, call?.id, "the worker's parent is the backend's remote subsegment");
    assert.equal(back.http?.request?.url, `${worker.url}/internal/moderate`);

    const put = front.subsegments?.find((s) => s.namespace === 'aws');
    assert.equal(put?.name, 'DynamoDB');
    assert.equal(put?.aws?.operation, 'PutItem');
    assert.equal(put?.aws?.table_name, 'cruddur-workshop');
    assert.equal(put?.aws?.region, 'us-east-1');
    assert.equal(put?.aws?.retries, 0);
    assert.ok(put?.aws?.request_id);
    assert.equal(put?.http?.response?.status, 200);
    assert.ok((call?.end_time ?? Infinity) <= (put?.start_time ?? 0), 'moderation happens before the write');
  });

  test('the home feed is a Query; the table was created at start-up without a trace', async () => {
    const res = await request(`${backend.url}/api/activities/home`);
    assert.equal(res.status, 200);
    assert.ok((JSON.parse(res.text) as Array<{ message: string }>).some((a) => a.message === 'Cloud is fun!'));
    const segment = await waitForSegment(sink, (d) => d.trace_id === res.traceId);
    assert.deepEqual(
      allSubsegments(segment).map((s) => `${s.name} ${s.aws?.operation ?? ''}`),
      ['DynamoDB Query'],
    );
    const operations = sink.documents.flatMap((d) => JSON.stringify(d.document).match(/"operation":"\w+"/g) ?? []);
    assert.ok(!operations.some((o) => o.includes('CreateTable') || o.includes('DescribeTable')), operations.join());
  });

  test('a rejected message answers 422 and flags the backend segment as an error, not the worker', async () => {
    const res = await postJson(`${backend.url}/api/activities`, { message: 'BUY NOW' });
    assert.equal(res.status, 422);
    assert.deepEqual(JSON.parse(res.text), ['message_rejected']);
    const front = await waitForSegment(sink, (d) => d.trace_id === res.traceId && d.name === 'cruddur-backend');
    const back = await waitForSegment(sink, (d) => d.trace_id === res.traceId && d.name === 'cruddur-worker');
    assert.equal(front.error, true);
    assert.equal(front.fault, undefined);
    assert.equal(back.error, undefined);
    assert.ok(!front.subsegments?.some((s) => s.namespace === 'aws'), 'nothing was written');
  });
});
