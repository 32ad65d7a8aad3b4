import { readFileSync } from 'node:fs';
import { dirname, join, parse as parsePath, sep } from 'node:path';
import type { ServiceDocument } from './segment.js';

/** The runtime name every segment's `service` block carries, as the official X-Ray SDK for Node writes it. */
export const RUNTIME = 'node';
// X-Ray's limit for string values.
const MAX_VERSION = 250;
// A package.json larger than this is not an app manifest worth reading on start-up.
const MAX_MANIFEST_BYTES = 1_048_576;
// Deep enough for any project layout; bounds the walk on odd file systems.
const MAX_LEVELS = 64;

/**
 * The `service` block shared by every sampled segment of a tracer: `runtime` and
 * `runtime_version` always (as the official SDKs send them), `version` when one is known. Frozen,
 * so one object (and its serialised JSON) serves every request.
 */
export function serviceBlock(version: string | undefined): Readonly<ServiceDocument> {
  const block: ServiceDocument = {};
  if (version !== undefined) block.version = version;
  block.runtime = RUNTIME;
  block.runtime_version = process.version;
  return Object.freeze(block);
}

/**
 * The application's version, first found of: the `serviceVersion` option, `npm_package_version`
 * (set by `npm start` and `npm run`), then the `version` of the app's own package.json — the
 * nearest one above the entry script (`process.argv[1]`), which is how a service started as
 * `node server.js` (a Docker image) still reports its version. `entry` is the entry script,
 * `process.argv[1]` (undefined under `node -e` and in the REPL). Other variables
 * (`SERVICE_VERSION`, OpenTelemetry resource attributes) are deliberately not read: the names are
 * generic enough to mean something else in a user's environment.
 */
export function resolveServiceVersion(option: string | undefined, env: NodeJS.ProcessEnv, entry: string | undefined): string | undefined {
  return clean(option) ?? clean(env.npm_package_version) ?? appVersion(entry);
}

let cached: { entry: string | undefined; version: string | undefined } | undefined;

/**
 * The `version` of the package.json that owns `entry`: the nearest one above it that names a
 * package (`name` or `version`; a bare `{"type": "module"}` marker is skipped). Paths inside
 * `node_modules` (a process manager's or a runner's own script) start the search above the
 * `node_modules` folder, at the project that installed it. Read once per entry, synchronously;
 * never throws.
 */
export function appVersion(entry: string | undefined): string | undefined {
  if (cached !== undefined && cached.entry === entry) return cached.version;
  let version: string | undefined;
  try {
    version = entry ? findVersion(projectDirectory(dirname(entry))) : undefined;
  } catch {
    version = undefined; // an unreadable directory: no version, never a failed start-up
  }
  cached = { entry, version };
  return version;
}

function projectDirectory(dir: string): string {
  const marker = `${sep}node_modules${sep}`;
  const at = `${dir}${sep}`.indexOf(marker);
  return at >= 0 ? dir.slice(0, at) || parsePath(dir).root : dir;
}

function findVersion(start: string): string | undefined {
  let dir = start;
  for (let level = 0; level < MAX_LEVELS; level++) {
    const manifest = readManifest(join(dir, 'package.json'));
    if (manifest !== undefined && (typeof manifest.name === 'string' || typeof manifest.version === 'string')) {
      return clean(typeof manifest.version === 'string' ? manifest.version : undefined);
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

function readManifest(file: string): { name?: unknown; version?: unknown } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined; // absent or unreadable: look further up
  }
  if (text.length > MAX_MANIFEST_BYTES) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as { name?: unknown; version?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}

function clean(value: string | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed.length === 0) return undefined;
  return trimmed.length > MAX_VERSION ? trimmed.slice(0, MAX_VERSION) : trimmed;
}
