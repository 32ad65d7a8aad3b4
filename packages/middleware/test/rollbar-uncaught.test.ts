// Uncaught exceptions and unhandled rejections: reported with their trace, then the process
// exits with code 1 as Node would without the reporter.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { startRollbarServer, type RollbarServer } from '@cruddur/fakes';

const CHILD = fileURLToPath(new URL('./fixtures/rollbar-uncaught-child.ts', import.meta.url));

let rollbar: RollbarServer;
before(async () => {
  rollbar = await startRollbarServer();
});
after(async () => {
  await rollbar.close();
});

function run(kind: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, rollbar.itemUrl, kind], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => void (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => void (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child still running after 20 s: ${stderr}`));
    }, 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

for (const [kind, message, origin] of [
  ['exception', 'uncaught in a request', 'uncaughtException'],
  ['rejection', 'unhandled rejection in a request', 'unhandledRejection'],
] as const) {
  test(`an ${origin} is reported as critical with its trace, then the process exits with code 1`, async () => {
    const { code, stdout, stderr } = await run(kind);
    const traceId = stdout.trim();
    const item = rollbar.items.find((i) => (i.data.custom as { trace_id?: string } | undefined)?.trace_id === traceId);
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(message));
    assert.ok(item, `an item for "${message}"`);
    const data = item.data as { level: string; custom: Record<string, unknown> };
    assert.equal(data.level, 'critical');
    assert.equal(data.custom.origin, origin);
    assert.match(traceId, /^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    assert.equal(data.custom.trace_id, traceId);
  });
}
