import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../src/db/schema.js';
import { SEED_ACTIVITIES, SEED_MESSAGE_GROUP, SEED_USERS, seed } from '../src/db/seed.js';
import { TABLE, queryPk, scanAll, startDynamo, type Dynamo } from './harness.js';

const run = promisify(execFile);
const appDir = fileURLToPath(new URL('..', import.meta.url));

const byKey = (a: Record<string, unknown>, b: Record<string, unknown>): number =>
  `${String(a.pk)}|${String(a.sk)}`.localeCompare(`${String(b.pk)}|${String(b.sk)}`);

void describe('schema-load and seed', () => {
  let dynamo: Dynamo;
  before(async () => {
    dynamo = await startDynamo();
  });
  after(async () => {
    await dynamo.stop();
  });

  void test('ensureTable: created once, then "exists"; the definition of the original', async () => {
    assert.equal(await ensureTable(dynamo.client, 'schema-check'), 'created');
    assert.equal(await ensureTable(dynamo.client, 'schema-check'), 'exists');
    const { Table: table } = await dynamo.client.send(new DescribeTableCommand({ TableName: 'schema-check' }));
    assert.ok(table);
    assert.deepEqual(
      table.AttributeDefinitions?.map((a) => [a.AttributeName, a.AttributeType]).sort(),
      [
        ['message_group_uuid', 'S'],
        ['pk', 'S'],
        ['sk', 'S'],
      ],
    );
    assert.deepEqual(table.KeySchema, [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    assert.equal(table.ProvisionedThroughput?.ReadCapacityUnits, 5);
    assert.equal(table.ProvisionedThroughput?.WriteCapacityUnits, 5);
    const gsi = table.GlobalSecondaryIndexes?.[0];
    assert.equal(table.GlobalSecondaryIndexes?.length, 1);
    assert.equal(gsi?.IndexName, 'message-group-sk-index');
    assert.deepEqual(gsi?.KeySchema, [
      { AttributeName: 'message_group_uuid', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    assert.equal(gsi?.Projection?.ProjectionType, 'ALL');
  });

  void test('seed is idempotent: a second run changes nothing', async () => {
    const summary = await seed(dynamo.db, TABLE);
    assert.deepEqual(summary, { users: 4, activities: 4, replies: 1, messages: 6 });
    const first = (await scanAll(dynamo.db)).sort(byKey);
    await seed(dynamo.db, TABLE, { now: new Date(Date.now() + 3_600_000) });
    const second = (await scanAll(dynamo.db)).sort(byKey);
    assert.deepEqual(second, first);

    const andrew = first.find((i) => i.pk === 'USR#andrewbrown');
    assert.equal(andrew?.cruds_count, 1);
    assert.equal(andrew?.user_uuid, SEED_USERS.andrewbrown.uuid);
    const cloud = first.find((i) => i.pk === `ACT#${SEED_ACTIVITIES.cloudIsFun}` && i.sk === 'META');
    assert.equal(cloud?.replies_count, 1);
    assert.equal((await queryPk(dynamo.db, `MSG#${SEED_MESSAGE_GROUP}`)).length, 6);
    const members = first.filter((i) => i.message_group_uuid === SEED_MESSAGE_GROUP);
    assert.deepEqual(members.map((m) => m.user_handle).sort(), ['andrewbrown', 'bayko']);
    // One timestamp format everywhere.
    for (const item of first) {
      for (const field of ['created_at', 'expires_at', 'last_message_at']) {
        if (item[field] !== undefined) assert.match(String(item[field]), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      }
    }
  });

  void test('CLI: schema-load and seed against any endpoint, by arguments or environment', async () => {
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', NODE_NO_WARNINGS: '1' };
    const node = (script: string, args: string[], extraEnv: Record<string, string> = {}): Promise<{ stdout: string }> =>
      run(process.execPath, ['--import', 'tsx', `src/db/${script}`, ...args], {
        cwd: appDir,
        env: { ...env, ...extraEnv },
      });
    const args = ['--endpoint', dynamo.endpoint, '--table', 'cli-table'];
    const [loaded, seeded] = await Promise.all([
      node('schema-load.ts', args),
      node('seed.ts', [], { AWS_ENDPOINT_URL: dynamo.endpoint, DDB_MESSAGE_TABLE: 'env-table' }),
    ]);
    assert.match(loaded.stdout, /table cli-table: created/);
    assert.match(seeded.stdout, /seeded env-table: \{"users":4,"activities":4,"replies":1,"messages":6\}/);
  });
});
