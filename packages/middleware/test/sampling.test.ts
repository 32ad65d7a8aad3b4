import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LocalSampler, loadSamplingRulesFile, parseTraceHeader, SamplingRulesError, Tracer, validateSamplingRules, wildcardMatch } from '../src/internal.js';

test('wildcards: * any run, ? one character, case-insensitive', () => {
  assert.ok(wildcardMatch('*', ''));
  assert.ok(wildcardMatch('/api/*', '/api/activities/home'));
  assert.ok(wildcardMatch('/API/*/home', '/api/activities/home'));
  assert.ok(wildcardMatch('*.example.com', 'api.EXAMPLE.com'));
  assert.ok(wildcardMatch('GE?', 'GET'));
  assert.ok(!wildcardMatch('GE?', 'GETS'));
  assert.ok(!wildcardMatch('/api/*/x', '/api/a/y'));
  assert.ok(wildcardMatch('a*b*c', 'aXXbYYbZc'));
  assert.ok(!wildcardMatch('a*b*c', 'aXXbYYbZ'));
  assert.ok(wildcardMatch('**', 'anything'));
});

test('the default rule samples one request a second, then 5 %', () => {
  let now = 1_000_000;
  let r = 0;
  const randoms = [0.01, 0.5, 0.049, 0.06];
  const sampler = new LocalSampler(undefined, { now: () => now, random: () => randoms[r++ % randoms.length]! });
  assert.equal(sampler.shouldSample({}).sampled, true, 'reservoir');
  assert.equal(sampler.shouldSample({}).sampled, true, 'rate 0.01 < 0.05');
  assert.equal(sampler.shouldSample({}).sampled, false, 'rate 0.5');
  assert.equal(sampler.shouldSample({}).sampled, true, '0.049');
  assert.equal(sampler.shouldSample({}).sampled, false, '0.06');
  now += 1000;
  assert.equal(sampler.shouldSample({}).sampled, true, 'a new second refills the reservoir');
});

test('rules: first match wins, default last, missing attributes match', () => {
  const sampler = new LocalSampler(
    validateSamplingRules({
      version: 2,
      rules: [
        { description: 'health', host: '*', http_method: 'GET', url_path: '/api/health-check', fixed_target: 0, rate: 0 },
        { host: 'api.*', http_method: '*', url_path: '/api/*', fixed_target: 2, rate: 0 },
      ],
      default: { fixed_target: 0, rate: 1 },
    }),
    { now: () => 5000, random: () => 0.5 },
  );
  assert.equal(sampler.shouldSample({ host: 'x', method: 'GET', urlPath: '/api/health-check' }).sampled, false);
  assert.equal(sampler.shouldSample({ host: 'api.cruddur', method: 'POST', urlPath: '/api/activities' }).sampled, true);
  assert.equal(sampler.shouldSample({ host: 'api.cruddur', method: 'POST', urlPath: '/api/activities' }).sampled, true);
  assert.equal(sampler.shouldSample({ host: 'api.cruddur', method: 'POST', urlPath: '/api/activities' }).sampled, false, 'fixed target 2 used up, rate 0');
  assert.equal(sampler.shouldSample({ host: 'other', method: 'GET', urlPath: '/x' }).sampled, true, 'default rate 1');
});

test('version 1 files match service_name against the Host header, as the official SDKs do', () => {
  const rules = validateSamplingRules({ version: 1, rules: [{ service_name: 'worker.*', http_method: '*', url_path: '*', fixed_target: 0, rate: 0 }], default: { fixed_target: 0, rate: 1 } });
  assert.equal(rules.rules?.[0]?.host, 'worker.*');
  const sampler = new LocalSampler(rules);
  assert.equal(sampler.shouldSample({ host: 'worker.cruddur', serviceName: 'backend', urlPath: '/' }).sampled, false);
  assert.equal(sampler.shouldSample({ host: 'api.cruddur', serviceName: 'worker.cruddur', urlPath: '/' }).sampled, true, 'the segment name plays no part');
});

test('bad rules files fail at start-up naming the file, field, value and what was expected', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rules-'));
  const file = join(dir, 'rules.json');
  const cases: Array<[unknown, RegExp]> = [
    [{ version: 3, default: { fixed_target: 1, rate: 0.1 } }, /"version" is 3; expected 1 or 2/],
    [{ version: 2 }, /"default" is missing/],
    [{ version: 2, default: { fixed_target: 1, rate: 1.5 } }, /"default.rate" is 1.5; expected a number between 0 and 1/],
    [{ version: 2, default: { fixed_target: -1, rate: 0.1 } }, /"default.fixed_target" is -1/],
    [{ version: 2, default: { fixed_target: 1, rate: 0.1, host: '*' } }, /"default.host"/],
    [{ version: 2, rules: [{ host: '*', http_method: '*', fixed_target: 1, rate: 0.1 }], default: { fixed_target: 1, rate: 0.1 } }, /"rules\[0\].url_path" is missing/],
    [{ version: 2, rules: [{ service_name: 'x', host: '*', http_method: '*', url_path: '*', fixed_target: 1, rate: 0.1 }], default: { fixed_target: 1, rate: 0.1 } }, /"rules\[0\].service_name"/],
  ];
  for (const [json, pattern] of cases) {
    writeFileSync(file, JSON.stringify(json));
    assert.throws(() => loadSamplingRulesFile(file), (err: unknown) => err instanceof SamplingRulesError && err.message.includes(file) && pattern.test(err.message), JSON.stringify(json));
  }
  writeFileSync(file, '{ not json');
  assert.throws(() => new Tracer({ samplingRules: file, emitter: { send: () => undefined } }, {}), /not valid JSON/);
  assert.throws(() => loadSamplingRulesFile(join(dir, 'missing.json')), /cannot be read/);
});

test('an upstream decision always wins; Sampled=? asks for an answer', () => {
  const never = new Tracer({ samplingRules: { version: 2, default: { fixed_target: 0, rate: 0 } }, emitter: { send: () => undefined } }, {});
  const root = '1-5759e988-bd862e3fe1be46a994272793';
  assert.deepEqual(never.decide(parseTraceHeader(`Root=${root};Sampled=1`), {}), { sampled: true, answerRequested: false });
  assert.deepEqual(never.decide(parseTraceHeader(`Root=${root};Sampled=?`), {}), { sampled: false, answerRequested: true });
  const always = new Tracer({ samplingRules: { version: 2, default: { fixed_target: 0, rate: 1 } }, emitter: { send: () => undefined } }, {});
  assert.deepEqual(always.decide(parseTraceHeader(`Root=${root};Sampled=0`), {}), { sampled: false, answerRequested: false });
  assert.deepEqual(always.decide(parseTraceHeader(undefined), {}), { sampled: true, answerRequested: false });
});

test('AWS_XRAY_SDK_ENABLED=false samples nothing', () => {
  const off = new Tracer({}, { AWS_XRAY_SDK_ENABLED: 'false' });
  assert.equal(off.decide(parseTraceHeader(undefined), {}).sampled, false);
});
