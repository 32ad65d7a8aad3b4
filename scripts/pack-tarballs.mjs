// `npm pack` of a workspace package, as the registry would serve it, for tests that install the
// package the way a user does (into a project outside this repository). Tarballs are cached under
// the system's temporary folder, keyed by the content of what npm packs (package.json, the
// `files` it lists, README and licence), so an unchanged package is packed once across runs.
// Build the package first: the tarball holds its dist/ as it is.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Where tarballs are kept: `$TMPDIR/cruddur-pack/<name>-<hash>/<name>-<version>.tgz`. */
export const PACK_CACHE = path.join(tmpdir(), 'cruddur-pack');

function* walk(file) {
  if (!existsSync(file)) return;
  if (statSync(file).isDirectory()) {
    for (const entry of readdirSync(file).sort()) yield* walk(path.join(file, entry));
  } else {
    yield file;
  }
}

/**
 * Hash of what `npm pack` would put in the tarball of the package in `packageDir`.
 * @param {string} packageDir
 * @returns {string}
 */
export function packContentHash(packageDir) {
  const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  const always = readdirSync(packageDir).filter((f) => /^(package\.json|readme|licen[cs]e)/i.test(f));
  const hash = createHash('sha256');
  for (const entry of [...always, ...(manifest.files ?? [])].sort()) {
    for (const file of walk(path.join(packageDir, entry))) {
      hash.update(path.relative(packageDir, file)).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Packs the package in `packageDir` (once per content) and returns the tarball's absolute path.
 * @param {string} packageDir absolute path of a workspace package, already built
 * @returns {string}
 */
export function packTarball(packageDir) {
  const { name } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  const dir = path.join(PACK_CACHE, `${name.replace('@', '').replace('/', '-')}-${packContentHash(packageDir)}`);
  const existing = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.tgz')) : undefined;
  if (existing) return path.join(dir, existing);
  mkdirSync(PACK_CACHE, { recursive: true });
  const staging = mkdtempSync(`${dir}-`);
  // --ignore-scripts: the tarball is the package as built; no lifecycle script rebuilds it.
  execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', staging], { cwd: packageDir, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    renameSync(staging, dir); // complete or absent, for concurrent callers
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another caller packed the same content first
  }
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack in ${packageDir} produced no tarball`);
  return path.join(dir, tarball);
}
