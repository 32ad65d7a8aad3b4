// The production bundle as the Docker image runs it: `npm run bundle` (the Dockerfile's command),
// then bundle/setup.mjs and bundle/server.mjs from a folder with no node_modules, against
// dynalite, and the image's own HEALTHCHECK command against that server.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startDaemonSink, startRedisServer } from '@cruddur/fakes';
import { type SegmentDocument } from '@cruddur/middleware';
import { flattenSubsegments } from '@cruddur/middleware/testing';
import { dynamoOptionsFromEnv } from '../src/db/client.js';
import { noRedis } from './feed-cache-support.js';
import {
  bundleApp,
  bundleEnv,
  execForm,
  exitOf,
  npmRuns,
  readCompose,
  readDockerfile,
  repoRoot,
  runHealthcheck,
  startNode,
  waitForHttp,
  type Started,
} from './deploy-support.js';
import { freePort, startDynalite } from '@cruddur/fakes';

const appDir = resolve(repoRoot, 'apps/cruddur-backend');
const APP = '@cruddur/backend';

void test('AWS_ENDPOINT_URL_DYNAMODB wins over AWS_ENDPOINT_URL (which the SDK applies to every client)', () => {
  assert.equal(
    dynamoOptionsFromEnv({ AWS_ENDPOINT_URL_DYNAMODB: 'http://ddb:8000', AWS_ENDPOINT_URL: 'http://all:1' }).endpoint,
    'http://ddb:8000',
  );
  assert.equal(dynamoOptionsFromEnv({ AWS_ENDPOINT_URL: 'http://all:1' }).endpoint, 'http://all:1');
  assert.equal(dynamoOptionsFromEnv({ AWS_ENDPOINT_URL_DYNAMODB: '' }).endpoint, undefined);
});

void describe('production bundle (what the Docker image runs)', () => {
  let bundle: { dir: string; remove: () => void };
  const running: Started[] = [];
  const stops: (() => Promise<void>)[] = [];

  before(async () => {
    bundle = await bundleApp(appDir);
  });

  after(async () => {
    for (const p of running) await p.stop();
    for (const stop of stops) await stop();
    bundle?.remove();
  });

  void test('bundle/ holds server.mjs and setup.mjs with source maps, every dependency inside', () => {
    for (const file of ['server.mjs', 'server.mjs.map', 'setup.mjs', 'setup.mjs.map', 'packages.json']) {
      assert.ok(existsSync(join(bundle.dir, file)), `bundle/${file} missing`);
    }
    const names = (JSON.parse(readFileSync(join(bundle.dir, 'packages.json'), 'utf8')) as { name: string }[]).map((p) => p.name);
    for (const name of ['express', '@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb']) assert.ok(names.includes(name), `${name} not bundled`);
    const server = readFileSync(join(bundle.dir, 'server.mjs'), 'utf8');
    assert.match(server, /^import \{ createRequire as __bundleCreateRequire \} from 'node:module';/);
    assert.match(server, /\/\/# sourceMappingURL=server\.mjs\.map\s*$/);
  });

  void test('setup.mjs waits for DynamoDB, creates and seeds the table, and is idempotent; server.mjs serves it', async () => {
    // AWS_ENDPOINT_URL points at nothing: only the DynamoDB-specific variable can reach dynalite.
    const port = await freePort();
    const env = bundleEnv({
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}`,
      AWS_ENDPOINT_URL: `http://127.0.0.1:${await freePort()}`,
      DDB_MESSAGE_TABLE: 'cruddur-messages',
      SETUP_WAIT_SECONDS: '20',
    });

    // Started before the database, as compose may do: it must wait, not fail.
    const first = startNode(bundle.dir, 'setup.mjs', env);
    running.push(first);
    for (const deadline = Date.now() + 10_000; !first.output().includes('waiting for DynamoDB'); ) {
      assert.ok(first.child.exitCode === null && Date.now() < deadline, `setup.mjs did not wait for DynamoDB:\n${first.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const dynamo = await startDynalite({ port });
    stops.push(() => dynamo.close());
    assert.equal(await exitOf(first), 0, first.output());
    assert.match(first.output(), /table cruddur-messages: created/);
    assert.match(first.output(), /seeded cruddur-messages: \{"users":4,"activities":4,"replies":1,"messages":6\}/);
    // Once: the table scripts' own CLI guard must not fire inside the bundle.
    assert.equal(first.output().match(/seeded /g)?.length, 1, first.output());

    const again = startNode(bundle.dir, 'setup.mjs', env);
    running.push(again);
    assert.equal(await exitOf(again), 0, again.output());
    assert.match(again.output(), /table cruddur-messages: exists/);

    const httpPort = await freePort();
    const serverEnv = { ...env, PORT: String(httpPort), HOST: '127.0.0.1', WORKER_URL: `http://127.0.0.1:${await freePort()}` };
    const server = startNode(bundle.dir, 'server.mjs', serverEnv);
    running.push(server);
    const health = await waitForHttp(`http://127.0.0.1:${httpPort}/api/health-check`, server);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { success: true, ver: 1 });

    const home = await fetch(`http://127.0.0.1:${httpPort}/api/activities/home`);
    assert.equal(home.status, 200, server.output());
    assert.ok(((await home.json()) as unknown[]).length >= 4, 'the seeded activities are read back');

    const runtime = readDockerfile(join(appDir, 'Dockerfile')).at(-1)!;
    assert.equal(await runHealthcheck(runtime, { PATH: process.env.PATH, PORT: String(httpPort) }), 0, 'the image HEALTHCHECK passes');
    await server.stop();
    assert.notEqual(await runHealthcheck(runtime, { PATH: process.env.PATH, PORT: String(httpPort) }), 0, 'and fails when the server is down');
  });

  void test('the Dockerfile bundles with the package script and runs what the bundle holds', () => {
    const stages = readDockerfile(join(appDir, 'Dockerfile'));
    const build = stages[0]!;
    const runtime = stages.at(-1)!;
    const scripts = (JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    assert.match(scripts.bundle ?? '', /scripts\/bundle-app\.mjs src\/server\.ts --db-setup/);
    assert.ok(npmRuns(build).some((r) => r.script === 'bundle' && r.workspace === APP), `the build stage runs npm run bundle -w ${APP}`);

    const copy = runtime.instructions.find((i) => i.keyword === 'COPY' && i.args.startsWith(`--from=${build.name} `));
    assert.ok(copy, 'the runtime stage copies from the build stage');
    assert.match(copy.args, /\/apps\/cruddur-backend\/bundle\/ \.\/$/, 'it copies the bundle folder and nothing else');
    const cmd = execForm(runtime.instructions.find((i) => i.keyword === 'CMD')!.args);
    assert.deepEqual(cmd, ['node', 'server.mjs']);
    assert.ok(existsSync(join(bundle.dir, cmd[1]!)));

    // The one-shot compose job runs the other entry of the same image.
    const setup = readCompose().services['ddb-setup']!;
    assert.equal(typeof setup.build === 'object' && setup.build.dockerfile, 'apps/cruddur-backend/Dockerfile');
    const command = setup.command as string[];
    assert.equal(command[0], 'node');
    assert.ok(existsSync(join(bundle.dir, command[1]!)), `ddb-setup runs ${command[1]}, which the bundle lacks`);
  });

  void test('with CRUDDUR_REDIS_URL the bundle caches the feed, and ioredis beside it is traced (the hook cannot patch bundled code)', { skip: noRedis }, async (t) => {
    assert.deepEqual(readdirSync(join(bundle.dir, 'node_modules')), ['ioredis'], 'only ioredis is left outside server.mjs');
    const [redis, sink, dynamo] = await Promise.all([startRedisServer(), startDaemonSink(), startDynalite()]);
    t.after(() => sink.close());
    t.after(() => redis.close());
    stops.push(() => dynamo.close());
    const env = bundleEnv({ AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, DDB_MESSAGE_TABLE: 'cruddur-messages' });
    const setup = startNode(bundle.dir, 'setup.mjs', env);
    running.push(setup);
    assert.equal(await exitOf(setup), 0, setup.output());

    const httpPort = await freePort();
    const server = startNode(bundle.dir, 'server.mjs', {
      ...env,
      PORT: String(httpPort),
      HOST: '127.0.0.1',
      WORKER_URL: `http://127.0.0.1:${await freePort()}`,
      CRUDDUR_REDIS_URL: redis.url,
      AWS_XRAY_DAEMON_ADDRESS: sink.address,
      CRUDDUR_METRICS_OUTPUT: 'off',
    });
    running.push(server);
    await waitForHttp(`http://127.0.0.1:${httpPort}/api/health-check`, server);
    for (const deadline = Date.now() + 10_000; !server.output().includes('redis connected'); ) {
      assert.ok(Date.now() < deadline, `the server did not connect to Redis:\n${server.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }

    const read = async (): Promise<SegmentDocument> => {
      // Our own sampled trace id: traced whatever the default sampling rules say.
      const traceId = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
      const res = await fetch(`http://127.0.0.1:${httpPort}/api/activities/home`, { headers: { 'x-amzn-trace-id': `Root=${traceId};Sampled=1` } });
      assert.equal(res.status, 200, server.output());
      await res.arrayBuffer();
      const [doc] = await sink.waitForDocuments((d) => (d.document as SegmentDocument).trace_id === traceId && (d.document as SegmentDocument).name === 'cruddur-backend', 5_000);
      assert.deepEqual(doc!.violations, [], 'the receiver accepts the segment');
      return doc!.document as SegmentDocument;
    };
    const commands = (segment: SegmentDocument): string[] =>
      flattenSubsegments(segment).map((s) => (s.name === 'redis@127.0.0.1' ? `redis ${String((s.metadata?.otel as Record<string, unknown>)['db.operation.name'])}` : s.name));
    assert.deepEqual(commands(await read()).filter((n) => n !== 'DynamoDB'), ['home-feed-cache', 'redis mget', 'redis set']);
    assert.deepEqual(commands(await read()), ['home-feed-cache', 'redis mget'], 'the second read: Redis only');
  });
});
