// Production bundle of one app: every dependency (AWS SDK, the web framework, winston, rollbar,
// @cruddur/*) is compiled into single ES modules under bundle/, so a runtime image needs only
// node and these files. Run from the app's folder (npm run bundle -w <app> does that):
//
//   node ../../scripts/bundle-app.mjs src/server.ts              → bundle/server.mjs
//   node ../../scripts/bundle-app.mjs src/server.ts --db-setup   → also bundle/setup.mjs
//   ... --cjs-package ioredis                                   → also bundle/node_modules/ioredis/
//
// --cjs-package keeps a CommonJS package out of the app's bundle, as a package of its own beside it
// (one file, its dependencies compiled in, and its name and version in a package.json), for the
// app to load with require() at run time: OpenTelemetry instrumentations patch a package when
// require() loads it by name, which code compiled into the app's bundle never is.
//
// setup.mjs creates the table and the seed data through the app's own src/db modules
// (ensureTable from schema.ts, seed from seed.ts): idempotent, and it waits up to
// SETUP_WAIT_SECONDS (30) for DynamoDB to accept connections, so it can start with the database.
// It takes the same --endpoint / --table / --region flags and environment as the table scripts.
//
// Beside each output: its source map (run with --enable-source-maps for stack traces that name
// the TypeScript sources) and bundle/packages.json, the third-party packages inside with their
// versions and licences. Nothing is external but node's built-in modules.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const OUT_DIR = 'bundle';
const SETUP_ENTRY = 'cruddur:db-setup';

// Bundled CommonJS code calls require() for node built-ins and reads __dirname / __filename,
// none of which exist in an ES module: give the bundle its own.
const BANNER = [
  "import { createRequire as __bundleCreateRequire } from 'node:module';",
  "import { fileURLToPath as __bundleFileURLToPath } from 'node:url';",
  "import { dirname as __bundleDirname } from 'node:path';",
  'const require = __bundleCreateRequire(import.meta.url);',
  'const __filename = __bundleFileURLToPath(import.meta.url);',
  'const __dirname = __bundleDirname(__filename);',
].join('\n');

// The body of setup.mjs, compiled with the app (relative imports resolve from the app folder).
const SETUP_SOURCE = `
import { cliOptions } from './src/db/cli.js';
import { createDocumentClient, createDynamoClient } from './src/db/client.js';
import { ensureTable } from './src/db/schema.js';
import { seed } from './src/db/seed.js';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);

/** True for "DynamoDB is not up yet": no connection, or a 5xx while it starts. */
function notReady(err: unknown): boolean {
  const e = err as { code?: string; name?: string; errors?: { code?: string }[]; $metadata?: { httpStatusCode?: number } };
  const code = e?.code ?? e?.errors?.[0]?.code;
  if (code && NETWORK_CODES.has(code)) return true;
  if (e?.name === 'TimeoutError') return true;
  const status = e?.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return [e?.code, e?.message].filter(Boolean).join(' ') || String(err);
}

async function main(): Promise<void> {
  const waitMs = Number(process.env.SETUP_WAIT_SECONDS || 30) * 1000;
  // Nothing below may hang forever (a half-started database can accept and never answer).
  setTimeout(() => {
    process.stderr.write('setup: gave up after ' + (waitMs + 60_000) / 1000 + ' s\\n');
    process.exit(1);
  }, waitMs + 60_000).unref();

  const options = cliOptions();
  const where = options.endpoint ?? 'AWS';
  const client = createDynamoClient(options);
  try {
    const deadline = Date.now() + waitMs;
    let outcome;
    for (let attempt = 1; ; attempt++) {
      try {
        outcome = await ensureTable(client, options.tableName);
        break;
      } catch (err) {
        if (!notReady(err) || Date.now() >= deadline) throw err;
        if (attempt === 1) process.stdout.write('setup: waiting for DynamoDB at ' + where + ' (' + describe(err) + ')\\n');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    process.stdout.write('table ' + options.tableName + ': ' + outcome + ' (' + where + ')\\n');
    const summary = await seed(createDocumentClient(client), options.tableName);
    process.stdout.write('seeded ' + options.tableName + ': ' + JSON.stringify(summary) + '\\n');
  } finally {
    client.destroy();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write('setup failed: ' + describe(err) + '\\n');
    process.exit(1);
  },
);
`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'db-setup': { type: 'boolean', default: false }, 'cjs-package': { type: 'string', multiple: true, default: [] } },
});
if (positionals.length === 0) {
  console.error('usage: node ../../scripts/bundle-app.mjs <entry.ts>... [--db-setup]   (run in the app folder)');
  process.exit(2);
}

const appDir = process.cwd();
const appName = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')).name;
const srcDir = join(appDir, 'src') + sep;

/**
 * The app's modules see their own source file as import.meta.url. Without this, every module
 * would see the bundle's URL, and the table scripts' "am I the script node started?" guard
 * (isMain in src/db/cli.ts) would run their CLI inside setup.mjs as a side effect of importing them.
 */
const appImportMeta = {
  name: 'app-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
      if (!args.path.startsWith(srcDir)) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      return {
        // createRequire(import.meta.url) keeps the bundle's URL: it resolves the --cjs-package packages beside it.
        contents: text.replaceAll(/(?<!createRequire\()import\.meta\.url/g, JSON.stringify(pathToFileURL(args.path).href)),
        loader: 'ts',
        resolveDir: dirname(args.path),
      };
    });
  },
};

const dbSetupEntry = {
  name: 'db-setup-entry',
  setup(b) {
    b.onResolve({ filter: /^cruddur:db-setup$/ }, () => ({ path: 'setup.ts', namespace: 'cruddur' }));
    b.onLoad({ filter: /.*/, namespace: 'cruddur' }, () => ({ contents: SETUP_SOURCE, loader: 'ts', resolveDir: appDir }));
  },
};

const entryPoints = positionals.map((file) => {
  if (!existsSync(file)) {
    console.error(`bundle-app: no such entry ${file} in ${appDir}`);
    process.exit(2);
  }
  return { in: file, out: file.replace(/^.*\//, '').replace(/\.[cm]?[jt]s$/, '') };
});
if (values['db-setup']) entryPoints.push({ in: SETUP_ENTRY, out: 'setup' });

/** What every bundle shares: the app's and each package kept beside it (--cjs-package). */
const COMMON_OPTIONS = {
  absWorkingDir: appDir,
  bundle: true,
  platform: 'node',
  // The Node of the images (scripts/node-versions.mjs TARGET_MAJOR; the Dockerfiles' FROM).
  target: 'node24',
  // Smaller and faster to load, but names stay as written: stack traces and logs stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: false,
  keepNames: true,
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
};

/** bundle/node_modules/<name>/: the package as one CommonJS file, with its name and version. */
const cjsOutputs = [];
async function bundleCjsPackage(name) {
  const require = createRequire(join(appDir, 'package.json'));
  const manifestPath = require.resolve(`${name}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const dir = join(OUT_DIR, 'node_modules', name);
  const built = await build({
    ...COMMON_OPTIONS,
    entryPoints: [require.resolve(name)],
    outfile: join(dir, 'index.js'),
    format: 'cjs',
  });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name, version: manifest.version, license: manifest.license, main: 'index.js' }, null, 2)}\n`,
  );
  cjsOutputs.push(built.metafile);
}

rmSync(OUT_DIR, { recursive: true, force: true });
let result;
try {
  result = await build({
    ...COMMON_OPTIONS,
    entryPoints,
    outdir: OUT_DIR,
    outExtension: { '.js': '.mjs' },
    format: 'esm',
    // The ES builds of the AWS SDK (its "module" field) shake far better than its CommonJS ones.
    mainFields: ['module', 'main'],
    banner: { js: BANNER },
    plugins: [appImportMeta, dbSetupEntry],
    external: values['cjs-package'],
  });
  for (const name of values['cjs-package']) await bundleCjsPackage(name);
} catch (err) {
  // esbuild has printed the errors. The usual cause: a workspace package not built yet.
  if (/Could not resolve "@cruddur\//.test(String(err?.message ?? err))) {
    console.error('bundle-app: build the workspace packages first, e.g. npm run build -w @cruddur/middleware');
  }
  process.exit(1);
}

// Which package each input file belongs to: the nearest package.json with a name (dist/ folders
// of dual packages carry a nameless one), so workspace packages are listed as well as node_modules.
const packageOf = new Map();
function findPackage(dir) {
  if (packageOf.has(dir)) return packageOf.get(dir);
  let found = null;
  const manifest = join(dir, 'package.json');
  if (existsSync(manifest)) {
    const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
    if (pkg.name) found = { name: pkg.name, version: pkg.version ?? '', license: pkg.license ?? 'UNKNOWN' };
  }
  if (!found && dirname(dir) !== dir) found = findPackage(dirname(dir));
  packageOf.set(dir, found);
  return found;
}

const packages = new Map();
const report = [];
for (const [file, output] of [result.metafile, ...cjsOutputs].flatMap((m) => Object.entries(m.outputs))) {
  if (!output.entryPoint) continue;
  const bytesByPackage = new Map();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    if (input.startsWith('cruddur:')) continue;
    const pkg = findPackage(dirname(resolve(appDir, input)));
    if (!pkg || pkg.name === appName) continue;
    packages.set(`${pkg.name}@${pkg.version}`, pkg);
    bytesByPackage.set(pkg.name, (bytesByPackage.get(pkg.name) ?? 0) + bytesInOutput);
  }
  const top = [...bytesByPackage].sort((a, b) => b[1] - a[1]).slice(0, 4);
  report.push(
    `  ${relative(appDir, resolve(appDir, file))}  ${(output.bytes / 1024).toFixed(0)} KiB  ` +
      `(${bytesByPackage.size} packages; largest: ${top.map(([n, b]) => `${n} ${(b / 1024).toFixed(0)} KiB`).join(', ')})`,
  );
}
const list = [...packages.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
writeFileSync(join(OUT_DIR, 'packages.json'), `${JSON.stringify(list, null, 2)}\n`);
console.log(`${appName}: bundled into ${OUT_DIR}/\n${report.join('\n')}`);
