// The production bundle as the Docker image runs it: `npm run bundle` (the Dockerfile's command),
// then bundle/server.mjs from a folder with no node_modules, against dynalite, and the image's
// own HEALTHCHECK command against it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../../cruddur-backend/src/db/schema.js';
import {
  bundleApp,
  bundleEnv,
  execForm,
  npmRuns,
  readDockerfile,
  repoRoot,
  runHealthcheck,
  startNode,
  waitForHttp,
  type Started,
} from '../../cruddur-backend/test/deploy-support.js';
import { freePort, startDynalite } from '@cruddur/fakes';
import { loadConfig } from '../src/config.js';

const appDir = resolve(repoRoot, 'apps/worker');
const APP = '@cruddur/worker';

void test('AWS_ENDPOINT_URL_DYNAMODB wins over AWS_ENDPOINT_URL (which the SDK applies to every client)', () => {
  assert.equal(loadConfig({ AWS_ENDPOINT_URL_DYNAMODB: 'http://ddb:8000', AWS_ENDPOINT_URL: 'http://all:1' }).endpoint, 'http://ddb:8000');
  assert.equal(loadConfig({ AWS_ENDPOINT_URL: 'http://all:1' }).endpoint, 'http://all:1');
  assert.equal(loadConfig({}).endpoint, undefined);
});

void describe('production bundle (what the Docker image runs)', () => {
  let bundle: { dir: string; remove: () => void };
  let server: Started | undefined;
  let stopDynamo: (() => Promise<void>) | undefined;

  before(async () => {
    bundle = await bundleApp(appDir);
  });

  after(async () => {
    await server?.stop();
    await stopDynamo?.();
    bundle?.remove();
  });

  void test('bundle/ holds server.mjs with its source map, every dependency inside', () => {
    for (const file of ['server.mjs', 'server.mjs.map', 'packages.json']) assert.ok(existsSync(join(bundle.dir, file)), `bundle/${file} missing`);
    const names = (JSON.parse(readFileSync(join(bundle.dir, 'packages.json'), 'utf8')) as { name: string }[]).map((p) => p.name);
    for (const name of ['fastify', '@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb']) assert.ok(names.includes(name), `${name} not bundled`);
  });

  void test('server.mjs answers /health and reaches DynamoDB at AWS_ENDPOINT_URL_DYNAMODB', async () => {
    const dynamo = await startDynalite();
    stopDynamo = () => dynamo.close();
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await ensureTable(client, 'cruddur-messages');
    client.destroy();

    const port = await freePort();
    server = startNode(
      bundle.dir,
      'server.mjs',
      bundleEnv({
        PORT: String(port),
        HOST: '127.0.0.1',
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL: `http://127.0.0.1:${await freePort()}`,
        BACKEND_URL: `http://127.0.0.1:${await freePort()}`,
      }),
    );
    const health = await waitForHttp(`http://127.0.0.1:${port}/health`, server);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { success: true });

    // A fan-out to an unknown group: one query on the GSI, answered 404 by the worker (the sort key
    // is "now": the worker refuses keys far from its clock).
    const fanout = await fetch(`http://127.0.0.1:${port}/internal/message-groups/fanout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        message_group_uuid: '0f0e0d0c-0b0a-4090-8807-060504030201',
        sk: `${new Date().toISOString()}#1f0e0d0c-0b0a-4090-8807-060504030201`,
        message: 'hello',
        sender_user_uuid: '2f0e0d0c-0b0a-4090-8807-060504030201',
      }),
    });
    assert.equal(fanout.status, 404, server.output());
    assert.deepEqual(await fanout.json(), ['message_group_not_found']);

    const runtime = readDockerfile(join(appDir, 'Dockerfile')).at(-1)!;
    assert.equal(await runHealthcheck(runtime, { PATH: process.env.PATH, PORT: String(port) }), 0, 'the image HEALTHCHECK passes');
  });

  void test('the Dockerfile bundles with the package script and runs what the bundle holds', () => {
    const stages = readDockerfile(join(appDir, 'Dockerfile'));
    const build = stages[0]!;
    const runtime = stages.at(-1)!;
    const scripts = (JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    assert.match(scripts.bundle ?? '', /scripts\/bundle-app\.mjs src\/server\.ts/);
    assert.ok(npmRuns(build).some((r) => r.script === 'bundle' && r.workspace === APP), `the build stage runs npm run bundle -w ${APP}`);
    const copy = runtime.instructions.find((i) => i.keyword === 'COPY' && i.args.startsWith(`--from=${build.name} `));
    assert.ok(copy, 'the runtime stage copies from the build stage');
    assert.match(copy.args, /\/apps\/worker\/bundle\/ \.\/$/, 'it copies the bundle folder and nothing else');
    const cmd = execForm(runtime.instructions.find((i) => i.keyword === 'CMD')!.args);
    assert.deepEqual(cmd, ['node', 'server.mjs']);
    assert.ok(existsSync(join(bundle.dir, cmd[1]!)));
  });
});
