// Step 3: capture() subsegments with metadata and annotations, the user, and what happens
// outside a request under each AWS_XRAY_CONTEXT_MISSING value.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDaemonSink, type DaemonSink } from '@cruddur/fakes';
import { addAnnotation, runWithEntity } from '@cruddur/middleware';
import { createTestTracer } from '@cruddur/middleware/testing';
import { allSubsegments, findSubsegment, request, runSnippet, SAMPLE_EVERYTHING, startSnippet, waitForSegment, type RunningSnippet, stopAllSnippets } from './support.js';

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;


after(stopAllSnippets);
describe('step 3: subsegments, annotations and metadata', () => {
  let sink: DaemonSink;
  let app: RunningSnippet;

  before(async () => {
    sink = await startDaemonSink();
    app = await startSnippet('step3-app.ts', { AWS_XRAY_DAEMON_ADDRESS: sink.address, CRUDDUR_XRAY_SAMPLING_RULES: SAMPLE_EVERYTHING });
  });
  after(async () => {
    await app?.stop();
    await sink?.close();
  });

  test('user activities: mock-data inside activities_users, with {now, results-size} metadata, both closed once', async () => {
    const res = await request(`${app.url}/api/activities/@andrewbrown`);
    assert.equal(res.status, 200);
    const results = JSON.parse(res.text) as unknown[];
    const segment = await waitForSegment(sink, (d) => d.trace_id === res.traceId);
    assert.deepEqual(
      segment.subsegments?.map((s) => s.name),
      ['activities_users'],
    );
    const route = segment.subsegments?.[0];
    assert.deepEqual(
      route?.subsegments?.map((s) => s.name),
      ['mock-data'],
    );
    const mock = findSubsegment(segment, 'mock-data');
    const metadata = mock?.metadata?.default?.user_activities as { now: string; 'results-size': number } | undefined;
    assert.match(metadata?.now ?? '', ISO_TIME);
    assert.equal(metadata?.['results-size'], results.length);
    for (const sub of allSubsegments(segment)) {
      assert.equal(sub.in_progress, undefined, `${sub.name} is still in progress`);
      assert.ok(sub.end_time !== undefined && sub.end_time >= sub.start_time);
    }
    // Nested in time as in the tree: the child never outlives its parent.
    assert.ok((mock?.end_time ?? Infinity) <= (route?.end_time ?? 0));
    assert.ok((route?.end_time ?? Infinity) <= (segment.end_time ?? 0));
    assert.equal(sink.documents.filter((d) => (d.document as { trace_id?: string }).trace_id === res.traceId).length, 1, 'one document per request');
  });

  test('home activities: annotations app_now and app_result_length; the user on the segment', async () => {
    const res = await request(`${app.url}/api/activities/home`, { headers: { 'X-Cruddur-User': 'bayko' } });
    const results = JSON.parse(res.text) as unknown[];
    const segment = await waitForSegment(sink, (d) => d.trace_id === res.traceId);
    assert.equal(segment.user, 'bayko');
    const block = findSubsegment(segment, 'home-activities-mock-data');
    assert.match(String(block?.annotations?.app_now), ISO_TIME);
    assert.equal(block?.annotations?.app_result_length, results.length);
    assert.ok(block?.end_time !== undefined);
  });

  test('an annotation key with a dot is dropped, as the page says', () => {
    const { tracer } = createTestTracer();
    const segment = tracer.beginSegment({ name: 'check', sampled: true });
    runWithEntity(segment, () => {
      assert.equal(addAnnotation('app.now', 'x'), false);
      assert.equal(addAnnotation('app_now', 'x'), true);
    });
  });

  test('outside a request: LOG_ERROR logs once and goes on, RUNTIME_ERROR throws, IGNORE_ERROR is silent', async () => {
    const [logged, thrown, ignored] = await Promise.all([
      runSnippet('step3-context-missing.ts', {}),
      runSnippet('step3-context-missing.ts', { AWS_XRAY_CONTEXT_MISSING: 'RUNTIME_ERROR' }),
      runSnippet('step3-context-missing.ts', { AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR' }),
    ]);
    const message = 'addAnnotation: no segment in the current context. This code runs outside a traced request';
    assert.equal(logged.code, 0);
    assert.equal(logged.stdout, 'recorded: false\n');
    assert.ok(logged.stderr.startsWith(`[@cruddur/middleware] ${message}`), logged.stderr);
    assert.equal(thrown.code, 0);
    assert.ok(thrown.stdout.startsWith(`thrown: ${message}`), thrown.stdout);
    assert.equal(thrown.stderr, '');
    assert.equal(ignored.code, 0);
    assert.equal(ignored.stdout, 'recorded: false\n');
    assert.equal(ignored.stderr, '');
  });
});
