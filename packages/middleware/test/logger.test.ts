// The logger without the network: trace fields inside and outside a request, the JSON line,
// scrubbing, the access log from the request-end channel, settings and their errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { beginIncomingRequest, endIncomingRequest, setIncomingRoute } from '../src/internal.js';
import { createLogger, LoggerConfigError } from '../src/logger/index.js';
import { defaultStreamName } from '../src/logger/stream-name.js';
import { createTestTracer } from '../src/testing/index.js';
import { CaptureTransport } from './support/logger-capture.js';

function quietLogger(options: { accessLog?: boolean } = {}) {
  const logger = createLogger({ service: 'backend', console: 'off', cloudwatch: false, accessLog: options.accessLog ?? false }, {});
  const capture = new CaptureTransport();
  logger.add(capture);
  return { logger, capture };
}

test('inside a request every entry carries trace_id, segment_id and sampled; outside none of them', async () => {
  // prepare
  const { tracer, emitter } = createTestTracer();
  const { logger, capture } = quietLogger();
  const segment = tracer.beginSegment({ name: 'backend' });
  // act
  logger.info('before');
  await tracer.run(segment, async () => {
    logger.info('in segment');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await tracer.capture('db', async (sub) => {
      await Promise.resolve();
      logger.warn('in subsegment', { table: 'activities' });
      assert.ok(sub);
    });
  });
  segment.close();
  await logger.shutdown();
  // assert
  const [before, inSegment, inSub] = capture.entries;
  assert.deepEqual(Object.keys(before!), ['timestamp', 'level', 'service', 'message'], 'no trace keys at all outside a request');
  const doc = emitter.segments[0]!;
  assert.equal(inSegment!.trace_id, doc.trace_id);
  assert.equal(inSegment!.segment_id, doc.id);
  assert.equal(inSegment!.sampled, true);
  assert.equal(inSub!.trace_id, doc.trace_id, 'across await, inside a subsegment');
  assert.equal(inSub!.segment_id, doc.subsegments![0]!.id, 'segment_id names the current subsegment');
  assert.deepEqual(Object.keys(inSub!).slice(0, 7), ['timestamp', 'level', 'service', 'trace_id', 'segment_id', 'sampled', 'message']);
  assert.equal(inSub!.table, 'activities');
  assert.equal(inSegment!.service, 'backend');
});

test('an unsampled request still puts its trace id on entries, with sampled false', () => {
  const { tracer } = createTestTracer();
  const { logger, capture } = quietLogger();
  const segment = tracer.beginSegment({ name: 'backend', sampled: false });
  tracer.run(segment, () => logger.info('quiet'));
  assert.equal(capture.entries[0]!.trace_id, segment.traceId);
  assert.equal(capture.entries[0]!.sampled, false);
});

test('secrets are scrubbed from messages, fields and errors by the shared policy', () => {
  const { logger, capture } = quietLogger();
  const error = new Error('cannot connect to postgres://app:pa55word@db:5432/cruddur');
  logger.error('login failed', {
    password: 'hunter2',
    headers: { authorization: 'Bearer abc.def.ghi', cookie: 'sid=s3cr3t', accept: 'json' },
    url: '/callback?token=t0k3n&page=2',
    error,
  });
  logger.info('api_key=AKIA0123456789ABCDEF sent');
  const text = capture.lines.join('\n');
  for (const secret of ['hunter2', 'abc.def.ghi', 's3cr3t', 't0k3n', 'pa55word', 'AKIA0123456789ABCDEF']) {
    assert.equal(text.includes(secret), false, `${secret} leaked: ${text}`);
  }
  const entry = capture.entries[0]!;
  assert.equal(entry.password, '[REDACTED]');
  assert.deepEqual(entry.headers, { authorization: '[REDACTED]', cookie: '[REDACTED]', accept: 'json' });
  assert.match(String((entry.error as { message: string }).message), /postgres:\/\/app:\[REDACTED\]@db/);
  assert.match(String((entry.error as { stack: string }).stack), /^Error: cannot connect/);
});

test('values JSON cannot hold do not break an entry', () => {
  const { logger, capture } = quietLogger();
  const cyclic: Record<string, unknown> = { name: 'loop' };
  cyclic.self = cyclic;
  logger.info('odd values', { cyclic, big: 12345678901234567890n, fn: () => 1 });
  const entry = capture.entries[0]!;
  assert.deepEqual(entry.cyclic, { name: 'loop', self: '[Circular]' });
  assert.equal(entry.big, '12345678901234567890');
});

test('each finished request writes one access-log entry with its trace id', async () => {
  // prepare
  const { tracer, emitter } = createTestTracer();
  const { logger, capture } = quietLogger({ accessLog: true });
  const trace = beginIncomingRequest(
    tracer,
    { method: 'GET', url: '/api/activities/@andrew?token=x', headers: { host: 'localhost', 'user-agent': 'curl/8', 'x-forwarded-for': '203.0.113.9' }, remoteAddress: '127.0.0.1', encrypted: false },
    {},
  );
  setIncomingRoute(trace, '/api/activities/@:handle');
  // act
  endIncomingRequest(trace, { status: 201, contentLength: 42 });
  await logger.shutdown();
  endIncomingRequest(beginIncomingRequest(tracer, { method: 'GET', url: '/after', headers: {}, remoteAddress: undefined, encrypted: false }, {}), { status: 200 });
  // assert
  assert.equal(capture.entries.length, 1, 'one line, and none after shutdown');
  const line = capture.entries[0]!;
  assert.deepEqual(
    { ...line, timestamp: undefined, duration_ms: undefined, segment_id: undefined },
    {
      timestamp: undefined,
      level: 'info',
      service: 'backend',
      trace_id: emitter.segments[0]!.trace_id,
      segment_id: undefined,
      sampled: true,
      message: `GET /api/activities/@andrew 201 ${String(line.duration_ms)} ms`,
      log_type: 'access',
      method: 'GET',
      route: '/api/activities/@:handle',
      path: '/api/activities/@andrew',
      status: 201,
      duration_ms: undefined,
      content_length: 42,
      user_agent: 'curl/8',
      client_ip: '203.0.113.9',
    },
  );
  assert.equal(line.segment_id, emitter.segments[0]!.id);
  assert.equal(typeof line.duration_ms, 'number');
});

test('the access log can be turned off by option or environment', () => {
  const { tracer } = createTestTracer();
  const off = createLogger({ service: 's', console: 'off', cloudwatch: false }, { CRUDDUR_ACCESS_LOG: 'false' });
  const capture = new CaptureTransport();
  off.add(capture);
  endIncomingRequest(beginIncomingRequest(tracer, { method: 'GET', url: '/', headers: {}, remoteAddress: undefined, encrypted: false }, {}), { status: 200 });
  assert.equal(capture.lines.length, 0);
  void off.shutdown();
});

test('settings come from options first, then the environment, and bad ones fail at start-up', () => {
  const env = { CRUDDUR_LOG_GROUP: '/cruddur/backend', CRUDDUR_LOG_LEVEL: 'debug', AWS_REGION: 'eu-west-2', CRUDDUR_LOG_RETENTION_DAYS: '14' };
  const { tracer } = createTestTracer();
  const fromEnv = createLogger({ service: 'backend', console: 'off', tracer, cloudwatch: { client: undefined } }, env);
  assert.equal(fromEnv.level, 'debug');
  assert.equal(fromEnv.cloudwatch?.logGroup, '/cruddur/backend');
  assert.match(fromEnv.cloudwatch!.logStream, /^backend\/[^/:*]+\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\/\d+-[0-9a-f]{6}$/);
  void fromEnv.shutdown();
  const fromOptions = createLogger({ service: 'backend', console: 'off', level: 'warn', tracer, cloudwatch: { logGroup: '/other', logStream: 'fixed' } }, env);
  assert.equal(fromOptions.level, 'warn');
  assert.equal(fromOptions.cloudwatch?.logGroup, '/other');
  assert.equal(fromOptions.cloudwatch?.logStream, 'fixed');
  void fromOptions.shutdown();
  const off = createLogger({ service: 'b', console: 'off', cloudwatch: false }, env);
  assert.equal(off.cloudwatch, undefined, 'false wins over the environment');
  void off.shutdown();
  assert.throws(() => createLogger({ service: 'b', console: 'off' }, { ...env, CRUDDUR_LOG_RETENTION_DAYS: '10' }), (err: unknown) => err instanceof LoggerConfigError && /CRUDDUR_LOG_RETENTION_DAYS is "10"; expected one of 1, 3, 5/.test(err.message));
  assert.throws(() => createLogger({ service: 'b', console: 'off', cloudwatch: { logGroup: 'g', logStream: 'a:b' } }, {}), /cloudwatch.logStream is "a:b"/);
  assert.throws(() => createLogger({ service: '', console: 'off' }, {}), /service is ""/);
  assert.throws(() => createLogger({ service: 'b' }, { CRUDDUR_LOG_CONSOLE: 'loud' }), /CRUDDUR_LOG_CONSOLE is "loud"; expected auto, json, pretty or off/);
  assert.notEqual(defaultStreamName('svc'), defaultStreamName('svc'), 'parallel instances get distinct streams');
});
