// The segment's `service` block: the runtime always, the version from the option, npm, or the
// app's own package.json — found for a service started as `node server.js`.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SegmentDocument } from '../src/index.js';
import { appVersion, resolveServiceVersion, serviceBlock } from '../src/core/service.js';
import { createTestTracer } from '../src/testing/index.js';
import { Tracer } from '../src/core/tracer.js';
import { InMemoryEmitter } from '../src/testing/index.js';

/** A throwaway directory tree: `files` maps relative paths to contents. */
function tree(t: { after(fn: () => void): void }, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'service-version-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

test('every sampled segment carries runtime and runtime_version, with or without a version', async () => {
  const { tracer, emitter } = createTestTracer({ serviceVersion: '2.4.1' });
  tracer.beginSegment({ name: 'api' }).close();
  const { tracer: unversioned, emitter: unversionedEmitter } = createTestTracer();
  unversioned.beginSegment({ name: 'api' }).close();
  await Promise.all([tracer.flush(), unversioned.flush()]);
  assert.deepEqual((emitter.documents[0]!.document as SegmentDocument).service, { version: '2.4.1', runtime: 'node', runtime_version: process.version });
  const service = (unversionedEmitter.documents[0]!.document as SegmentDocument).service;
  assert.equal(service?.runtime, 'node');
  assert.equal(service?.runtime_version, process.version);
});

test('the block is one frozen object shared by every segment of a tracer', () => {
  const { tracer } = createTestTracer({ serviceVersion: '1.0.0' });
  const a = tracer.beginSegment({ name: 'a' });
  const b = tracer.beginSegment({ name: 'b' });
  assert.equal(a.service, b.service);
  assert.ok(Object.isFrozen(a.service));
  assert.deepEqual(JSON.parse(a.toJsonText()).service, a.toJSON().service);
  assert.equal(tracer.beginSegment({ name: 'c', sampled: false }).service, undefined, 'unsampled segments record nothing');
});

test('precedence: the option, then npm_package_version, then the package.json above the entry script', (t) => {
  const root = tree(t, { 'package.json': JSON.stringify({ name: 'my-api', version: '3.2.1' }), 'dist/server.js': '' });
  const entry = join(root, 'dist/server.js');
  assert.equal(resolveServiceVersion('9.9.9', { npm_package_version: '1.0.0' }, entry), '9.9.9');
  assert.equal(resolveServiceVersion(undefined, { npm_package_version: '1.0.0' }, entry), '1.0.0');
  assert.equal(resolveServiceVersion(undefined, {}, entry), '3.2.1', 'node dist/server.js in a Docker image');
  assert.equal(resolveServiceVersion('  ', { npm_package_version: '' }, entry), '3.2.1', 'blank values count as unset');
  assert.equal(resolveServiceVersion(undefined, { SERVICE_VERSION: '5', OTEL_SERVICE_VERSION: '6' }, entry), '3.2.1', 'generic variables are not read');
  assert.equal(resolveServiceVersion(undefined, {}, undefined), undefined, 'no entry script (node -e, the REPL)');
  assert.equal(resolveServiceVersion('v'.repeat(300), {}, entry)?.length, 250, 'cut to the X-Ray string limit');
  assert.deepEqual(serviceBlock(undefined), { runtime: 'node', runtime_version: process.version });
});

test('package.json lookup: type markers are skipped, node_modules scripts look above node_modules, bad files never throw', (t) => {
  const root = tree(t, {
    'package.json': JSON.stringify({ name: 'shop', version: '1.2.3' }),
    'src/esm/package.json': JSON.stringify({ type: 'module' }),
    'src/esm/server.js': '',
    'node_modules/pm2/package.json': JSON.stringify({ name: 'pm2', version: '5.0.0' }),
    'node_modules/pm2/lib/ProcessContainerFork.js': '',
    'services/unversioned/package.json': JSON.stringify({ name: 'unversioned' }),
    'services/unversioned/index.js': '',
    'services/broken/package.json': '{ not json',
    'services/broken/index.js': '',
  });
  assert.equal(appVersion(join(root, 'src/esm/server.js')), '1.2.3', 'a {"type":"module"} marker names no package');
  assert.equal(appVersion(join(root, 'node_modules/pm2/lib/ProcessContainerFork.js')), '1.2.3', "not the process manager's version");
  assert.equal(appVersion(join(root, 'services/unversioned/index.js')), undefined, 'the app has no version: none, not a parent project’s');
  assert.equal(appVersion(join(root, 'services/broken/index.js')), '1.2.3', 'an unreadable manifest is passed over');
  assert.equal(appVersion(join(root, 'does/not/exist/app.js')), '1.2.3');
  assert.equal(appVersion('/'), undefined);
  assert.equal(appVersion(''), undefined);
});

test('the tracer reads the version at construction from the process entry script', () => {
  // Under `npm test` the entry script is this test file, so the package's own manifest answers.
  const tracer = new Tracer({ emitter: new InMemoryEmitter(), logLevel: 'silent', samplingRules: { version: 2, rules: [], default: { fixed_target: 0, rate: 1 } } }, {});
  const segment = tracer.beginSegment({ name: 'api' });
  assert.equal(segment.service?.version, '0.1.0');
});
