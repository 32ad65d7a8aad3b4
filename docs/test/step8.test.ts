// Step 8: segments sent straight to the X-Ray API without a daemon, and the compose set-up the
// page relies on.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { startXRayApiServer } from '@cruddur/fakes';
import { LOCAL_AWS, policyActions, readRepoFile, request, SAMPLE_EVERYTHING, startSnippet, XRAY_API_ACTIONS, stopAllSnippets } from './support.js';


after(stopAllSnippets);
describe('step 8: docker compose and shipping to AWS', () => {
  test('without a daemon: PutTraceSegments, flushed when the process is stopped', async () => {
    const api = await startXRayApiServer();
    try {
      const app = await startSnippet('step8-direct.ts', { ...LOCAL_AWS, AWS_ENDPOINT_URL_XRAY: api.url, CRUDDUR_XRAY_SAMPLING_RULES: SAMPLE_EVERYTHING });
      // The first request leaves with the batch timer (and loads the X-Ray client)…
      const first = await request(`${app.url}/api/activities/home`);
      await api.waitForSegments((s) => s.raw.includes(first.traceId ?? '-'), 30_000);
      // …the second is still waiting for company when the process is stopped.
      const res = await request(`${app.url}/api/activities/home`);
      assert.equal(res.status, 200);
      const exit = await app.stop('SIGTERM');
      assert.deepEqual(exit, { code: 143, signal: null });
      assert.deepEqual(
        api.segments.flatMap((s) => s.violations),
        [],
      );
      const received = api.segments.map((s) => JSON.parse(s.raw) as { trace_id: string; name: string });
      assert.deepEqual(
        received.filter((d) => d.trace_id === res.traceId).map((d) => d.name),
        ['cruddur-backend'],
      );
      assert.deepEqual(
        [...new Set(api.requests.map((r) => r.path))],
        ['/TraceSegments'],
        'no daemon, so no sampling-rule calls',
      );
      for (const r of api.requests) assert.ok(policyActions().has(XRAY_API_ACTIONS[r.path] ?? r.path), `iam-policy.json lacks the action for ${r.path}`);
    } finally {
      await api.close();
    }
  });

  test('compose: the aws profile runs the real daemon in local mode; XRAY_DAEMON and CRUDDUR_LOG_GROUP reach both services', () => {
    const compose = readRepoFile('docker-compose.yml');
    const daemon = /\n {2}xray-daemon:\n([\s\S]*?)(?=\n {2}\S|\n\S|$)/.exec(compose)?.[1] ?? '';
    assert.match(daemon, /profiles: \["aws"\]/);
    assert.match(daemon, /image: amazon\/aws-xray-daemon/);
    assert.match(daemon, /command: \["-o"\]/);
    assert.match(daemon, /AWS_REGION: \$\{AWS_REGION/);
    assert.match(compose, /AWS_XRAY_DAEMON_ADDRESS: \$\{XRAY_DAEMON:-trace-viewer:2000\}/);
    assert.match(compose, /CRUDDUR_LOG_GROUP: \$\{CRUDDUR_LOG_GROUP:-\}/);
    assert.match(compose, /AWS_ENDPOINT_URL_DYNAMODB: /);
    assert.doesNotMatch(compose, /AWS_ENDPOINT_URL: /, 'the general endpoint variable would send X-Ray and CloudWatch Logs calls to DynamoDB Local');
    for (const service of ['cruddur-backend', 'worker']) {
      const block = new RegExp(`\\n {2}${service}:\\n([\\s\\S]*?)(?=\\n {2}\\S|\\n\\S|$)`).exec(compose)?.[1] ?? '';
      assert.match(block, /<<: \*aws-env/, `${service} gets the shared AWS, X-Ray, logs and Rollbar settings`);
    }
  });
});
