// Step 11: the page's programs, run as it says in the reader's own project (`node --import
// ./step11-register.mjs step11-app.mjs` and `node step11-cjs.cjs`, with the page's npm install
// line and our packed tarballs), against a real redis-server and the daemon stand-in: the Redis
// commands are subsegments with the names the page shows, and the OpenTelemetry HTTP
// instrumentation loaded beside our Express middleware records nothing. Skipped with a message
// when redis-server is not installed.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { redisServerMissing, startDaemonSink, startRedisServer, type DaemonSink } from '@cruddur/fakes';
import type { SegmentDocument, SubsegmentDocument } from '@cruddur/middleware';
import { request, waitForSegment } from './support.js';
import { userProject } from './user-project.js';

const skip = redisServerMissing();

/** `command` of each Redis subsegment, in order (the page's `get`, `set`…). */
function redisCommands(doc: SegmentDocument | SubsegmentDocument): string[] {
  return (doc.subsegments ?? []).map((s) => {
    assert.equal(s.name, 'redis@127.0.0.1', `only Redis subsegments: ${JSON.stringify(doc.subsegments?.map((x) => x.name))}`);
    assert.equal(s.namespace, 'remote');
    assert.equal(s.sql, undefined);
    return String((s.metadata?.otel as Record<string, unknown> | undefined)?.['db.operation.name']);
  });
}

async function setup(t: TestContext): Promise<{ sink: DaemonSink; env: NodeJS.ProcessEnv; project: string }> {
  const [redis, sink, project] = await Promise.all([startRedisServer(), startDaemonSink(), userProject()]);
  t.after(() => sink.close());
  t.after(() => redis.close());
  // Only what a shell gives: no AWS or X-Ray settings of this machine.
  const env = { PATH: process.env.PATH, REDIS_URL: redis.url, AWS_XRAY_DAEMON_ADDRESS: sink.address, CRUDDUR_XRAY_SAMPLING_RULES: path.join(project, 'sample-everything.json') };
  return { sink, env, project };
}

test('ESM: with --import step11-register.mjs, the app\'s Redis commands are subsegments; the HTTP instrumentation adds nothing', { skip }, async (t) => {
  const { sink, env, project } = await setup(t);
  const app = spawn(process.execPath, ['--import', './step11-register.mjs', 'step11-app.mjs'], {
    cwd: project,
    env: { ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(async () => {
    if (app.exitCode === null) {
      app.kill();
      await once(app, 'exit');
    }
  });
  let output = '';
  app.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  app.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const deadline = Date.now() + 30_000;
  let port: string | undefined;
  while (!(port = /listening on http:\/\/localhost:(\d+)/.exec(output)?.[1])) {
    assert.ok(app.exitCode === null && Date.now() < deadline, `the app did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }

  const miss = await request(`http://127.0.0.1:${port}/api/activities/home`);
  const hit = await request(`http://127.0.0.1:${port}/api/activities/home`);
  assert.equal(miss.status, 200);
  assert.equal(hit.text, miss.text, 'the second read is the cached feed');
  const missSegment = await waitForSegment(sink, (d) => d.trace_id === miss.traceId);
  const hitSegment = await waitForSegment(sink, (d) => d.trace_id === hit.traceId);
  assert.equal(missSegment.name, 'cruddur-backend');
  assert.deepEqual(redisCommands(missSegment), ['get', 'set'], 'a miss: get, then set');
  assert.deepEqual(redisCommands(hitSegment), ['get'], 'a hit: one get');

  // Ours wins: the two segments of our Express middleware are all the app sent; the HTTP
  // instrumentation's server spans would be segments of their own.
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(
    sink.documents.map((d) => (d.document as { trace_id?: string }).trace_id),
    [miss.traceId, hit.traceId],
    'one document per request',
  );
  assert.doesNotMatch(JSON.stringify(sink.documents), /feed:home|Cloud is fun/, 'no Redis key or value in the trace');
});

test('CommonJS: step11-cjs.cjs traces its job as a segment with its Redis commands', { skip }, async (t) => {
  const { sink, env, project } = await setup(t);
  const { stdout } = await promisify(execFile)(process.execPath, ['step11-cjs.cjs'], { cwd: project, env, timeout: 30_000 });
  const traceId = /^trace (1-[0-9a-f]{8}-[0-9a-f]{24})$/m.exec(stdout)?.[1];
  assert.ok(traceId, stdout);
  const segment = await waitForSegment(sink, (d) => d.trace_id === traceId);
  assert.equal(segment.name, 'cruddur-cache-warmer');
  assert.deepEqual(redisCommands(segment), ['set', 'pexpire']);
});
