// What a user installs: each publishable package is packed as `npm publish` packs it, unpacked,
// and checked as it arrives in node_modules — its README and LICENSE, every README the docs
// link to, no tests or tooling, source maps whose sources are in the tarball, no publint
// message and no problem arethetypeswrong reports beyond the exceptions listed with their reasons.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { packTarball, unpackTarball, type PackedTarball } from '../../../scripts/pack-tarball.mjs';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
// No Node version changes what is packed: the other Nodes of the matrix (node-matrix.mjs) leave it out.
const ONCE_PER_RUN = process.env.CRUDDUR_NODE_MATRIX_RUN ? 'no Node version changes the tarball: checked once, in the main run' : false;
const require = createRequire(import.meta.url);
const ATTW_MANIFEST = require.resolve('@arethetypeswrong/cli/package.json');
const ATTW = join(dirname(ATTW_MANIFEST), (JSON.parse(readFileSync(ATTW_MANIFEST, 'utf8')) as { bin: { attw: string } }).bin.attw);

interface PublishedPackage {
  dir: string;
  /** Top-level entries the tarball may hold; anything else (tests, benchmarks, tsconfig, scripts) must not ship. */
  allowed: string[];
  /** arethetypeswrong problems accepted, each with the reason. */
  acceptedTypeProblems: Array<{ kind: string; resolutionKind: string; subpathsOnly?: boolean; reason: string }>;
}

const ESM_ONLY = {
  kind: 'CJSResolvesToESM',
  resolutionKind: 'node16-cjs',
  reason: 'ESM only by design ("type": "module", no "require" condition); Node 20.19+ loads it with require() too',
};

const PACKAGES: PublishedPackage[] = [
  {
    dir: 'packages/middleware',
    allowed: ['package.json', 'README.md', 'LICENSE', 'README-*.md', 'dist/', 'src/'],
    acceptedTypeProblems: [
      {
        kind: 'NoResolution',
        resolutionKind: 'node10',
        subpathsOnly: true,
        reason: 'subpaths (/express, /aws, …) exist only through "exports", which moduleResolution node10 predates; node16/nodenext and bundler resolve them, and the root entry resolves under node10 too',
      },
    ],
  },
  { dir: 'packages/trace-viewer', allowed: ['package.json', 'README.md', 'LICENSE', 'dist/', 'src/', 'public/'], acceptedTypeProblems: [ESM_ONLY] },
  { dir: 'packages/fakes', allowed: ['package.json', 'README.md', 'LICENSE', 'dist/', 'src/'], acceptedTypeProblems: [ESM_ONLY] },
];

/** Every Markdown link target of a text, without the title part. */
function linksOf(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

function isExternal(target: string): boolean {
  return /^[a-z][a-z+.-]*:/i.test(target) || target.startsWith('#');
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorsOf(markdown: string): Set<string> {
  const headings = [...markdown.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => m[1]!);
  return new Set(headings.map((h) => h.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').trim().replace(/\s/g, '-')));
}

/** The repository's own Markdown (READMEs and docs), where links into the packages come from. */
function repositoryMarkdown(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.') || entry.name === 'dist') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) found.push(path);
    }
  };
  walk(REPO);
  return found;
}

function allowedPath(allowed: string[], path: string): boolean {
  return allowed.some((entry) =>
    entry.endsWith('/') ? path.startsWith(entry) : entry.includes('*') ? new RegExp(`^${entry.replace('.', '\\.').replace('*', '[^/]+')}$`).test(path) : path === entry,
  );
}

for (const pkg of PACKAGES) {
  const packageDir = join(REPO, pkg.dir);

  test(`${pkg.dir}: the tarball a user installs`, { timeout: 300_000, skip: ONCE_PER_RUN }, async (t) => {
    const packed: PackedTarball = packTarball(packageDir);
    const unpacked = unpackTarball(packed.tarball);
    const shipped = new Set(packed.files);

    await t.test('README and the repository LICENSE ship', () => {
      assert.ok(shipped.has('README.md'), 'README.md');
      assert.ok(shipped.has('LICENSE'), 'LICENSE');
      assert.equal(readFileSync(join(unpacked, 'LICENSE'), 'utf8'), readFileSync(join(REPO, 'LICENSE'), 'utf8'), `${pkg.dir}/LICENSE is a copy of the repository's LICENSE`);
    });

    await t.test('nothing but the published parts: no tests, benchmarks, scripts or tsconfig', () => {
      const stray = packed.files.filter((path) => !allowedPath(pkg.allowed, path) || /(^|\/)(test|tests|bench|__tests__|fixtures)\/|\.test\.[cm]?[jt]s$/.test(path));
      assert.deepEqual(stray, []);
    });

    await t.test('every file the repository Markdown links to in this package ships', () => {
      const missing: string[] = [];
      for (const file of repositoryMarkdown()) {
        for (const target of linksOf(readFileSync(file, 'utf8'))) {
          if (isExternal(target)) continue;
          const path = resolve(dirname(file), target.split('#')[0]!);
          const inPackage = relative(packageDir, path);
          if (inPackage === '' || inPackage.startsWith('..') || !/\.md$|^LICENSE$/.test(inPackage)) continue;
          if (!shipped.has(inPackage.split(sep).join('/'))) missing.push(`${relative(REPO, file)} → ${target}`);
        }
      }
      assert.deepEqual(missing, []);
    });

    await t.test('links in the shipped Markdown resolve: inside the package, or into the repository', () => {
      const broken: string[] = [];
      for (const file of packed.files.filter((path) => path.endsWith('.md'))) {
        for (const target of linksOf(readFileSync(join(unpacked, file), 'utf8'))) {
          if (isExternal(target)) continue;
          const [path, anchor] = target.split('#') as [string, string | undefined];
          const inTarball = relative(unpacked, resolve(unpacked, dirname(file), path));
          // Links leaving the package point into the repository (GitHub and npm's page resolve them there).
          const where = inTarball.startsWith('..') ? resolve(packageDir, dirname(file), path) : join(unpacked, inTarball);
          if (!existsSync(where)) broken.push(`${file} → ${target}`);
          else if (anchor !== undefined && where.endsWith('.md') && !anchorsOf(readFileSync(where, 'utf8')).has(anchor)) broken.push(`${file} → ${target} (no such heading)`);
        }
      }
      assert.deepEqual(broken, []);
    });

    await t.test('every source map finds its sources in the tarball', () => {
      const maps = packed.files.filter((path) => path.endsWith('.map'));
      assert.ok(maps.length > 0, 'the build writes source maps');
      const unresolved: string[] = [];
      for (const map of maps) {
        const { sources, sourcesContent, sourceRoot = '' } = JSON.parse(readFileSync(join(unpacked, map), 'utf8')) as { sources: string[]; sourcesContent?: Array<string | null>; sourceRoot?: string };
        sources.forEach((source, i) => {
          if (typeof sourcesContent?.[i] === 'string') return;
          const path = relative(unpacked, resolve(unpacked, dirname(map), sourceRoot, source)).split(sep).join('/');
          if (!shipped.has(path)) unresolved.push(`${map} → ${source}`);
        });
      }
      assert.deepEqual(unresolved, []);
    });

    // Types count: Express and Fastify are peers for the types of their integrations.
    await t.test('every peer dependency is one the shipped code or types load', () => {
      const manifest = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8')) as { peerDependencies?: Record<string, string> };
      const code = packed.files.filter((path) => /^dist\/.*\.(js|d\.ts)$/.test(path)).map((path) => readFileSync(join(unpacked, path), 'utf8')).join('\n');
      const unused = Object.keys(manifest.peerDependencies ?? {}).filter((name) => !new RegExp(`(from |import\\(|require\\()['"]${name.replace(/[/.]/g, '\\$&')}['"/]`).test(code));
      assert.deepEqual(unused, []);
    });

    await t.test('publint: no message, warnings counted as errors', async () => {
      const { messages, pkg: manifest } = await publint({ pkgDir: unpacked, pack: false, level: 'suggestion', strict: true });
      assert.deepEqual(
        messages.map((m) => `${m.type}: ${formatMessage(m, manifest, { color: false }) ?? m.code}`),
        [],
      );
    });

    await t.test('arethetypeswrong: no problem but the accepted ones', () => {
      // --no-definitely-typed: offline, and our types are our own.
      // Into a file, not a pipe: attw ends with process.exit(), which can cut a piped report short.
      const reportFile = join(dirname(packed.tarball), 'attw.json');
      const out = openSync(reportFile, 'w');
      // --no-definitely-typed: offline, and our types are our own. It exits 1 when it finds
      // problems; they are judged below, against the accepted ones.
      const run = spawnSync(process.execPath, [ATTW, packed.tarball, '--format', 'json', '--no-definitely-typed'], { stdio: ['ignore', out, 'pipe'], encoding: 'utf8' });
      closeSync(out);
      const stdout = readFileSync(reportFile, 'utf8');
      assert.ok(run.status === 0 || run.status === 1, `attw exited ${run.status}: ${run.stderr}`);
      const report = JSON.parse(stdout) as { problems?: Record<string, Array<{ kind: string; entrypoint?: string; resolutionKind?: string }>> };
      assert.ok(report.problems, `attw printed a report: ${stdout.slice(0, 500)}`);
      const problems = Object.values(report.problems).flat();
      const unexpected = problems.filter((p) => !pkg.acceptedTypeProblems.some((a) => a.kind === p.kind && a.resolutionKind === p.resolutionKind && (a.subpathsOnly !== true || p.entrypoint !== '.')));
      assert.deepEqual(unexpected, []);
    });
  });
}
