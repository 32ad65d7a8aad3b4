// The lifecycle contract (README-lifecycle.md), one row per component: a child process
// (fixtures/lifecycle-child.ts) builds each one through the public entry points against the fakes
// started here, hands it one item, flushes, shuts it down three times and hands it one more item.
// Asserted per component: flush() delivered the item (seen by the fake, or counted locally where
// nothing leaves the process), no shutdown() rejected, the item after shutdown was dropped and
// counted; and the child exits on its own once everything is shut down (no socket or timer left).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { startCloudWatchLogsServer, startDaemonSink, startOtlpSink, startRollbarServer, startXRayApiServer } from '@cruddur/fakes';

const CHILD = fileURLToPath(new URL('./fixtures/lifecycle-child.ts', import.meta.url));
const EXIT_WITHIN_MS = 20_000;

interface RowResult {
  name: string;
  delivered?: number;
  rejected: string[];
  droppedAfterShutdown: number;
}

test('flush() delivers, shutdown() is idempotent and never rejects, later items are dropped and counted, and nothing keeps the process alive', async (t) => {
  const daemon = await startDaemonSink();
  const otlp = await startOtlpSink();
  const logs = await startCloudWatchLogsServer();
  const rollbar = await startRollbarServer();
  const xray = await startXRayApiServer();
  t.after(async () => {
    await Promise.all([daemon.close(), otlp.close(), logs.close(), rollbar.close(), xray.close()]);
  });

  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (/^(AWS_|OTEL_|CRUDDUR_|ROLLBAR_)/.test(key)) delete env[key];
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, String(daemon.port), otlp.tracesUrl, logs.url, rollbar.itemUrl, xray.url], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const exit = await new Promise<number | null | 'kept alive'>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('kept alive');
    }, EXIT_WITHIN_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  assert.equal(exit, 0, `the child should exit by itself once everything is shut down\nstdout:\n${stdout}\nstderr:\n${stderr}`);

  const rows = new Map(
    stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RowResult)
      .map((row) => [row.name, row]),
  );
  const seenByFakes: Record<string, () => number> = {
    'Tracer + UdpEmitter': () => daemon.documents.length,
    OtlpTraceExporter: () => otlp.spans().length,
    DirectXRayEmitter: () => xray.segments.filter((s) => s.accepted).length,
    'Logger (CloudWatch Logs)': () => logs.eventsFor('/lifecycle', 'logger').length,
    'ErrorReporter (Rollbar)': () => rollbar.items.length,
  };
  const expected: Record<string, number> = { ConsoleEmitter: 1, InMemoryEmitter: 1, FanOutEmitter: 2, Metrics: 1, ...Object.fromEntries(Object.keys(seenByFakes).map((name) => [name, 1])) };
  assert.deepEqual([...rows.keys()].sort(), Object.keys(expected).sort(), 'one row per component');
  for (const [name, row] of rows) {
    await t.test(name, () => {
      const delivered = seenByFakes[name]?.() ?? row.delivered;
      assert.equal(delivered, expected[name], 'flush() delivered the item handed over before it, once');
      assert.deepEqual(row.rejected, [], 'shutdown() twice at once, then again: none rejects');
      // The fan-out hands the item to both of its targets, and each counts its own drop.
      assert.equal(row.droppedAfterShutdown, name === 'FanOutEmitter' ? 2 : 1, 'the item handed over after shutdown() is dropped and counted');
    });
  }
});
