// Step 5: local rules from the page's file and from code, a broken rules file, and the rules
// of aws/json/ served through the daemon's sampling proxy.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startDaemonSink, startXRayApiServer, type DaemonSink, type SamplingRuleInput, type XRayApiServer } from '@cruddur/fakes';
import { delay, policyActions, readRepoFile, request, runSnippet, segments, snippetPath, startSnippet, waitForSegment, XRAY_API_ACTIONS, type RunningSnippet, stopAllSnippets } from './support.js';

/** Sends three health checks then one home request: only the home request may be traced. */
async function healthChecksAreNotSampled(sink: DaemonSink, app: RunningSnippet): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const health = await request(`${app.url}/api/health-check`);
    assert.equal(health.status, 200);
    assert.ok(health.traceId, 'an unsampled request still has a trace id');
  }
  const home = await request(`${app.url}/api/activities/home`);
  await waitForSegment(sink, (d) => d.trace_id === home.traceId);
  await delay(100);
  assert.deepEqual(
    segments(sink).filter((d) => d.http?.request?.url === `${app.url}/api/health-check`),
    [],
  );
}


after(stopAllSnippets);
describe('step 5: sampling rules and groups', () => {
  let sink: DaemonSink;
  let api: XRayApiServer;
  let fromFile: RunningSnippet;
  let inCode: RunningSnippet;
  let backend: RunningSnippet;
  let worker: RunningSnippet;

  before(async () => {
    const rules = ['xray-sampling-rule.json', 'xray-sampling-rule-worker.json'].map(
      (f) => (JSON.parse(readRepoFile(`aws/json/${f}`)) as { SamplingRule: SamplingRuleInput }).SamplingRule,
    );
    [sink, api] = await Promise.all([startDaemonSink(), startXRayApiServer({ samplingRules: rules })]);
    const local = { AWS_XRAY_DAEMON_ADDRESS: sink.address };
    // The daemon's two ports: TCP answers the sampling API, UDP receives segments.
    const daemon = { AWS_XRAY_DAEMON_ADDRESS: `tcp:${api.address} udp:${sink.address}` };
    [fromFile, inCode, backend, worker] = await Promise.all([
      startSnippet('step1-express.ts', { ...local, CRUDDUR_XRAY_SAMPLING_RULES: snippetPath('local-sampling-rules.json') }),
      startSnippet('step5-sampling.ts', local),
      startSnippet('step1-express.ts', daemon),
      startSnippet('step1-fastify.ts', daemon),
    ]);
  });
  after(async () => {
    await Promise.all([fromFile, inCode, backend, worker].map((app) => app?.stop()));
    await Promise.all([sink?.close(), api?.close()]);
  });

  test('a local rules file (CRUDDUR_XRAY_SAMPLING_RULES): health checks never, the first home request each second', async () => {
    await healthChecksAreNotSampled(sink, fromFile);
  });

  test('rules in code (createTracer({ samplingRules }))', async () => {
    await healthChecksAreNotSampled(sink, inCode);
  });

  test('a broken rules file stops the service at start-up, naming the field, the value and what was expected', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'workshop-rules-'));
    try {
      const file = path.join(dir, 'rules.json');
      writeFileSync(file, JSON.stringify({ version: 2, rules: [{ host: '*', http_method: '*', url_path: '*', fixed_target: 1, rate: 2 }], default: { fixed_target: 1, rate: 0.1 } }));
      const result = await runSnippet('step1-express.ts', { PORT: '0', CRUDDUR_XRAY_SAMPLING_RULES: file });
      assert.notEqual(result.code, 0);
      assert.ok(result.stderr.includes('"rules[0].rate" is 2; expected a number between 0 and 1'), result.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the rules of aws/json/ reach both services through the daemon, which names them in each segment', async () => {
    const sampledByRule = async (app: RunningSnippet, send: () => Promise<{ traceId: string | undefined }>, rule: string): Promise<void> => {
      // The first request starts the polling (the local rules decide it); once the rules are in,
      // the rule's reservoir samples the next one.
      await send();
      for (let i = 0; i < 100 && api.requestsFor('GetSamplingRules').length === 0; i++) await delay(20);
      await delay(300);
      const res = await send();
      const segment = await waitForSegment(sink, (d) => d.trace_id === res.traceId);
      assert.equal((segment.aws?.xray as { sampling_rule_name?: string } | undefined)?.sampling_rule_name, rule, `${app.url} was not sampled by ${rule}`);
    };
    await sampledByRule(backend, () => request(`${backend.url}/api/activities/home`), 'Cruddur');
    await sampledByRule(worker, () => request(`${worker.url}/internal/moderate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"message":"hi"}' }), 'CruddurWorker');
    const needed = new Set(api.requests.map((r) => XRAY_API_ACTIONS[r.path] ?? r.path));
    const granted = policyActions();
    for (const action of needed) assert.ok(granted.has(action), `iam-policy.json lacks ${action}`);
  });
});
