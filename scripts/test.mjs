// Runs every workspace's typecheck, lint and tests through turbo, streams the output, and ends
// with one line that sums the tests of all workspaces (turbo alone prints only task counts).
import { spawn } from 'node:child_process';

const args = ['turbo', 'run', 'typecheck', 'lint', 'test', '--concurrency=1', ...process.argv.slice(2)];
const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
let passed = 0;
let failed = 0;
let skipped = 0;
let pending = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  pending += chunk.toString();
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const m = /(?:#|ℹ) (pass|fail|skipped) (\d+)\s*$/.exec(line);
    if (!m) continue;
    const n = Number(m[2]);
    if (m[1] === 'pass') passed += n;
    else if (m[1] === 'fail') failed += n;
    else skipped += n;
  }
});
child.on('exit', (code) => {
  console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code ?? 1);
});
