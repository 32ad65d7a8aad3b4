// The pages show exactly the files the other tests run, and every command, path, link and
// environment variable they name exists.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fenceLanguage, includePath, parsePage, type Fence } from './markdown.js';
import { policyActions, readRepoFile, repoRoot, snippetsDir, workshopDir } from './support.js';
import { shownFiles, userProject } from './user-project.js';

interface Page {
  name: string;
  text: string;
  parsed: ReturnType<typeof parsePage>;
}

const pages: Page[] = readdirSync(workshopDir)
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((name) => {
    const text = readFileSync(path.join(workshopDir, name), 'utf8');
    return { name, text, parsed: parsePage(text) };
  });

const SYNC_HINT = 'run `npm run snippets -w @cruddur/docs` after editing a snippet';
const CODE_LANGUAGES = new Set(['ts', 'typescript', 'tsx', 'js', 'javascript', 'mjs', 'json']);

function where(page: Page, fence: { line: number }): string {
  return `docs/workshop/${page.name}:${fence.line}`;
}

/** Commands on the pages: `sh` blocks (continuation lines joined) and inline `npm`/`npx`/`docker` code. */
function commands(page: Page): Array<{ at: string; text: string }> {
  const out: Array<{ at: string; text: string }> = [];
  for (const fence of page.parsed.fences.filter((f) => f.lang === 'sh')) {
    for (const line of fence.body.replace(/\\\n/g, ' ').split('\n')) {
      if (line.trim() && !line.trim().startsWith('#')) out.push({ at: where(page, fence), text: line });
    }
  }
  const prose = page.text.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1\s*$/gm, '');
  for (const m of prose.matchAll(/`((?:npm|npx|docker compose) [^`]+)`/g)) out.push({ at: `docs/workshop/${page.name}`, text: m[1] ?? '' });
  return out;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

interface PackageJson {
  name?: string;
  scripts?: Record<string, string>;
  bin?: string | Record<string, string>;
  workspaces?: string[];
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

// Workspaces by package name, from the root manifest's globs (`packages/*`, `docs`, …).
function workspaces(): Map<string, PackageJson> {
  const root = readJson<PackageJson>(path.join(repoRoot, 'package.json'));
  const found = new Map<string, PackageJson>();
  for (const pattern of root.workspaces ?? []) {
    const dirs = pattern.endsWith('/*')
      ? readdirSync(path.join(repoRoot, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => path.join(pattern.slice(0, -2), d.name))
      : [pattern];
    for (const dir of dirs) {
      const file = path.join(repoRoot, dir, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = readJson<PackageJson>(file);
      if (pkg.name) found.set(pkg.name, pkg);
    }
  }
  return found;
}

// GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens.
function anchors(markdown: string): Set<string> {
  const set = new Set<string>();
  const withoutCode = markdown.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1\s*$/gm, '');
  for (const m of withoutCode.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    set.add(
      (m[1] ?? '')
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    );
  }
  return set;
}

describe('the pages show exactly the files the tests run', () => {
  for (const page of pages) {
    test(page.name, () => {
      assert.deepEqual(page.parsed.problems, [], `${page.name}: malformed snippet markers`);
      for (const include of page.parsed.includes) {
        const at = `docs/workshop/${page.name}:${include.line}`;
        const file = includePath(include.name);
        assert.ok(existsSync(file), `${at}: ${include.name} does not exist (${file})`);
        assert.equal(include.fences.length, 1, `${at}: snippet ${include.name} must hold exactly one code block; ${SYNC_HINT}`);
        const fence = include.fences[0] as Fence;
        assert.equal(fence.lang, fenceLanguage(include.name), `${at}: ${include.name} is shown as \`${fence.lang}\``);
        assert.ok(fence.body === readFileSync(file, 'utf8'), `${at}: the block differs from ${include.name}; ${SYNC_HINT}`);
      }
      for (const fence of page.parsed.fences) {
        assert.notEqual(fence.lang, '', `${where(page, fence)}: a code block without a language (use text or sh)`);
        if (CODE_LANGUAGES.has(fence.lang)) {
          assert.ok(fence.include !== undefined, `${where(page, fence)}: \`${fence.lang}\` code must come from a file between <!-- snippet: … --> markers`);
        }
      }
    });
  }

  test('every snippet file is shown on a page', () => {
    const shown = new Set(pages.flatMap((p) => p.parsed.includes.map((i) => path.resolve(includePath(i.name)))));
    const orphans = readdirSync(snippetsDir).filter((f) => !shown.has(path.join(snippetsDir, f)));
    assert.deepEqual(orphans, [], 'snippet files that no page shows');
  });

  test('the index lists every step page in order', () => {
    const readme = pages.find((p) => p.name === 'README.md');
    assert.ok(readme);
    const steps = pages.filter((p) => /^\d\d-/.test(p.name));
    assert.equal(steps.length, 11);
    const linked = [...readme.text.matchAll(/\]\((\d\d-[\w-]+\.md)\)/g)].map((m) => m[1]);
    assert.deepEqual(linked, steps.map((p) => p.name));
    steps.forEach((p, i) => assert.match(p.text, new RegExp(`^# Step ${i + 1}: `), `${p.name} starts with "# Step ${i + 1}: "`));
  });
});

describe('everything the pages name exists', () => {
  const all = pages.flatMap((page) => commands(page));
  const packages = workspaces();
  const rootPackage = readJson<PackageJson>(path.join(repoRoot, 'package.json'));

  test('files given to the AWS CLI (file://) and paths in commands', () => {
    const files = shownFiles();
    const missing: string[] = [];
    for (const { at, text } of all) {
      // A reader runs the AWS CLI in their project, where each file a page shows is saved under its name.
      for (const m of text.matchAll(/file:\/\/([^\s'"]+)/g)) if (!files.has(m[1] ?? '')) missing.push(`${at}: file://${m[1]} is no file a page shows`);
      for (const m of text.matchAll(/(?:^|[\s=])(?:\$PWD\/)?((?:docs|aws|apps|packages)\/[\w./@-]*)/g)) {
        if (!existsSync(path.join(repoRoot, m[1] ?? ''))) missing.push(`${at}: ${m[1]}`);
      }
    }
    assert.deepEqual(missing, []);
    assert.ok(all.some((c) => c.text.includes('file://xray-sampling-rule.json')), 'step 5 creates the sampling rule from the file it shows');
  });

  test('npm scripts, workspaces and packages', () => {
    const problems: string[] = [];
    // What a reader may install: our packages, the middleware's peers, and what the snippets import
    // (the docs workspace declares those as its devDependencies).
    const known = new Set([
      ...packages.keys(),
      ...Object.keys(packages.get('@cruddur/middleware')?.peerDependencies ?? {}),
      ...Object.keys(packages.get('@cruddur/docs')?.devDependencies ?? {}),
      // The tools of a TypeScript project (step 1) and the local DynamoDB (step 4).
      ...Object.keys(rootPackage.devDependencies ?? {}),
      'dynalite',
    ]);
    let checked = 0;
    for (const { at, text } of all) {
      for (const m of text.matchAll(/\bnpm\s+(run|start|test|ci|install)\b([^|;&)\n]*)/g)) {
        checked++;
        const verb = m[1] ?? '';
        const args = (m[2] ?? '').trim().split(/\s+/).filter(Boolean);
        const targets: string[] = [];
        const rest: string[] = [];
        for (let i = 0; i < args.length; i++) {
          const arg = args[i] ?? '';
          if (arg === '--') break;
          if (arg === '-w' || arg === '--workspace') targets.push(args[++i] ?? '');
          else if (arg.startsWith('--workspace=')) targets.push(arg.slice('--workspace='.length));
          else if (!arg.startsWith('-')) rest.push(arg);
        }
        if (verb === 'ci') continue;
        if (verb === 'install') {
          for (const name of rest) if (!known.has(name)) problems.push(`${at}: npm install ${name}: neither a workspace nor a peer of @cruddur/middleware`);
          continue;
        }
        const script = verb === 'run' ? rest[0] : verb;
        if (!script) {
          problems.push(`${at}: npm run without a script`);
          continue;
        }
        const manifests = targets.length > 0 ? targets.map((t) => [t, packages.get(t)] as const) : [['the root', rootPackage] as const];
        for (const [name, pkg] of manifests) {
          if (!pkg) problems.push(`${at}: no workspace named ${name}`);
          else if (!pkg.scripts?.[script]) problems.push(`${at}: ${name} has no "${script}" script`);
        }
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(checked >= 5, `only ${checked} npm commands found`);
  });

  test('every package a snippet imports is a devDependency of the docs workspace', () => {
    const declared = new Set(Object.keys(packages.get('@cruddur/docs')?.devDependencies ?? {}));
    const missing: string[] = [];
    for (const file of readdirSync(snippetsDir).filter((f) => f.endsWith('.ts'))) {
      for (const m of readFileSync(path.join(snippetsDir, file), 'utf8').matchAll(/from '([^']+)'/g)) {
        const spec = m[1] ?? '';
        if (spec.startsWith('.') || spec.startsWith('node:')) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec);
        if (!declared.has(name)) missing.push(`${file}: ${name}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  test('npx binaries (in the reader\'s project), and the files given to tsx', async () => {
    const project = await userProject();
    const files = shownFiles();
    const problems: string[] = [];
    for (const { at, text } of all) {
      for (const m of text.matchAll(/\bnpx\s+(\S+)(?:\s+(\S+))?/g)) {
        const bin = m[1] ?? '';
        if (!existsSync(path.join(project, 'node_modules', '.bin', bin))) problems.push(`${at}: npx ${bin}: the pages install no such binary`);
        if (bin === 'tsx' && m[2] && !m[2].includes('<') && !files.has(m[2])) problems.push(`${at}: npx tsx ${m[2]}: no page shows that file`);
      }
    }
    assert.deepEqual(problems, []);
  });

  test('docker compose profiles and the variables the pages set for it', () => {
    const compose = readRepoFile('docker-compose.yml');
    const profiles = new Set([...compose.matchAll(/profiles:\s*\[([^\]]*)\]/g)].flatMap((m) => (m[1] ?? '').split(',').map((s) => s.trim().replace(/["']/g, ''))));
    const problems: string[] = [];
    for (const { at, text } of all) {
      if (!/\bdocker compose\b/.test(text)) continue;
      for (const m of text.matchAll(/--profile\s+(\S+)/g)) if (!profiles.has(m[1] ?? '')) problems.push(`${at}: no compose profile ${m[1]}`);
      for (const m of text.matchAll(/\b([A-Z][A-Z0-9_]+)=/g)) if (!compose.includes(`\${${m[1]}`)) problems.push(`${at}: docker-compose.yml does not read ${m[1]}`);
    }
    assert.deepEqual(problems, []);
  });

  test('environment variables are ones the code reads', () => {
    // Read by the AWS SDK itself; the tests point the SDK at the fakes with the last three.
    const sdk = new Set(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS', 'AWS_ENDPOINT_URL_XRAY']);
    const sources = [
      ...sourceFiles(path.join(repoRoot, 'packages', 'middleware', 'src')),
      ...sourceFiles(path.join(repoRoot, 'apps')),
      ...sourceFiles(snippetsDir),
      path.join(repoRoot, 'docker-compose.yml'),
    ]
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const unknown = new Set<string>();
    for (const page of pages) {
      for (const m of page.text.matchAll(/\b(?:AWS|CRUDDUR|ROLLBAR|XRAY|NODE|DDB|WORKER|BACKEND)_[A-Z0-9_]+\b/g)) {
        if (!sdk.has(m[0]) && !sources.includes(m[0])) unknown.add(`${page.name}: ${m[0]}`);
      }
    }
    assert.deepEqual([...unknown], []);
  });

  test('links between pages and to the repository', () => {
    const broken: string[] = [];
    for (const page of pages) {
      for (const m of page.text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1] ?? '';
        if (/^[a-z]+:/.test(target)) continue;
        const [file = '', anchor] = target.split('#');
        const resolved = file ? path.resolve(workshopDir, file) : path.join(workshopDir, page.name);
        if (!existsSync(resolved)) {
          broken.push(`${page.name}: ${target}`);
          continue;
        }
        if (anchor && statSync(resolved).isFile() && resolved.endsWith('.md') && !anchors(readFileSync(resolved, 'utf8')).has(anchor)) {
          broken.push(`${page.name}: ${target} (no such heading)`);
        }
      }
    }
    assert.deepEqual(broken, []);
  });
});

describe('the AWS resources the pages create', () => {
  test('the IAM policy grants exactly what the daemon, centralized sampling and the logger need', () => {
    assert.deepEqual(
      [...policyActions()].sort(),
      [
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:DescribeLogStreams',
        'logs:PutLogEvents',
        'logs:PutRetentionPolicy',
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ],
    );
  });

  test('the rules and the group name services that exist', () => {
    const compose = readRepoFile('docker-compose.yml');
    const snippetNames = readdirSync(snippetsDir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(path.join(snippetsDir, f), 'utf8').matchAll(/name: '([\w-]+)'/g)].map((m) => m[1]));
    for (const file of ['xray-sampling-rule.json', 'xray-sampling-rule-worker.json']) {
      const { SamplingRule } = readJson<{ SamplingRule: { ServiceName: string } }>(path.join(repoRoot, 'aws', 'json', file));
      assert.ok(snippetNames.includes(SamplingRule.ServiceName), `${file}: no snippet names its service ${SamplingRule.ServiceName}`);
      assert.ok(compose.includes(`AWS_XRAY_TRACING_NAME: ${SamplingRule.ServiceName}`), `${file}: docker-compose.yml has no service named ${SamplingRule.ServiceName}`);
    }
    const group = readJson<{ FilterExpression: string }>(path.join(repoRoot, 'aws', 'json', 'xray-group.json'));
    for (const m of group.FilterExpression.matchAll(/service\("([^"]+)"\)/g)) assert.ok(snippetNames.includes(m[1]), `the group filters on ${m[1]}, which no snippet uses`);
  });
});

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name === 'bundle' || entry.name === 'test') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|json)$/.test(entry.name)) out.push(full);
  }
  return out;
}
