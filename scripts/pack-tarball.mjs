// What a user gets, for tests: a workspace package packed exactly as `npm publish` would pack it
// (same `files`), unpacked for inspection, or installed into a project outside the workspace.
// Tarballs are cached under the system's temporary folder, keyed by the content of what npm packs
// (package.json, the `files` it lists, README and licence), so an unchanged package is packed once
// across runs and test files. Build first: the tarball holds whatever `dist/` holds now.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

/** Where tarballs are kept: `$TMPDIR/cruddur-pack/<name>-<hash>/`, with `pack.json` beside the `.tgz`. */
export const PACK_CACHE = join(tmpdir(), 'cruddur-pack');

function* walk(file) {
  if (!existsSync(file)) return;
  if (statSync(file).isDirectory()) {
    for (const entry of readdirSync(file).sort()) yield* walk(join(file, entry));
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
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const always = readdirSync(packageDir).filter((f) => /^(package\.json|readme|licen[cs]e)/i.test(f));
  const hash = createHash('sha256');
  for (const entry of [...new Set([...always, ...(manifest.files ?? [])])].sort()) {
    for (const file of walk(join(packageDir, entry))) {
      hash.update(relative(packageDir, file)).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * `npm pack` of the package in `packageDir`, once per content (see {@link PACK_CACHE}).
 * @param {string} packageDir
 * @returns {{ tarball: string; name: string; version: string; files: string[] }}
 */
export function packTarball(packageDir) {
  packageDir = resolve(packageDir);
  const { name } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const dir = join(PACK_CACHE, `${name.replace('@', '').replace('/', '-')}-${packContentHash(packageDir)}`);
  if (!existsSync(join(dir, 'pack.json'))) {
    mkdirSync(PACK_CACHE, { recursive: true });
    const staging = mkdtempSync(`${dir}-`);
    // --ignore-scripts: the tarball is the package as built; no lifecycle script rebuilds it.
    const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', staging], {
      cwd: packageDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      // Nothing but the JSON on stdout.
      env: { ...process.env, npm_config_update_notifier: 'false', npm_config_loglevel: 'error' },
    });
    const [result] = JSON.parse(out);
    if (!result?.filename) throw new Error(`npm pack in ${packageDir} printed no tarball: ${out}`);
    const packed = { filename: result.filename, name: result.name, version: result.version, files: result.files.map((f) => f.path).sort() };
    writeFileSync(join(staging, 'pack.json'), JSON.stringify(packed));
    try {
      renameSync(staging, dir); // complete or absent, for concurrent callers
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another caller packed the same content first
    }
  }
  const packed = JSON.parse(readFileSync(join(dir, 'pack.json'), 'utf8'));
  return { tarball: join(dir, packed.filename), name: packed.name, version: packed.version, files: packed.files };
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
export function outsideNpmEnv() {
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
