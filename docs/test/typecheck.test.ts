// Every file the pages show, and the root README's quick start, type-checks in the reader's own
// project (outside this repository, packages installed from their tarballs) with the tsconfig.json
// of step 1 and the TypeScript the page installs: what a reader's `npx tsc` says.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './support.js';
import { QUICK_START_FILE, userProject } from './user-project.js';

test('the reader\'s project is outside the repository and gets our packages from their tarballs', async () => {
  const project = await userProject();
  assert.ok(path.relative(repoRoot, project).startsWith('..'), `${project} is inside ${repoRoot}`);
  const manifest = JSON.parse(readFileSync(path.join(project, 'package.json'), 'utf8')) as { type?: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  assert.equal(manifest.type, 'module');
  assert.match(manifest.dependencies?.['@cruddur/middleware'] ?? '', /^file:.*cruddur-middleware-[\d.]+\.tgz$/);
  assert.match(manifest.devDependencies?.['@cruddur/trace-viewer'] ?? '', /^file:.*cruddur-trace-viewer-[\d.]+\.tgz$/);
  const resolved = createRequire(path.join(project, 'package.json')).resolve('@cruddur/middleware');
  assert.ok(resolved.startsWith(path.join(project, 'node_modules')), `@cruddur/middleware resolves to ${resolved}`);
});

test('npx tsc in the reader\'s project: every snippet and the README quick start', async () => {
  const project = await userProject();
  // What `npx tsc` runs: the binary the page's `npm install -D typescript` put in the project.
  const result = spawnSync(path.join(project, 'node_modules', '.bin', 'tsc'), ['--pretty', 'false', '-p', project], { cwd: project, encoding: 'utf8' });
  assert.equal(result.status, 0, `the files do not type-check in ${project} (${QUICK_START_FILE} is the README's quick start):\n${result.stdout}${result.stderr}`);
});
