// Step 6: log lines carry the trace id, reach CloudWatch Logs (flushed on SIGTERM), name the log
// group on the segment, and have every field the Logs Insights query uses.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCloudWatchLogsServer, startDaemonSink, type CloudWatchLogsServer, type DaemonSink } from '@cruddur/fakes';
import { parsePage } from './markdown.js';
import { LOCAL_AWS, policyActions, SAMPLE_EVERYTHING, snippetPath, startSnippet, waitForSegment, workshopDir, type Exit, type RunningSnippet, stopAllSnippets } from './support.js';

type Entry = Record<string, unknown>;


after(stopAllSnippets);
describe('step 6: CloudWatch Logs with trace correlation', () => {
  let sink: DaemonSink;
  let logs: CloudWatchLogsServer;
  let app: RunningSnippet;
  let traceId: string;
  let exit: Exit;

  before(async () => {
    [sink, logs] = await Promise.all([startDaemonSink(), startCloudWatchLogsServer()]);
    app = await startSnippet('step6-logs.ts', {
      AWS_XRAY_DAEMON_ADDRESS: sink.address,
      CRUDDUR_XRAY_SAMPLING_RULES: SAMPLE_EVERYTHING,
      ...LOCAL_AWS,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: logs.url,
      CRUDDUR_LOG_GROUP: 'cruddur',
      CRUDDUR_LOG_RETENTION_DAYS: '7',
    });
    // Once the start-up line has arrived (the SDK is loaded, the group and the stream exist),
    // as for a service that has been up for a while.
    await logs.waitForEvents(1, 30_000);
    // The request is made by the page's own command line, with the port of this run.
    const page = parsePage(readFileSync(path.join(workshopDir, '06-cloudwatch-logs.md'), 'utf8'));
    const line = page.fences.flatMap((f) => (f.lang === 'sh' ? f.body.split('\n') : [])).find((l) => l.startsWith('TRACE_ID='));
    assert.ok(line, 'the page has a TRACE_ID= command');
    traceId = execFileSync('bash', ['-c', `${line.replace('http://localhost:4567', app.url)}\nprintf %s "$TRACE_ID"`], { encoding: 'utf8' });
    assert.match(traceId, /^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    await waitForSegment(sink, (d) => d.trace_id === traceId);
    // SIGTERM right away: installShutdownFlush must deliver what is still buffered.
    exit = await app.stop('SIGTERM');
  });
  after(async () => {
    await app?.stop();
    await Promise.all([sink?.close(), logs?.close()]);
  });

  const entries = (): Entry[] => logs.events.map((e) => JSON.parse(e.message) as Entry);

  test('SIGTERM flushes the buffered lines, then the process exits 143', () => {
    assert.deepEqual(exit, { code: 143, signal: null });
    assert.ok(
      entries().some((e) => e.message === 'Hello Cloudwatch! from /api/activities/home'),
      `not delivered; calls: ${logs.requests.map((r) => `${r.operation} ${r.status}`).join(', ')}\n${app.stderr()}`,
    );
  });

  test('a line logged in the request carries trace_id, segment_id and sampled', async () => {
    const segment = await waitForSegment(sink, (d) => d.trace_id === traceId);
    const hello = entries().find((e) => e.message === 'Hello Cloudwatch! from /api/activities/home');
    assert.deepEqual(
      { ...hello, timestamp: undefined },
      { timestamp: undefined, level: 'info', service: 'cruddur-backend', trace_id: traceId, segment_id: segment.id, sampled: true, message: 'Hello Cloudwatch! from /api/activities/home', results: 1 },
    );
    // The same JSON line on the console (stdout is not a terminal here).
    assert.ok(app.stdout().split('\n').some((l) => l.includes('"message":"Hello Cloudwatch! from /api/activities/home"') && l.includes(traceId)));
  });

  test('one access line per request; the start-up line has no trace id', () => {
    const access = entries().filter((e) => e.log_type === 'access');
    assert.equal(access.length, 1);
    assert.equal(access[0]?.trace_id, traceId);
    assert.equal(access[0]?.route, '/api/activities/home');
    assert.equal(access[0]?.status, 200);
    assert.equal(access[0]?.level, 'info');
    const startup = entries().find((e) => String(e.message).startsWith('cruddur-backend listening on'));
    assert.ok(startup);
    assert.equal(startup.trace_id, undefined);
  });

  test('group cruddur with retention 7 days, a stream per service, and the segment names the group', async () => {
    const stream = logs.events[0]?.logStreamName ?? '';
    assert.ok(stream.startsWith('cruddur-backend/'), stream);
    assert.ok(logs.events.every((e) => e.logGroupName === 'cruddur'));
    assert.deepEqual(
      logs.requestsFor('PutRetentionPolicy').map((r) => r.body),
      [{ logGroupName: 'cruddur', retentionInDays: 7 }],
    );
    const segment = await waitForSegment(sink, (d) => d.trace_id === traceId);
    assert.deepEqual((segment.aws as { cloudwatch_logs?: unknown } | undefined)?.cloudwatch_logs, [{ log_group: 'cruddur' }]);
    const granted = policyActions();
    for (const op of new Set(logs.requests.map((r) => r.operation))) assert.ok(granted.has(`logs:${op}`), `iam-policy.json lacks logs:${op}`);
  });

  test('every field the Logs Insights queries read (the query file and the page\'s CLI command) is in the lines', () => {
    const page = readFileSync(path.join(workshopDir, '06-cloudwatch-logs.md'), 'utf8');
    const queries = [readFileSync(snippetPath('logs-insights-trace.txt'), 'utf8'), ...[...page.matchAll(/--query-string "([^"]*(?:\\"[^"]*)*)"/g)].map((m) => m[1] ?? '')];
    assert.equal(queries.length, 2);
    const fields = new Set<string>();
    for (const query of queries) {
      for (const m of query.matchAll(/\bfields ([^|\n]+)/g)) for (const f of (m[1] ?? '').split(',')) fields.add(f.trim());
      for (const m of query.matchAll(/\b(?:filter|or|and)\s+([a-z_]+)\s*=/g)) fields.add(m[1] ?? '');
    }
    const hello = entries().find((e) => e.trace_id === traceId && e.log_type === undefined);
    assert.ok(hello);
    for (const field of fields) if (!field.startsWith('@')) assert.ok(field in hello, `the query reads ${field}, which the lines do not have`);
    assert.ok(fields.has('trace_id'));
  });
});
