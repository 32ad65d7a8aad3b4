// What a user gets, for tests: a workspace package packed exactly as `npm publish` would pack it
// (same `files`, same lifecycle scripts), unpacked for inspection, or installed into a project
// outside the workspace. Build first: the tarball holds whatever `dist/` holds now.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
    // Nothing but the JSON on stdout.
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_loglevel: 'error' },
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

/**
 * The environment for npm in a project outside the workspace: without what `npm run` in the
 * workspace exports (its prefix, workspace and package settings), which would point npm back here.
 * @returns {NodeJS.ProcessEnv}
 */
function outsideNpmEnv() {
  const env = { ...process.env, npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_loglevel: 'error' };
  for (const key of Object.keys(env)) {
    if (/^npm_(package_|lifecycle_|config_(local_prefix|prefix|workspaces?|include_workspace_root|global)$)/i.test(key)) delete env[key];
  }
  return env;
}

/**
 * A new project in a temporary folder outside the workspace (so nothing resolves from the
 * workspace's node_modules), with `package.json` fields of your choosing.
 * @param {Record<string, unknown>} [manifest]
 * @returns {string}
 */
export function createOutsideProject(manifest = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cruddur-consumer-'));
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer', version: '0.0.0', private: true, ...manifest }, null, 2)}\n`);
  return dir;
}

/**
 * `npm install` of tarballs or `name@version` specs into a project from {@link createOutsideProject},
 * from npm's cache when it holds them (what the workspace installed is there), else the registry.
 * Lifecycle scripts are not run.
 * @param {string} projectDir
 * @param {string[]} specs
 */
export function installPackages(projectDir, specs) {
  execFileSync('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', ...specs], {
    cwd: projectDir,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: outsideNpmEnv(),
  });
}
