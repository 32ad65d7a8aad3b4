// The library's test suite (@cruddur/middleware's `test` script) on every supported Node other
// than the one running the main test run: Node 22 and Node 24 (the images' version) from the
// cached official builds (node-versions.mjs). Only the tests: type-checking and lint do not
// depend on the Node version, and the main run has done them.
//
//   node scripts/node-matrix.mjs            every pinned major except the current one
//   node scripts/node-matrix.mjs 22         only Node 22
//
// The package's own script runs with the chosen Node's bin/ first on PATH, so its `node` is that
// Node. Each version's output is streamed; a failure is reported with the version it failed on,
// and the exit code is non-zero if any version failed.
import { spawn } from 'node:child_process';
import { dirname, delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { currentMajor, NODE_VERSIONS, nodeBinary } from './node-versions.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(NODE_VERSIONS);
const majors = wanted.map(Number).filter((m) => m !== currentMajor);

function runSuite(binary) {
  return new Promise((resolve) => {
    // CRUDDUR_NODE_MATRIX_RUN lets the checks of the packed tarball, which no Node version
    // changes, run once: in the main run.
    const env = { ...process.env, CRUDDUR_NODE_MATRIX_RUN: binary, PATH: `${dirname(binary)}${delimiter}${process.env.PATH ?? ''}` };
    const child = spawn('npm', ['run', 'test', '-w', '@cruddur/middleware'], { cwd: repoRoot, env, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(signal ?? code));
  });
}

const failures = [];
for (const major of majors) {
  const started = Date.now();
  let binary;
  try {
    binary = nodeBinary(major);
  } catch (err) {
    failures.push(`Node ${major}: could not get the binary (${err.message})`);
    continue;
  }
  const version = `v${NODE_VERSIONS[major].version}`;
  console.log(`\n=== @cruddur/middleware tests on Node ${version} (${binary}) ===`);
  const status = await runSuite(binary);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (status === 0) console.log(`=== Node ${version}: passed (${seconds} s) ===`);
  else {
    console.log(`=== ✖ Node ${version}: @cruddur/middleware tests FAILED (${status}, ${seconds} s) ===`);
    failures.push(`@cruddur/middleware tests failed on Node ${version}`);
  }
}
if (majors.length === 0) console.log(`Node matrix: nothing to run besides the current Node ${process.version}`);
for (const f of failures) console.error(`✖ ${f}`);
process.exit(failures.length > 0 ? 1 : 0);
