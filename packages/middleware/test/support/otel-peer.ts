// Starts test/fixtures/otel-service.ts (a service traced by the OpenTelemetry JS SDK) as a child
// process and talks to it over the IPC channel: wait until it listens, ask it to flush its spans.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, FixtureConfig } from '../fixtures/otel-service.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/otel-service.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
// Loading tsx and the SDK on a busy 2-core machine can take several seconds.
const START_TIMEOUT_MS = 60_000;
const FLUSH_TIMEOUT_MS = 30_000;

/** A running OTel peer. */
export interface OtelPeer {
  /** The ports its servers listen on (`http` in chain mode; `express`, `fastify` in compare mode). */
  ports: Record<string, number>;
  /** Resolves once every span ended so far was exported (and answered). */
  flush(): Promise<void>;
  /** Kills the process; safe to call twice. */
  stop(): Promise<void>;
  /** What it wrote to stderr, for failure messages. */
  stderr(): string;
}

function nextMessage(child: ChildProcess, type: ChildMessage['type'], timeoutMs: number, stderr: () => string): Promise<ChildMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`OTel peer: no '${type}' after ${timeoutMs} ms\n${stderr()}`)), timeoutMs);
    const onMessage = (message: ChildMessage) => {
      if (message.type === 'error') finish(new Error(`OTel peer failed: ${message.message}`));
      else if (message.type === type) finish(undefined, message);
    };
    const onExit = (code: number | null) => finish(new Error(`OTel peer exited (${String(code)}) before '${type}'\n${stderr()}`));
    function finish(error: Error | undefined, message?: ChildMessage) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message!);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Forks the fixture with `config` and waits until its servers listen. */
export async function startOtelPeer(config: FixtureConfig): Promise<OtelPeer> {
  let stderrText = '';
  const child = fork(FIXTURE, [JSON.stringify(config)], {
    cwd: PACKAGE_DIR,
    execArgv: ['--import', 'tsx'],
    // The SDK reads OTEL_* variables; the test's own environment must not steer it.
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'test' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderrText = (stderrText + chunk).slice(-8000)));
  const stderr = () => stderrText;
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    })());
  try {
    const ready = await nextMessage(child, 'ready', START_TIMEOUT_MS, stderr);
    if (ready.type !== 'ready') throw new Error('unreachable');
    return {
      ports: ready.ports,
      async flush() {
        const flushed = nextMessage(child, 'flushed', FLUSH_TIMEOUT_MS, stderr);
        child.send({ type: 'flush' });
        await flushed;
      },
      stop,
      stderr,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
