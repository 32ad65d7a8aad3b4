// The demo's parts on their own: log capture, arguments, the services' environment, start-up failures.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { describe, test } from 'node:test';
import { acceptsConnections, freePort } from '@cruddur/fakes';
import { parseDemoArgs, UsageError } from '../src/args.js';
import { LogBuffer, formatLogLine, lineSplitter, parseLogLine, traceIdOf } from '../src/logs.js';
import { PortInUseError, serviceEnvironment, startStack } from '../src/stack.js';
import { rootTraceId } from '../src/tour.js';

async function listening(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function portOf(server: Server): number {
  return (server.address() as { port: number }).port;
}

void describe('log capture', () => {
  void test('lines split across chunks, CRLF, empty lines; a runaway line is cut', () => {
    const lines: string[] = [];
    const split = lineSplitter((l) => lines.push(l), 10);
    split.write('{"a":1}\n{"b"');
    split.write(':2}\r\n\n0123456789abcdef');
    split.write('ghij\nnext\n');
    split.write('tail');
    split.end();
    assert.deepEqual(lines, ['{"a":1}', '{"b":2}', '0123456789', 'next', 'tail']);
  });

  void test('JSON objects are parsed, anything else kept raw; trace ids read from trace_id', () => {
    const json = parseLogLine('cruddur-worker', '{"level":"info","trace_id":"1-6b04aca9-11445468197c34ce65e4659c","message":"hi"}');
    assert.equal(traceIdOf(json), '1-6b04aca9-11445468197c34ce65e4659c');
    for (const raw of ['plain text', '[1,2]', '{"broken"', '{"trace_id":7}']) assert.equal(traceIdOf(parseLogLine('x', raw)), undefined, raw);
    assert.equal(parseLogLine('x', '[1,2]').entry, undefined);
  });

  void test('the buffer keeps the newest lines and counts the dropped ones', () => {
    const buffer = new LogBuffer(3);
    for (let i = 0; i < 5; i++) buffer.push(parseLogLine('s', String(i)));
    assert.deepEqual(
      buffer.lines().map((l) => l.raw),
      ['2', '3', '4'],
    );
    assert.equal(buffer.dropped, 2);
    assert.throws(() => new LogBuffer(0), RangeError);
  });

  void test('one readable line per entry: time, service, level, message, segment, other fields (access lines without them)', () => {
    const entry = {
      timestamp: '2025-01-02T03:04:05.678Z',
      level: 'warn',
      service: 'cruddur-backend',
      trace_id: '1-6b04aca9-11445468197c34ce65e4659c',
      segment_id: '8afdd41d836c6b7f',
      message: 'worker call failed',
      path: '/internal/moderate',
    };
    assert.equal(
      formatLogLine(parseLogLine('cruddur-backend', JSON.stringify(entry))),
      '03:04:05.678 cruddur-backend warn  worker call failed [segment 8afdd41d836c6b7f]  {"path":"/internal/moderate"}',
    );
    const access = { ...entry, level: 'info', message: 'GET /x 200 1 ms', log_type: 'access', status: 200 };
    assert.equal(formatLogLine(parseLogLine('cruddur-backend', JSON.stringify(access))), '03:04:05.678 cruddur-backend info  GET /x 200 1 ms [segment 8afdd41d836c6b7f]');
    assert.equal(formatLogLine(parseLogLine('cruddur-worker', 'not json')), 'cruddur-worker  not json');
  });
});

void describe('arguments and environment', () => {
  void test('defaults are the documented ports; flags win over environment variables; 0 is allowed', () => {
    assert.deepEqual(parseDemoArgs([], {}, false), { ports: { backend: 4567, worker: 4568, tracesUdp: 2000, tracesHttp: 2001 }, once: false, color: false, help: false });
    const args = parseDemoArgs(['--backend-port', '0', '--udp-port=3000', '--once'], { CRUDDUR_DEMO_BACKEND_PORT: '9', CRUDDUR_DEMO_TRACES_WEB_PORT: '3001' }, true);
    assert.deepEqual(args.ports, { backend: 0, worker: 4568, tracesUdp: 3000, tracesHttp: 3001 });
    assert.equal(args.once, true);
    assert.equal(args.color, true);
    assert.equal(parseDemoArgs(['--no-color'], {}, true).color, false);
    assert.equal(parseDemoArgs([], { NO_COLOR: '1' }, true).color, false);
  });

  void test('bad values and unknown flags are usage errors naming them', () => {
    assert.throws(() => parseDemoArgs(['--worker-port', '70000'], {}, false), { name: 'UsageError', message: /--worker-port is "70000"/ });
    assert.throws(() => parseDemoArgs([], { CRUDDUR_DEMO_TRACES_UDP_PORT: '-1' }, false), { message: /CRUDDUR_DEMO_TRACES_UDP_PORT is "-1"/ });
    assert.throws(() => parseDemoArgs(['--port', '1'], {}, false), UsageError);
  });

  void test("the services' environment: nothing of the parent's AWS, Rollbar, log or test-runner settings", () => {
    const env = serviceEnvironment(
      {
        PATH: '/bin',
        AWS_PROFILE: 'prod',
        AWS_SESSION_TOKEN: 'secret',
        AWS_ENDPOINT_URL: 'https://example.com',
        ROLLBAR_ACCESS_TOKEN: 'real',
        CRUDDUR_LOG_GROUP: 'cruddur',
        OTEL_SERVICE_NAME: 'x',
        npm_package_version: '9.9.9',
        NODE_TEST_CONTEXT: 'child-v8',
      },
      { PORT: '1234' },
    );
    assert.deepEqual(env, {
      PATH: '/bin',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_EC2_METADATA_DISABLED: 'true',
      CRUDDUR_XRAY_CENTRALIZED_SAMPLING: 'false',
      CRUDDUR_LOG_CONSOLE: 'json',
      PORT: '1234',
    });
  });

  void test('trace ids from X-Amzn-Trace-Id', () => {
    assert.equal(rootTraceId('Root=1-6b04aca9-11445468197c34ce65e4659c;Parent=8afdd41d836c6b7f;Sampled=1'), '1-6b04aca9-11445468197c34ce65e4659c');
    assert.equal(rootTraceId('Sampled=1;Root=1-6b04aca9-11445468197c34ce65e4659c'), '1-6b04aca9-11445468197c34ce65e4659c');
    assert.equal(rootTraceId(null), undefined);
    assert.equal(rootTraceId('Root=garbage'), undefined);
  });
});

void describe('start-up failures', () => {
  void test('a taken port is named before anything starts', async () => {
    const held = await listening();
    try {
      await assert.rejects(startStack({ backendPort: 0, workerPort: portOf(held), tracesUdpPort: 0, tracesHttpPort: 0 }), (error: unknown) => {
        assert.ok(error instanceof PortInUseError);
        assert.equal(error.role, 'worker');
        assert.equal(error.port, portOf(held));
        assert.match(error.message, new RegExp(`^port ${portOf(held)} on 127\\.0\\.0\\.1 \\(worker API \\(TCP\\)\\) is already in use$`));
        return true;
      });
    } finally {
      await new Promise((resolve) => held.close(resolve));
    }
  });

  void test('a service that cannot start: the error shows its output, and everything started is stopped', async () => {
    const [backendPort, workerPort, webPort] = [await freePort(), await freePort(), await freePort()];
    await assert.rejects(
      startStack({ backendPort, workerPort, tracesUdpPort: 0, tracesHttpPort: webPort, env: { CRUDDUR_LOG_CONSOLE: 'loud' }, startTimeoutMs: 15_000 }),
      /cruddur-(backend|worker) exited \(code 1\) before it was ready; last output:[\s\S]*CRUDDUR_LOG_CONSOLE is "loud"/,
    );
    for (const port of [backendPort, workerPort, webPort]) assert.equal(await acceptsConnections(port), false, `port ${port} released`);
  });
});
