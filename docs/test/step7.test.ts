// Step 7: the /rollbar/test warning and a failing route reach Rollbar with their trace, and the
// trace points back at the Rollbar item.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDaemonSink, startRollbarServer, type DaemonSink, type RollbarItem, type RollbarServer } from '@cruddur/fakes';
import { request, SAMPLE_EVERYTHING, startSnippet, waitForSegment, type RunningSnippet, stopAllSnippets } from './support.js';

const TOKEN = 'workshop-post-server-item-token';

interface Data {
  level: string;
  environment: string;
  custom: Record<string, unknown>;
  body: { message?: { body: string }; trace_chain?: Array<{ exception: { class: string; message: string } }> };
  request?: { url?: string; method?: string };
}


after(stopAllSnippets);
describe('step 7: Rollbar', () => {
  let sink: DaemonSink;
  let rollbar: RollbarServer;
  let app: RunningSnippet;
  let worker: RunningSnippet;

  before(async () => {
    [sink, rollbar] = await Promise.all([startDaemonSink(), startRollbarServer()]);
    const env = {
      AWS_XRAY_DAEMON_ADDRESS: sink.address,
      CRUDDUR_XRAY_SAMPLING_RULES: SAMPLE_EVERYTHING,
      AWS_REGION: 'us-east-1',
      ROLLBAR_ACCESS_TOKEN: TOKEN,
      ROLLBAR_ENDPOINT: rollbar.itemUrl,
    };
    [app, worker] = await Promise.all([startSnippet('step7-rollbar.ts', env), startSnippet('step7-fastify.ts', env)]);
  });
  after(async () => {
    await Promise.all([app?.stop(), worker?.stop()]);
    await Promise.all([sink?.close(), rollbar?.close()]);
  });

  const itemFor = async (traceId: string | undefined): Promise<RollbarItem & { data: Data }> => {
    const [item] = await rollbar.waitForItems((i) => (i.data as unknown as Data).custom?.trace_id === traceId);
    assert.ok(item);
    assert.equal(item.accessToken, TOKEN);
    return item as RollbarItem & { data: Data };
  };

  test('/rollbar/test sends the "Hello World!" warning with its trace id', async () => {
    const res = await request(`${app.url}/rollbar/test`);
    assert.equal(res.status, 200);
    assert.equal(res.text, 'Hello World!');
    const item = await itemFor(res.traceId);
    assert.equal(item.data.level, 'warning');
    assert.equal(item.data.environment, 'development');
    assert.equal(item.data.body.message?.body, 'Hello World!');
    const segment = await waitForSegment(sink, (d) => d.trace_id === res.traceId);
    assert.equal(segment.annotations?.rollbar_uuid, item.uuid);
  });

  test('a failing route: 500 naming the trace, one Rollbar item with the trace and the X-Ray link, the trace names the item', async () => {
    const res = await request(`${app.url}/api/activities/notifications`);
    assert.equal(res.status, 500);
    assert.deepEqual(JSON.parse(res.text), { error: 'internal_error', trace_id: res.traceId });

    const item = await itemFor(res.traceId);
    const segment = await waitForSegment(sink, (d) => d.trace_id === res.traceId);
    assert.equal(item.data.level, 'error');
    assert.deepEqual(item.data.body.trace_chain?.[0]?.exception, { class: 'Error', message: 'notifications are not implemented yet' });
    assert.equal(item.data.custom.segment_id, segment.id);
    assert.equal(item.data.custom.sampled, true);
    assert.equal(
      item.data.custom.xray_trace_url,
      `https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#xray:traces/${res.traceId}`,
    );
    assert.equal(item.data.request?.method, 'GET');
    assert.ok(item.data.request?.url?.endsWith('/api/activities/notifications'), item.data.request?.url);

    assert.equal(segment.fault, true);
    const cause = segment.cause as { exceptions: Array<{ message: string }> } | undefined;
    assert.equal(cause?.exceptions[0]?.message, 'notifications are not implemented yet');
    assert.equal(segment.annotations?.rollbar_uuid, item.uuid);
    const link = (segment.metadata?.rollbar?.item as { url?: string } | undefined)?.url;
    assert.ok(link?.includes(item.uuid), link);
    assert.equal(rollbar.items.filter((i) => (i.data as unknown as Data).custom?.trace_id === res.traceId).length, 1, 'reported once');
  });

  test('Fastify: rollbarFastify reports the failing route once, with its trace, and the trace names the item', async () => {
    const res = await request(`${worker.url}/internal/notifications`, { method: 'POST' });
    assert.equal(res.status, 500);
    assert.deepEqual(JSON.parse(res.text), { error: 'internal_error', trace_id: res.traceId });
    const item = await itemFor(res.traceId);
    const segment = await waitForSegment(sink, (d) => d.trace_id === res.traceId);
    assert.equal(segment.name, 'cruddur-worker');
    assert.deepEqual(item.data.body.trace_chain?.[0]?.exception, { class: 'Error', message: 'the notification store is down' });
    assert.equal(item.data.custom.segment_id, segment.id);
    assert.equal(segment.fault, true);
    assert.equal(segment.annotations?.rollbar_uuid, item.uuid);
    assert.equal(rollbar.items.filter((i) => (i.data as unknown as Data).custom?.trace_id === res.traceId).length, 1, 'reported once');
  });
});
