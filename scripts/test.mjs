// The test command, in steps, each streamed and timed:
//   1. every workspace's typecheck, lint, API-report check (api:check) and tests through turbo, on
//      the machine's Node (the apps' tests run on Node 24, the images' version, through their own
//      scripts: with-node.mjs);
//   2. the library's tests again on the other supported Node versions (node-matrix.mjs);
//   3. the docker compose end-to-end run (compose-e2e.mjs; it skips itself with a message
//      where it cannot run: not root, not Debian).
// It ends with one line per step that sums its tests (turbo alone prints only task counts).
// Arguments go to turbo (e.g. --filter=@cruddur/worker); with arguments, steps 2 and 3 are left
// out, as the run is a partial one. CRUDDUR_NODE_MATRIX=off leaves out step 2,
// CRUDDUR_SKIP_COMPOSE=1 step 3.
import { spawn } from 'node:child_process';
import { NODE_VERSIONS, nodeBinary } from './node-versions.mjs';

const extraArgs = process.argv.slice(2);
const partial = extraArgs.length > 0;
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
const summary = [];

/** Runs a command, streams its output, counts node:test's pass/fail/skipped lines. */
function step(label, command, args) {
  const started = Date.now();
  const counts = { pass: 0, fail: 0, skipped: 0 };
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
    let pending = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const m = /(?:#|ℹ) (pass|fail|skipped) (\d+)\s*$/.exec(line);
        if (m) counts[m[1]] += Number(m[2]);
      }
    });
    child.on('exit', (code, signal) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      const status = code === 0 ? 'ok' : `FAILED (${signal ?? `exit ${code}`})`;
      summary.push(`${label}: ${counts.pass} passed, ${counts.fail} failed, ${counts.skipped} skipped — ${status}, ${seconds} s`);
      resolve(code === 0);
    });
  });
}

let ok = true;
const matrix = !partial && process.env.CRUDDUR_NODE_MATRIX !== 'off';
if (process.env.CRUDDUR_NODE_MATRIX !== 'off') {
  // Fetched up front (once; cached outside the checkout) so a registry problem shows here,
  // not in the middle of a workspace's tests, and the fetch time is visible on its own.
  const started = Date.now();
  try {
    const versions = Object.keys(NODE_VERSIONS).map((major) => nodeBinary(major) && NODE_VERSIONS[major].version);
    summary.push(`Node binaries ${versions.join(', ')}: ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    console.error(`✖ ${err.message}\n(CRUDDUR_NODE_MATRIX=off runs everything on the current Node)`);
    process.exit(1);
  }
}

const appsNode = process.env.CRUDDUR_NODE_MATRIX === 'off' ? process.version : `v${NODE_VERSIONS[24].version}`;
ok = (await step(`turbo typecheck, lint, api:check, test (Node ${process.version}; the apps' tests on Node ${appsNode})`, 'npx', ['turbo', 'run', 'typecheck', 'lint', 'api:check', 'test', '--concurrency=1', ...extraArgs])) && ok;
if (matrix) ok = (await step('@cruddur/middleware tests on the other Node versions', process.execPath, ['scripts/node-matrix.mjs'])) && ok;
else console.log(partial ? '\nNode matrix and compose run left out: partial run (turbo arguments given).' : '\nNode matrix left out: CRUDDUR_NODE_MATRIX=off.');
// Skips itself (exit 0, with the reason) where it cannot run: not root on Debian, tools missing.
if (!partial) ok = (await step('docker compose end to end (npm run test:compose)', process.execPath, ['scripts/compose-e2e.mjs'])) && ok;

console.log(`\n${summary.join('\n')}`);
process.exit(ok ? 0 : 1);
