// Business metrics through the package's public metrics API: a message sent and a reply created
// each count once, in the EMF documents the service writes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setDefaultTracer } from '@cruddur/middleware';
import { createMetrics, type Metrics } from '@cruddur/middleware/metrics';
import { createTestTracer } from '@cruddur/middleware/testing';
import { startStack, type Stack } from './harness.js';

let stack: Stack;
let metrics: Metrics;
const lines: string[] = [];

before(async () => {
  // Segments stay in memory: nothing goes to a daemon's default port.
  setDefaultTracer(createTestTracer({ name: 'cruddur-backend' }).tracer);
  metrics = createMetrics({ service: 'cruddur-backend', namespace: 'Cruddur', output: (line) => lines.push(line), flushIntervalMs: 3_600_000, requestMetrics: false, callMetrics: false }, {});
  stack = await startStack({ metrics });
});
after(async () => {
  await metrics.shutdown();
  await stack.stop();
});

test('MessagesSent and RepliesCreated count what succeeded, nothing for what failed', async () => {
  const sent = await stack.api('POST', '/api/messages', { user: 'garek', body: { handle: 'worf', message: 'Commander, a word?' } });
  assert.equal(sent.status, 200);
  const activity = (await stack.api('POST', '/api/activities', { user: 'bayko', body: { message: 'Me', ttl: '1-day' } })).body as { uuid: string };
  assert.equal((await stack.api('POST', `/api/activities/${activity.uuid}/reply`, { user: 'bayko', body: { message: 'Myself' } })).status, 200);
  const refused = await stack.api('POST', '/api/messages', { user: 'garek', body: { handle: 'worf', message: '' } });
  assert.notEqual(refused.status, 200);

  await metrics.flush();
  const docs = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.equal(docs.length, 1, 'one dimension set, one document');
  assert.equal(docs[0]!.MessagesSent, 1);
  assert.equal(docs[0]!.RepliesCreated, 1);
  assert.equal(docs[0]!.Service, 'cruddur-backend');
});
