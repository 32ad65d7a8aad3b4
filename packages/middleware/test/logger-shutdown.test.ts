// Delivery at the end of a process: SIGTERM flushes logs and error reports before exiting, and a
// process that ends on its own still delivers and is never kept alive by the logger.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { startCloudWatchLogsServer, startRollbarServer, type CloudWatchLogsServer, type RollbarServer } from '@cruddur/fakes';

const CHILD = fileURLToPath(new URL('./fixtures/logger-shutdown-child.ts', import.meta.url));

let logs: CloudWatchLogsServer;
let rollbar: RollbarServer;
before(async () => {
  logs = await startCloudWatchLogsServer();
  rollbar = await startRollbarServer();
});
after(async () => {
  await logs.close();
  await rollbar.close();
});

interface Child {
  /** Resolves once the child printed `line`. */
  printed(line: string): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  /** Exit code and signal; rejects if the child is still running after `ms` (then kills it). */
  exited(ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startChild(args: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const check of listeners) check();
  });
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    printed: (line) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (stdout.includes(`${line}\n`)) {
            listeners.delete(check);
            resolve();
          }
        };
        listeners.add(check);
        void exit.then(() => reject(new Error(`child exited before printing ${line}: ${stderr}`)));
        check();
      }),
    kill: (signal) => void child.kill(signal),
    exited: async (ms) => {
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`child still running after ${ms} ms (kept alive?): ${stderr}`));
        }, ms);
      });
      try {
        return await Promise.race([exit, limit]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

test('SIGTERM: all 1,000 lines and the pending error report reach their servers before the process exits', async () => {
  // prepare: the first upload attempts are throttled, so the flush has to retry
  logs.failNext('PutLogEvents', 'throttle', 2);
  const child = startChild([logs.url, 'sigterm', '1000', 'signal', rollbar.itemUrl]);
  await child.printed('ready');
  const before = logs.eventsFor('/cruddur/worker', 'sigterm').length;
  // act
  child.kill('SIGTERM');
  const { code } = await child.exited(20_000);
  // assert
  assert.equal(before, 0, 'nothing was sent before the signal');
  assert.equal(code, 143, 'exits with 128 + SIGTERM');
  const lines = logs.eventsFor('/cruddur/worker', 'sigterm').map((e) => (JSON.parse(e.message) as { i: number }).i);
  assert.deepEqual(lines, Array.from({ length: 1000 }, (_, i) => i));
  assert.equal(rollbar.items.filter((item) => item.accessToken === 'child-token').length, 1);
});

test('a process that ends on its own delivers what it logged and is not kept alive', async () => {
  const child = startChild([logs.url, 'natural', '25', 'natural']);
  const { code } = await child.exited(20_000);
  assert.equal(code, 0);
  assert.equal(logs.eventsFor('/cruddur/worker', 'natural').length, 25);
});

test('a process that ends on its own with CloudWatch unreachable still exits, after a bounded wait', async () => {
  const dead = await startCloudWatchLogsServer();
  await dead.close();
  const child = startChild([dead.url, 'unreachable', '5', 'natural']);
  const { code } = await child.exited(20_000);
  assert.equal(code, 0);
});
