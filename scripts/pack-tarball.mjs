// Packs a workspace package exactly as `npm publish` would (same `files`, same lifecycle scripts),
// so a test can install or inspect what a user gets rather than the checkout. Build first: the
// tarball holds whatever `dist/` holds now.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * `npm pack` of the package in `packageDir` into `destination` (a new temporary folder by default).
 * @param {string} packageDir
 * @param {string} [destination]
 * @returns {{ tarball: string; name: string; version: string; files: string[] }}
 */
export function packTarball(packageDir, destination = mkdtempSync(join(tmpdir(), 'cruddur-pack-'))) {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: resolve(packageDir),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    // A workspace's own `npm pack`: no audit, no update notice, nothing but the JSON on stdout.
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_loglevel: 'error' },
  });
  const [result] = JSON.parse(out);
  if (!result?.filename) throw new Error(`npm pack in ${packageDir} printed no tarball: ${out}`);
  return {
    tarball: join(destination, result.filename),
    name: result.name,
    version: result.version,
    files: result.files.map((f) => f.path).sort(),
  };
}

/**
 * Unpacks a tarball from {@link packTarball} into a new temporary folder; returns the package's
 * folder in it (npm tarballs hold everything under `package/`).
 * @param {string} tarball
 * @returns {string}
 */
export function unpackTarball(tarball) {
  const into = mkdtempSync(join(tmpdir(), 'cruddur-unpacked-'));
  execFileSync('tar', ['-xzf', tarball, '-C', into], { stdio: ['ignore', 'ignore', 'inherit'] });
  return join(into, 'package');
}
