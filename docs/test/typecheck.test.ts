// Every snippet type-checks under the repository's strict settings, resolving @cruddur/middleware
// through the workspace exactly as a reader's editor does.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot, workshopDir } from './support.js';

test('tsc --noEmit -p docs/workshop/tsconfig.json', () => {
  const tsc = createRequire(path.join(repoRoot, 'package.json')).resolve('typescript/bin/tsc');
  // Incremental, so a run with unchanged snippets takes a second instead of several.
  const buildInfo = path.join(repoRoot, 'node_modules', '.cache', 'cruddur-docs-tsc', 'workshop.tsbuildinfo');
  const args = [tsc, '--noEmit', '--pretty', 'false', '--incremental', '--tsBuildInfoFile', buildInfo, '-p', path.join(workshopDir, 'tsconfig.json')];
  const result = spawnSync(process.execPath, args, {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, `the snippets do not type-check:\n${result.stdout}${result.stderr}`);
});
