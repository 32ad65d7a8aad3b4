// The command: flag parsing, exit codes, banner, printed trees and clean shutdown.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parseArgs, UsageError } from '../src/args.js';
import { Sender, twoServiceTrace } from './fixtures.js';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

function run(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '' } });
}

async function finish(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

void describe('parseArgs', () => {
  void it('maps every flag to an option', () => {
    const parsed = parseArgs([
      '--udp-port', '0', '--http-port=0', '--host', '127.0.0.1', '--max-traces', '50',
      '--forward', 'localhost:2100', '--finish-after', '250', '--no-web', '--quiet', '--no-color', '--otlp-port', 'off',
    ]);
    assert.deepEqual(parsed, {
      command: 'run',
      options: { udpPort: 0, httpPort: 0, host: '127.0.0.1', maxTraces: 50, forward: { host: 'localhost', port: 2100 }, finishAfterMs: 250, web: false, otlpPort: 'off' },
      quiet: true,
      color: false,
    });
    assert.deepEqual(parseArgs([]), { command: 'run', options: {}, quiet: false, color: undefined });
    assert.deepEqual(parseArgs(['--help']), { command: 'help' });
    assert.deepEqual(parseArgs(['--otlp-port=0']), { command: 'run', options: { otlpPort: 0 }, quiet: false, color: undefined });
  });

  void it('names the flag and the value it cannot accept', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--udp-port', 'abc'], /^--udp-port: expected a port number 0-65535, got "abc"$/],
      [['--http-port', '70000'], /^--http-port: expected a port number 0-65535, got "70000"$/],
      [['--max-traces', '0'], /^--max-traces: expected a whole number from 1 to 1000000, got "0"$/],
      [['--max-traces', '-5'], /^--max-traces: .*got "-5"$/],
      [['--forward', 'nowhere'], /^--forward: expected host:port .*got "nowhere"$/],
      [['--host', 'a b'], /^--host: expected an IP address or host name, got "a b"$/],
      [['--udp-port'], /^--udp-port: missing value$/],
      [['--otlp-port', 'on'], /^--otlp-port: expected a port number 0-65535 or "off", got "on"$/],
      [['--otlp-port', '65536'], /^--otlp-port: expected a port number 0-65535 or "off", got "65536"$/],
      [['--udp-port', '--quiet'], /^--udp-port: missing value$/],
      [['--quiet=yes'], /^--quiet: takes no value, got "yes"$/],
      [['--verbose'], /^unknown flag "--verbose"$/],
      [['serve'], /^unexpected argument "serve"$/],
    ];
    for (const [argv, message] of cases) {
      assert.throws(() => parseArgs(argv), (error: unknown) => error instanceof UsageError && message.test(error.message), argv.join(' '));
    }
  });
});

void describe('cruddur-traces', () => {
  void it('exits with code 2 and names the bad flag', async () => {
    const { code, stderr, stdout } = await finish(run(['--udp-port', 'nope']));
    assert.equal(code, 2);
    assert.match(stderr, /--udp-port: expected a port number 0-65535, got "nope"/);
    assert.equal(stdout, '');
  });

  void it('starts on free ports, prints the URLs, prints finished traces, and stops cleanly on SIGTERM', async () => {
    const child = run(['--udp-port', '0', '--http-port', '0', '--otlp-port', '0', '--finish-after', '50']);
    const result = finish(child);
    let banner = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        banner += chunk.toString();
        if (banner.includes('Ctrl-C')) resolve();
      });
      child.once('exit', () => reject(new Error(`exited early: ${banner}`)));
    });
    const udp = /udp:\/\/127\.0\.0\.1:(\d+)/.exec(banner);
    const web = /web view {2}(http:\/\/127\.0\.0\.1:\d+\/)/.exec(banner);
    assert.ok(udp && web, banner);
    assert.match(banner, new RegExp(`AWS_XRAY_DAEMON_ADDRESS=127\\.0\\.0\\.1:${udp[1]}`));
    const otlp = /otlp {6}(http:\/\/127\.0\.0\.1:(\d+)\/v1\/traces) {2}\(OTEL_EXPORTER_OTLP_ENDPOINT=http:\/\/127\.0\.0\.1:(\d+)\)/.exec(banner);
    assert.ok(otlp && otlp[2] === otlp[3] && otlp[2] !== '4318', banner);
    const exported = await fetch(otlp[1]!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceSpans":[]}' });
    assert.equal(exported.status, 200);
    assert.equal(await exported.text(), '{}');

    const response = await fetch(`${web[1]}api/stats`);
    assert.equal(response.status, 200);

    const sender = new Sender(Number(udp[1]));
    const t = twoServiceTrace();
    await sender.sendAll([t.bDynamo, t.b, t.a]);
    await sender.close();
    let printed = '';
    await new Promise<void>((resolve) => {
      const onData = (chunk: Buffer): void => {
        printed += chunk.toString();
        if (printed.includes('└─ render')) {
          child.stdout!.off('data', onData);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
    });
    child.kill('SIGTERM');
    const { code, stdout, stderr } = await result;
    assert.equal(code, 0);
    assert.match(stdout, new RegExp(`trace ${t.traceId}`));
    assert.ok(!stdout.includes('\u001b['), 'plain text when stdout is not a terminal');
    assert.match(stderr, /stopped \(SIGTERM\), 3 datagrams received/);
  });

  void it('exits with code 1 when the port is taken', async () => {
    const sender = run(['--udp-port', '0', '--otlp-port', '0', '--no-web', '--quiet']);
    let banner = '';
    await new Promise<void>((resolve) => {
      sender.stderr!.on('data', (chunk: Buffer) => {
        banner += chunk.toString();
        if (banner.includes('Ctrl-C')) resolve();
      });
    });
    const port = /udp:\/\/127\.0\.0\.1:(\d+)/.exec(banner)![1]!;
    const second = await finish(run(['--udp-port', port, '--otlp-port', 'off', '--no-web']));
    assert.equal(second.code, 1);
    assert.match(second.stderr, /cannot start: .*EADDRINUSE/);
    const otlpPort = /otlp {6}http:\/\/127\.0\.0\.1:(\d+)\//.exec(banner)![1]!;
    const third = await finish(run(['--udp-port', '0', '--otlp-port', otlpPort, '--no-web']));
    assert.equal(third.code, 1);
    assert.match(third.stderr, new RegExp(`cannot start: .*EADDRINUSE.*:${otlpPort}`));
    sender.kill('SIGINT');
    const [code] = (await once(sender, 'exit')) as [number | null];
    assert.equal(code, 0);
  });
});
