// Runs node with the given arguments under another Node major (fetched once, see
// node-versions.mjs), so a package script can pin the Node it is tested on:
//
//   node ../../scripts/with-node.mjs 24 --import tsx --test test/*.test.ts
//
// The apps' tests use it: they run on the Node of their Docker images. The chosen Node's bin/
// goes first on PATH, so anything the tests start as plain `node` runs on it too, and the exit
// status names the version when the command fails.
// CRUDDUR_NODE_MATRIX=off runs on the current Node instead (offline, or not linux-x64).
import { execFileSync, spawn } from 'node:child_process';
import { dirname, delimiter } from 'node:path';
import { nodeBinary } from './node-versions.mjs';

const [major, ...args] = process.argv.slice(2);
if (!/^\d+$/.test(major ?? '') || args.length === 0) {
  console.error('usage: node scripts/with-node.mjs <major> <node arguments>...');
  process.exit(2);
}

let binary = process.execPath;
if (process.env.CRUDDUR_NODE_MATRIX === 'off') {
  console.warn(`CRUDDUR_NODE_MATRIX=off: running on the current Node ${process.version}, not Node ${major}`);
} else {
  try {
    binary = nodeBinary(major);
  } catch (err) {
    console.error(`Cannot get Node ${major}: ${err.message}\n(CRUDDUR_NODE_MATRIX=off runs on the current Node instead)`);
    process.exit(1);
  }
}

const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
const env = { ...process.env, PATH: `${dirname(binary)}${delimiter}${process.env.PATH ?? ''}` };
const child = spawn(binary, args, { stdio: 'inherit', env });
// Forward Ctrl-C / turbo's stop to the child rather than leaving it running.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (code !== 0) console.error(`\n✖ failed on Node ${version} (${binary}): ${signal ?? `exit code ${code}`}`);
  else console.log(`ran on Node ${version}`);
  process.exit(code ?? 1);
});
