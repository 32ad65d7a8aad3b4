// Every environment variable is read with the same rules, seen through the public entry points
// that read it: the same spellings of true and false, blank as unset, lists split the same way,
// and one typed ConfigError naming the variable and its value for anything else.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startImdsServer, type ImdsServer } from '@cruddur/fakes';
import { centralizedSamplingEnabled, ConfigError, detectEc2, resolveEnvironment, tracesExporterNames, Tracer, type DiagnosticLogger } from '../src/internal.js';
import { createLogger, LoggerConfigError } from '../src/logger/index.js';
import { createMetrics, MetricsConfigError } from '../src/metrics/index.js';

type Env = Record<string, string>;

const TRUE_SPELLINGS = ['true', 'TRUE', 'True', '1', 'yes', 'Yes', 'on', ' ON '];
const FALSE_SPELLINGS = ['false', 'FALSE', '0', 'no', 'No', 'off', ' Off '];
const BLANK = ['', '   '];
const NOT_BOOLEANS = ['maybe', 'enabled', 'y', '2', 'truee'];

/** A tracer that sends nothing and polls nothing, so only the variable under test matters. */
function tracerWith(env: Env, logger?: DiagnosticLogger): Tracer {
  return new Tracer({ emitter: { send: () => undefined }, centralizedSampling: false, ...(logger ? { logger } : {}) }, env);
}

function debugReaches(env: Env): boolean {
  let seen = false;
  const logger: DiagnosticLogger = { debug: () => void (seen = true), info: () => {}, warn: () => {}, error: () => {} };
  tracerWith(env, logger).diagnostics.debug('probe');
  return seen;
}

void describe('one rule set for every environment variable', () => {
  let imds: ImdsServer;
  before(async () => {
    imds = await startImdsServer({ identity: { instanceId: 'i-0cruddur000000001', instanceType: 'm5.large', imageId: 'ami-0cruddur', availabilityZone: 'us-east-1b' } });
  });
  after(async () => {
    await imds.close();
  });

  /** Boolean variables, each through a public entry point that shows its effect, and its default. */
  const booleans: Array<{ name: string; effect: (env: Env) => Promise<boolean> | boolean; unset: boolean }> = [
    { name: 'AWS_XRAY_SDK_ENABLED', effect: (env) => tracerWith(env).enabled, unset: true },
    { name: 'CRUDDUR_XRAY_CENTRALIZED_SAMPLING', effect: (env) => centralizedSamplingEnabled({}, { CRUDDUR_XRAY_EMITTER: 'none', ...env }), unset: false },
    { name: 'AWS_XRAY_DEBUG_MODE', effect: debugReaches, unset: false },
    { name: 'AWS_EC2_METADATA_DISABLED', effect: async (env) => (await detectEc2({ endpoint: imds.url, timeoutMs: 500 }, env)) === undefined, unset: false },
  ];

  for (const { name, effect, unset } of booleans) {
    void it(`${name}: true/1/yes/on and false/0/no/off in any case; blank is unset`, async () => {
      for (const value of TRUE_SPELLINGS) assert.equal(await effect({ [name]: value }), true, `${name}=${JSON.stringify(value)}`);
      for (const value of FALSE_SPELLINGS) assert.equal(await effect({ [name]: value }), false, `${name}=${JSON.stringify(value)}`);
      for (const value of BLANK) assert.equal(await effect({ [name]: value }), unset, `${name}=${JSON.stringify(value)}`);
    });
  }

  /** Every boolean variable, through the entry point that reads it: anything else is refused alike. */
  const refusals: Array<{ name: string; read: (env: Env) => unknown; error: new (...args: never[]) => ConfigError }> = [
    { name: 'AWS_XRAY_SDK_ENABLED', read: (env) => tracerWith(env), error: ConfigError },
    { name: 'AWS_XRAY_DEBUG_MODE', read: (env) => tracerWith(env), error: ConfigError },
    { name: 'CRUDDUR_XRAY_CENTRALIZED_SAMPLING', read: (env) => centralizedSamplingEnabled({}, env), error: ConfigError },
    { name: 'CRUDDUR_ACCESS_LOG', read: (env) => createLogger({ service: 'backend', console: 'off' }, env), error: LoggerConfigError },
    { name: 'CRUDDUR_METRICS_REQUESTS', read: (env) => createMetrics({}, env), error: MetricsConfigError },
    { name: 'CRUDDUR_METRICS_CALLS', read: (env) => createMetrics({}, env), error: MetricsConfigError },
    { name: 'POWERTOOLS_METRICS_DISABLED', read: (env) => createMetrics({}, env), error: MetricsConfigError },
  ];
  for (const { name, read, error } of refusals) {
    void it(`${name}: a value that is not a boolean is a ${error.name} naming the variable and the value`, () => {
      for (const value of NOT_BOOLEANS) {
        assert.throws(
          () => read({ [name]: value }),
          (err: unknown) =>
            err instanceof error &&
            err instanceof ConfigError &&
            err.setting === name &&
            err.value === value &&
            err.message === `${name} is ${JSON.stringify(value)}; expected true or false (also 1/0, yes/no, on/off)`,
          `${name}=${value}`,
        );
      }
    });
  }

  void it('AWS_EC2_METADATA_DISABLED: a value that is not a boolean rejects detectEc2 with a ConfigError', async () => {
    await assert.rejects(detectEc2({ endpoint: imds.url, timeoutMs: 500 }, { AWS_EC2_METADATA_DISABLED: 'maybe' }), (err: unknown) => err instanceof ConfigError && err.setting === 'AWS_EC2_METADATA_DISABLED');
  });

  void it('numbers: decimals within the stated bounds; anything else names the variable, the value and the bounds', () => {
    const cases: Array<{ name: string; read: (env: Env) => unknown; bad: string[]; expected: RegExp; error: new (...args: never[]) => ConfigError }> = [
      { name: 'CRUDDUR_METRICS_FLUSH_INTERVAL_MS', read: (env) => createMetrics({}, env), bad: ['abc', '50', '1e3', '-100', '12ms', '0x100'], expected: /expected a number of milliseconds ≥ 100$/, error: MetricsConfigError },
      {
        name: 'CRUDDUR_LOG_RETENTION_DAYS',
        read: (env) => createLogger({ service: 'backend', console: 'off' }, { CRUDDUR_LOG_GROUP: '/cruddur/backend', ...env }),
        bad: ['x', '7.5', '-7', '7 days'],
        expected: /expected a whole number of days \(one of 1, 3, 5/,
        error: LoggerConfigError,
      },
    ];
    for (const { name, read, bad, expected, error } of cases) {
      for (const value of bad) {
        assert.throws(() => read({ [name]: value }), (err: unknown) => err instanceof error && err.setting === name && err.value === value && expected.test(err.message), `${name}=${value}`);
      }
    }
  });

  void it('lists: comma-separated, items trimmed, empty items skipped, for every list variable', async () => {
    assert.deepEqual(tracerWith({ OTEL_PROPAGATORS: ' tracecontext , ,XRAY ,' }).propagators, ['tracecontext', 'xray']);
    assert.deepEqual(tracesExporterNames({ OTEL_TRACES_EXPORTER: ' Console , ,xray,' }, () => assert.fail('nothing to warn about')), ['console', 'xray']);
    const found = await resolveEnvironment({ env: { CRUDDUR_XRAY_PLUGINS: ' EC2 , ,' }, ec2: { endpoint: imds.url, timeoutMs: 500 } });
    assert.deepEqual(found.found, ['ec2']);
    assert.throws(() => resolveEnvironment({ env: { CRUDDUR_XRAY_PLUGINS: 'ec2, ,gce' } }), (err: unknown) => err instanceof ConfigError && err.setting === 'CRUDDUR_XRAY_PLUGINS');
  });

  void it('choices: any case; anything else names the variable, the value and the choices', () => {
    assert.equal(debugReaches({ AWS_XRAY_LOG_LEVEL: ' DEBUG ' }), true);
    assert.equal(debugReaches({ AWS_XRAY_LOG_LEVEL: 'Info' }), false);
    assert.equal(centralizedSamplingEnabled({}, { CRUDDUR_XRAY_EMITTER: ' Console ' }), false);
    const refused: Array<[Env, (env: Env) => unknown, RegExp]> = [
      [{ AWS_XRAY_LOG_LEVEL: 'verbose' }, tracerWith, /^AWS_XRAY_LOG_LEVEL is "verbose"; expected debug, info, warn, error or silent$/],
      [{ AWS_XRAY_CONTEXT_MISSING: 'quietly' }, tracerWith, /^AWS_XRAY_CONTEXT_MISSING is "quietly"; expected LOG_ERROR, RUNTIME_ERROR or IGNORE_ERROR$/],
      [{ CRUDDUR_XRAY_EMITTER: 'kafka' }, (env) => centralizedSamplingEnabled({}, env), /^CRUDDUR_XRAY_EMITTER is "kafka"; expected udp, console or none$/],
      [{ CRUDDUR_LOG_CONSOLE: 'loud' }, (env) => createLogger({ service: 'backend' }, env), /^CRUDDUR_LOG_CONSOLE is "loud"; expected auto, json, pretty or off$/],
      [{ CRUDDUR_METRICS_OUTPUT: 'kafka' }, (env) => createMetrics({}, env), /^CRUDDUR_METRICS_OUTPUT is "kafka"; expected stdout or off$/],
    ];
    for (const [env, read, message] of refused) assert.throws(() => read(env), (err: unknown) => err instanceof ConfigError && message.test(err.message), JSON.stringify(env));
  });

  void it('OTEL_* variables follow OpenTelemetry instead: a warning naming the variable, then the default', () => {
    const warnings: string[] = [];
    assert.equal(tracesExporterNames({ OTEL_TRACES_EXPORTER: 'zipkin' }, (m) => void warnings.push(m)), undefined, 'the default: the X-Ray daemon');
    assert.deepEqual(tracesExporterNames({ OTEL_TRACES_EXPORTER: 'otlp,zipkin' }, (m) => void warnings.push(m)), ['otlp'], 'unknown names are ignored');
    assert.equal(tracesExporterNames({ OTEL_TRACES_EXPORTER: 'none,otlp' }, (m) => void warnings.push(m)), undefined);
    assert.equal(warnings.length, 3);
    for (const warning of warnings) assert.match(warning, /^OTEL_TRACES_EXPORTER is "[^"]+": /);
  });
});
