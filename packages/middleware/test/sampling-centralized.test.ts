import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startXRayApiServer, type SamplingRuleInput, type XRayApiServer } from '@cruddur/fakes';
import {
  beginIncomingRequest,
  CentralizedSampler,
  centralizedSamplingEnabled,
  Diagnostics,
  endIncomingRequest,
  InMemoryEmitter,
  LocalSampler,
  parseSamplingRules,
  Tracer,
  type CentralizedSamplerOptions,
  type DiagnosticEvent,
  type SamplingRequest,
} from '../src/internal.js';
import { eventually, manualClock, type ManualClock } from './support/sampling-clock.js';

// The workshop's rules, exactly as the repo ships them for `aws xray create-sampling-rule`.
const CRUDDUR = readRule('xray-sampling-rule.json');
const CRUDDUR_WORKER = readRule('xray-sampling-rule-worker.json');
/** An AWS account's built-in rule, made silent so any sampled request is someone else's doing. */
const QUIET_DEFAULT: SamplingRuleInput = { RuleName: 'Default', FixedRate: 0, ReservoirSize: 0 };
/** Local fallback that samples everything and never names a rule: easy to tell apart. */
const SAMPLE_ALL_LOCALLY = new LocalSampler({ version: 2, rules: [], default: { fixed_target: 0, rate: 1 } });
const BACKEND: SamplingRequest = { serviceName: 'cruddur-backend', method: 'GET', urlPath: '/api/activities/home', host: 'localhost:4567' };
const silent = new Diagnostics(undefined, 'silent');

function readRule(file: string): SamplingRuleInput {
  const text = readFileSync(new URL(`../../../aws/json/${file}`, import.meta.url), 'utf8');
  return (JSON.parse(text) as { SamplingRule: SamplingRuleInput }).SamplingRule;
}

/** A regression that loops or hangs fails the test instead of stalling the run. */
const LIMIT = { timeout: 25_000 };

let server: XRayApiServer;
let clock: ManualClock;
const samplers: CentralizedSampler[] = [];

function centralized(options: Partial<CentralizedSamplerOptions> = {}): CentralizedSampler {
  const sampler = new CentralizedSampler({
    proxy: { host: server.host, port: server.port },
    fallback: SAMPLE_ALL_LOCALLY,
    diagnostics: silent,
    now: clock.now,
    random: () => 0.999,
    autoStart: false,
    requestTimeoutMs: 400,
    ...options,
  });
  samplers.push(sampler);
  return sampler;
}

/** Decides `n` requests and counts the sampled ones. */
function sampleMany(sampler: CentralizedSampler, n: number, request: SamplingRequest = BACKEND): number {
  let sampled = 0;
  for (let i = 0; i < n; i++) if (sampler.shouldSample(request).sampled) sampled++;
  return sampled;
}

before(async () => {
  server = await startXRayApiServer({ samplingRules: [CRUDDUR, QUIET_DEFAULT] });
});

beforeEach(() => {
  clock = manualClock();
  server.setSamplingRules([CRUDDUR, QUIET_DEFAULT]);
  server.setSamplingTargets(undefined);
  server.clearFaults();
  server.clear();
  if (!server.isUp) return server.comeBack();
});

after(async () => {
  for (const s of samplers) s.shutdown();
  await server.close();
});

void describe('rules from GetSamplingRules', () => {
  void test("the workshop's Cruddur rule governs cruddur-backend only; other services fall to Default", LIMIT, async () => {
    const sampler = centralized();
    assert.equal(await sampler.refreshRules(), true);
    assert.deepEqual(
      sampler.rules.map((r) => r.ruleName),
      ['Cruddur', 'Default'],
    );
    assert.deepEqual(
      sampler.rules[0],
      { ruleName: 'Cruddur', priority: 9000, fixedRate: 0.1, reservoirSize: 5, reservoirQuota: undefined, reservoirQuotaTtl: undefined },
      'the shipped rule file: priority 9000, rate 0.1, reservoir 5',
    );
    const backend = sampler.shouldSample(BACKEND);
    assert.deepEqual(backend, { sampled: true, ruleName: 'Cruddur' }, 'borrowed: ReservoirSize 5 > 0 and no quota yet');
    assert.equal(sampler.shouldSample({ ...BACKEND, serviceName: 'CRUDDUR-BACKEND' }).ruleName, 'Cruddur', 'patterns are case-insensitive');
    const worker = sampler.shouldSample({ ...BACKEND, serviceName: 'cruddur-worker' });
    assert.deepEqual(worker, { sampled: false, ruleName: 'Default' });
    assert.equal(sampler.shouldSample({ ...BACKEND, serviceName: 'cruddur-backend-v2' }).ruleName, 'Default', 'the name is matched whole');

    server.setSamplingRules([CRUDDUR, CRUDDUR_WORKER, QUIET_DEFAULT]);
    await sampler.refreshRules();
    assert.equal(sampler.shouldSample({ ...BACKEND, serviceName: 'cruddur-worker' }).ruleName, 'CruddurWorker', "the worker's own rule file");
    assert.equal(sampler.shouldSample(BACKEND).ruleName, 'Cruddur');
  });

  void test('the sampled segment records aws.xray.sampling_rule_name through the tracer', LIMIT, async () => {
    const sampler = centralized();
    await sampler.refreshRules();
    const emitter = new InMemoryEmitter();
    const tracer = new Tracer({ sampler, emitter, name: 'cruddur-backend', logLevel: 'silent' }, {});
    const trace = beginIncomingRequest(
      tracer,
      { method: 'GET', url: '/api/activities/home?x=1', headers: { host: 'localhost:4567' }, remoteAddress: '127.0.0.1', encrypted: false },
      {},
    );
    endIncomingRequest(trace, { status: 200 });
    const [doc] = emitter.segments;
    assert.ok(doc, 'the request was sampled (borrowed) and emitted');
    const xray = doc.aws?.xray as Record<string, unknown> | undefined;
    assert.equal(xray?.sampling_rule_name, 'Cruddur');
    assert.equal(xray?.rule_name, undefined, 'not the Node SDK key');
  });

  void test('order: priority, then name, Default last; unusable rules are ignored', LIMIT, async () => {
    server.setSamplingRules([
      { RuleName: 'Default', Priority: 1, FixedRate: 0, ReservoirSize: 0 },
      { RuleName: 'b-rule', Priority: 50, ServiceName: 'svc' },
      { RuleName: 'a-rule', Priority: 50, ServiceName: 'svc' },
      { RuleName: 'first', Priority: 10, ServiceName: 'svc', URLPath: '/first/*' },
      { RuleName: 'with-attributes', Priority: 1, Attributes: { tenant: 'x' } },
      { RuleName: 'with-arn', Priority: 1, ResourceARN: 'arn:aws:ecs:us-east-1:123456789012:service/x' },
      { RuleName: 'version-2', Priority: 1, Version: 2 },
    ]);
    const sampler = centralized();
    assert.equal(await sampler.refreshRules(), true);
    assert.deepEqual(
      sampler.rules.map((r) => r.ruleName),
      ['first', 'a-rule', 'b-rule', 'Default'],
    );
    assert.equal(sampler.shouldSample({ serviceName: 'svc', urlPath: '/first/x' }).ruleName, 'first');
    assert.equal(sampler.shouldSample({ serviceName: 'svc', urlPath: '/other' }).ruleName, 'a-rule');
    assert.equal(sampler.shouldSample({ serviceName: 'else' }).ruleName, 'Default', 'Default only when nothing else matched, despite priority 1');
  });

  void test('ServiceType matches the origin the environment plugins set', LIMIT, async () => {
    server.setSamplingRules([{ RuleName: 'ec2-only', Priority: 5, ServiceType: 'AWS::EC2::Instance' }, QUIET_DEFAULT]);
    const sampler = centralized();
    await sampler.refreshRules();
    assert.equal(sampler.shouldSample({ serviceName: 'x', serviceType: 'AWS::EC2::Instance' }).ruleName, 'ec2-only');
    assert.equal(sampler.shouldSample({ serviceName: 'x', serviceType: 'AWS::ECS::Container' }).ruleName, 'Default');
  });

  void test('parseSamplingRules rejects bodies that are not a rules answer', LIMIT, () => {
    assert.equal(parseSamplingRules({ foo: 1 }), undefined);
    assert.equal(parseSamplingRules('x'), undefined);
    const parsed = parseSamplingRules({ SamplingRuleRecords: [{ SamplingRule: { RuleName: 'r', Version: 1, ResourceARN: '*', Priority: 1, FixedRate: 2 } }] });
    assert.deepEqual(parsed?.rules, []);
    assert.match(parsed?.ignored[0]?.reason ?? '', /FixedRate/);
  });
});

void describe('reservoir, borrowing and statistics', () => {
  void test('borrowing: one request a second before any quota, only for rules with a reservoir', LIMIT, async () => {
    server.setSamplingRules([CRUDDUR, { RuleName: 'no-reservoir', Priority: 1, ServiceName: 'cruddur-worker', FixedRate: 0, ReservoirSize: 0 }, QUIET_DEFAULT]);
    const sampler = centralized();
    await sampler.refreshRules();
    assert.equal(sampleMany(sampler, 20), 1, 'one borrowed in the first second');
    clock.advance(999);
    assert.equal(sampleMany(sampler, 20), 0, 'still the same second');
    clock.advance(1);
    assert.equal(sampleMany(sampler, 20), 1, 'a new second, one more borrowed');
    assert.equal(sampleMany(sampler, 20, { ...BACKEND, serviceName: 'cruddur-worker' }), 0, 'ReservoirSize 0 never borrows');
  });

  void test('the quota is honoured exactly per second, statistics report it and reset each report', LIMIT, async () => {
    const sampler = centralized();
    await sampler.refreshRules();
    server.setSamplingTargets([{ RuleName: 'Cruddur', FixedRate: 0, ReservoirQuota: 3, ReservoirQuotaTTL: clock.seconds() + 60, Interval: 10 }]);
    assert.equal(sampleMany(sampler, 4), 1, 'borrowed one before the quota');
    assert.equal(await sampler.reportStatistics(), true);

    const [first] = server.samplingStatistics;
    assert.ok(first);
    assert.equal(first.RuleName, 'Cruddur');
    assert.equal(first.ClientID, sampler.clientId);
    assert.match(first.ClientID, /^[0-9a-f]{24}$/);
    assert.deepEqual([first.RequestCount, first.SampledCount, first.BorrowCount], [4, 1, 1]);
    assert.equal(first.Timestamp, clock.seconds(), 'epoch seconds, not milliseconds');
    assert.deepEqual(
      sampler.rules.find((r) => r.ruleName === 'Cruddur'),
      { ruleName: 'Cruddur', priority: 9000, fixedRate: 0, reservoirSize: 5, reservoirQuota: 3, reservoirQuotaTtl: clock.seconds() + 60 },
    );

    clock.advance(1000);
    assert.equal(sampleMany(sampler, 10), 3, 'quota 3 in this second');
    clock.advance(500);
    assert.equal(sampleMany(sampler, 10), 0, 'same second: the quota is used up');
    clock.advance(500);
    assert.equal(sampleMany(sampler, 2), 2);
    assert.equal(sampleMany(sampler, 10), 1);

    assert.equal(await sampler.reportStatistics(), true);
    const second = server.samplingStatistics[1];
    assert.ok(second);
    assert.deepEqual([second.RequestCount, second.SampledCount, second.BorrowCount], [32, 6, 0], 'only what happened since the last report');
    assert.equal(server.samplingStatistics.length, 2);
    assert.equal(await sampler.reportStatistics(), true);
    assert.equal(server.samplingStatistics.length, 2, 'nothing matched since: nothing reported');
  });

  void test('the fixed rate from the target applies once the quota is used up', LIMIT, async () => {
    const randoms = [0.05, 0.5];
    let i = 0;
    const sampler = centralized({ random: () => randoms[i++ % 2] as number });
    await sampler.refreshRules();
    server.setSamplingTargets([{ RuleName: 'Cruddur', FixedRate: 0.2, ReservoirQuota: 0, ReservoirQuotaTTL: clock.seconds() + 60 }]);
    sampleMany(sampler, 1);
    await sampler.reportStatistics();
    clock.advance(1000);
    assert.equal(sampleMany(sampler, 10), 5, 'quota 0, then 0.05 < 0.2 samples and 0.5 does not');
  });

  void test('TTL expiry: an expired quota falls back to borrowing', LIMIT, async () => {
    const sampler = centralized();
    await sampler.refreshRules();
    server.setSamplingTargets([{ RuleName: 'Cruddur', FixedRate: 0, ReservoirQuota: 4, ReservoirQuotaTTL: clock.seconds() + 5 }]);
    sampleMany(sampler, 1);
    await sampler.reportStatistics();
    clock.advance(1000);
    assert.equal(sampleMany(sampler, 10), 4);
    clock.advance(4000);
    assert.equal(sampleMany(sampler, 10), 4, 'the TTL second itself still counts');
    clock.advance(1000);
    assert.equal(sampleMany(sampler, 10), 1, 'expired: borrow one a second');
  });

  void test('more than 25 reporting rules go out in several SamplingTargets calls', LIMIT, async () => {
    const many: SamplingRuleInput[] = Array.from({ length: 30 }, (_, n) => ({ RuleName: `r${String(n).padStart(2, '0')}`, Priority: n + 1, ServiceName: `svc${n}` }));
    server.setSamplingRules([...many, QUIET_DEFAULT]);
    const sampler = centralized();
    await sampler.refreshRules();
    for (let n = 0; n < 30; n++) sampler.shouldSample({ serviceName: `svc${n}` });
    assert.equal(await sampler.reportStatistics(), true, 'the fake refuses calls with more than 25 documents');
    assert.equal(server.requestsFor('SamplingTargets').length, 2);
    assert.equal(server.samplingStatistics.length, 30);
  });
});

void describe('rule changes and an unreachable proxy', () => {
  void test('a LastRuleModification newer than the rules refreshes them at once', LIMIT, async () => {
    const sampler = centralized();
    await sampler.refreshRules();
    sampleMany(sampler, 1);
    server.setSamplingRules([{ ...CRUDDUR, ServiceName: 'cruddur-*' }, QUIET_DEFAULT]);
    server.setLastRuleModification(clock.seconds() - 60);
    await sampler.reportStatistics();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(server.requestsFor('GetSamplingRules').length, 1, 'an older modification time triggers nothing');

    sampleMany(sampler, 1);
    server.setLastRuleModification(clock.seconds() + 1);
    await sampler.reportStatistics();
    await eventually(() => server.requestsFor('GetSamplingRules').length === 2, 'the rules refresh');
    await eventually(() => sampler.shouldSample({ serviceName: 'cruddur-worker' }).ruleName === 'Cruddur', 'the changed rule to apply');
  });

  void test('proxy never reachable: the local rules decide, quietly', LIMIT, async () => {
    const closed = await unusedPort();
    const events: DiagnosticEvent[] = [];
    const sampler = centralized({ proxy: { host: '127.0.0.1', port: closed }, diagnostics: new Diagnostics({ debug: () => {}, info: () => {}, warn: (m) => events.push({ level: 'warn', message: m }), error: (m) => events.push({ level: 'error', message: m }) }, 'debug') });
    assert.equal(await sampler.refreshRules(), false);
    assert.equal(sampler.usingCentralRules, false);
    assert.deepEqual(sampler.shouldSample(BACKEND), { sampled: true }, 'the local fallback, no rule name');
    assert.deepEqual(events, [], 'no warning or error for a proxy that is simply absent');
  });

  void test('proxy down → central rules until the cache is an hour old, then local; proxy back → central again', LIMIT, async () => {
    const sampler = centralized();
    assert.equal(await sampler.refreshRules(), true);
    await server.goDown();
    assert.equal(await sampler.refreshRules(), false);
    assert.equal(sampler.shouldSample(BACKEND).ruleName, 'Cruddur', 'rules fetched minutes ago still hold');
    clock.advance(59 * 60_000);
    assert.equal(sampler.shouldSample(BACKEND).ruleName, 'Cruddur');
    clock.advance(60_000);
    assert.equal(sampler.usingCentralRules, false);
    assert.deepEqual(sampler.shouldSample(BACKEND), { sampled: true }, 'an hour without rules: the local fallback');
    assert.equal(await sampler.refreshRules(), false);

    await server.comeBack();
    assert.equal(await sampler.refreshRules(), true);
    assert.equal(sampler.usingCentralRules, true);
    assert.equal(sampler.shouldSample(BACKEND).ruleName, 'Cruddur');
  });

  void test('garbage, HTTP 500 and a hanging proxy are failures, never exceptions', LIMIT, async () => {
    const sampler = centralized({ requestTimeoutMs: 200 });
    for (const kind of ['garbage', '500', 'hang'] as const) {
      server.failNext('GetSamplingRules', kind);
      assert.equal(await sampler.refreshRules(), false, kind);
      assert.equal(sampler.usingCentralRules, false, kind);
    }
    assert.equal(await sampler.refreshRules(), true, 'recovers on the next good answer');
    sampleMany(sampler, 1);
    server.failNext('SamplingTargets', 'garbage');
    assert.equal(await sampler.reportStatistics(), false);
    assert.equal(sampler.usingCentralRules, true, 'a failed report leaves the rules alone');
  });

  void test('shutdown cancels a call in flight and stops polling', LIMIT, async () => {
    const sampler = centralized({ requestTimeoutMs: 30_000 });
    server.failNext('GetSamplingRules', 'hang');
    const pending = sampler.refreshRules();
    await eventually(() => server.requestsFor('GetSamplingRules').length === 1, 'the request to arrive');
    sampler.shutdown();
    assert.equal(await pending, false);
    assert.equal(await sampler.refreshRules(), false, 'no polling after shutdown');
    assert.equal(server.requestsFor('GetSamplingRules').length, 1);
  });
});

void describe('wiring into the tracer', () => {
  void test('on by default; off for a sampler, an explicit emitter, console/none emitters, Lambda, or when asked', LIMIT, () => {
    assert.equal(centralizedSamplingEnabled({}, {}), true);
    assert.equal(centralizedSamplingEnabled({ sampler: SAMPLE_ALL_LOCALLY, centralizedSampling: true }, {}), false);
    assert.equal(centralizedSamplingEnabled({ emitter: new InMemoryEmitter() }, {}), false);
    assert.equal(centralizedSamplingEnabled({ emitter: new InMemoryEmitter(), centralizedSampling: true }, {}), true);
    assert.equal(centralizedSamplingEnabled({}, { CRUDDUR_XRAY_EMITTER: 'console' }), false);
    assert.equal(centralizedSamplingEnabled({}, { AWS_LAMBDA_FUNCTION_NAME: 'fn' }), false);
    assert.equal(centralizedSamplingEnabled({}, { CRUDDUR_XRAY_CENTRALIZED_SAMPLING: 'false' }), false);
    assert.equal(centralizedSamplingEnabled({ centralizedSampling: true }, { CRUDDUR_XRAY_CENTRALIZED_SAMPLING: 'false' }), true, 'the option wins');
    assert.equal(centralizedSamplingEnabled({ emitter: new InMemoryEmitter() }, { CRUDDUR_XRAY_CENTRALIZED_SAMPLING: 'on' }), true);
    assert.throws(() => centralizedSamplingEnabled({}, { CRUDDUR_XRAY_CENTRALIZED_SAMPLING: 'maybe' }), /CRUDDUR_XRAY_CENTRALIZED_SAMPLING is "maybe"; expected true or false/);
  });

  void test('a default tracer polls the daemon TCP address lazily and shutdown() stops it', LIMIT, async () => {
    const emitter = new InMemoryEmitter();
    const tracer = new Tracer(
      { name: 'cruddur-backend', logLevel: 'silent', emitter, centralizedSampling: true, samplingRules: { version: 2, rules: [], default: { fixed_target: 0, rate: 1 } } },
      { AWS_XRAY_DAEMON_ADDRESS: `tcp:${server.address} udp:127.0.0.1:2000` },
    );
    const sampler = tracer.sampler;
    assert.ok(sampler instanceof CentralizedSampler);
    assert.equal(server.requestsFor('GetSamplingRules').length, 0, 'nothing polls before the first decision');
    assert.deepEqual(sampler.shouldSample(BACKEND), { sampled: true }, 'the first decision is local while the rules load');
    await eventually(() => sampler.usingCentralRules, 'the rules to load');
    assert.equal(sampler.shouldSample(BACKEND).ruleName, 'Cruddur');
    await tracer.shutdown();
    assert.equal(await sampler.refreshRules(), false, 'stopped');
    assert.equal(new Tracer({ logLevel: 'silent', emitter }, {}).sampler instanceof CentralizedSampler, false, 'an explicit emitter means no daemon');
  });

  void test('its timers and sockets never keep a process alive', LIMIT, async () => {
    // A child decides against a proxy that never answers and does not shut down: it must exit by
    // itself. One sampler's call timeout is longer than the test's patience, so only unref'd
    // sockets and timers let the child exit in time.
    server.failNext('GetSamplingRules', 'hang', 2);
    const script = `
      import { CentralizedSampler, Diagnostics, Tracer } from ${JSON.stringify(new URL('../src/internal.ts', import.meta.url).href)};
      const tracer = new Tracer({ logLevel: 'silent' }, { AWS_XRAY_DAEMON_ADDRESS: 'tcp:${server.address} udp:127.0.0.1:9', CRUDDUR_XRAY_EMITTER: 'udp' });
      tracer.sampler.shouldSample({ serviceName: 'x' });
      const patient = new CentralizedSampler({ proxy: { host: '${server.host}', port: ${server.port} }, requestTimeoutMs: 120000, diagnostics: new Diagnostics(undefined, 'silent') });
      patient.shouldSample({ serviceName: 'x' });
      setTimeout(() => console.log('decided'), 300);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error('the child process did not exit: something kept it alive'));
      }, 20_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.equal(code, 0);
    assert.match(out, /decided/);
    await eventually(() => server.requestsFor('GetSamplingRules').length >= 2, 'both samplers in the child to have polled');
  });
});

function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe: Server = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
