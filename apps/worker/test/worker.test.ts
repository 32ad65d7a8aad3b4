import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createModerator, DEFAULT_POLICY } from '../src/services/moderation.js';
import {
  deadUrl,
  get,
  memoryLogger,
  post,
  putItem,
  queryPk,
  startDynamo,
  startFakeBackend,
  startWorker,
  TABLE,
} from './harness.js';

const alice = { uuid: randomUUID(), handle: 'alice', display_name: 'Alice' };
const bob = { uuid: randomUUID(), handle: 'bob', display_name: 'Bob' };
const carol = { uuid: randomUUID(), handle: 'carol', display_name: 'Carol' };
const T0 = Date.parse('2025-01-02T03:04:05.678Z');
const skAt = (offsetMs: number, uuid: string = randomUUID()): string =>
  `${new Date(T0 + offsetMs).toISOString()}#${uuid}`;

async function seedGroup(db: DynamoDBDocumentClient, group: string): Promise<void> {
  const first = skAt(0);
  for (const [owner, other] of [
    [alice, bob],
    [bob, alice],
  ] as const) {
    await putItem(db, {
      pk: `GRP#${owner.uuid}`,
      sk: `MG#${group}`,
      owner_user_uuid: owner.uuid,
      message_group_uuid: group,
      user_uuid: other.uuid,
      user_handle: other.handle,
      user_display_name: other.display_name,
      message: 'first',
      last_message_at: first.split('#')[0],
      last_message_sk: first,
    });
  }
}

async function memberRow(db: DynamoDBDocumentClient, owner: string, group: string): Promise<Record<string, unknown>> {
  const rows = await queryPk(db, `GRP#${owner}`);
  const row = rows.find((r) => r.sk === `MG#${group}`);
  assert.ok(row, 'member row exists');
  return row;
}

void describe('worker', () => {
  let dynamo: Awaited<ReturnType<typeof startDynamo>>;
  let backend: Awaited<ReturnType<typeof startFakeBackend>>;
  let worker: Awaited<ReturnType<typeof startWorker>>;
  const logger = memoryLogger();

  before(async () => {
    dynamo = await startDynamo();
    backend = await startFakeBackend({ alice, bob });
    // The worker's clock stands at T0, the time of the test's sort keys (they must be plausibly "now").
    worker = await startWorker(dynamo.db, backend.url, logger, TABLE, { now: () => T0 });
  });

  after(async () => {
    await worker.stop();
    await backend.stop();
    await dynamo.stop();
  });

  void test('GET /health', async () => {
    assert.deepEqual(await get(worker.url, '/health'), { status: 200, body: { success: true } });
  });

  void test('unknown route → 404 ["route_not_found"]', async () => {
    assert.deepEqual(await get(worker.url, '/nope'), { status: 404, body: ['route_not_found'] });
  });

  void describe('POST /internal/moderate', () => {
    void test('allows an ordinary message', async () => {
      const res = await post(worker.url, '/internal/moderate', { kind: 'activity', message: 'Cloud is fun!', handle: 'alice' });
      assert.deepEqual(res, { status: 200, body: { allowed: true, reasons: [] } });
    });

    void test('rejects blocked words, link spam and repeated characters', async () => {
      const res = await post(worker.url, '/internal/moderate', {
        kind: 'message',
        message: 'Win at the CASINO http://a.example http://b.example www.c.example!!!!!!!!!!!!!!',
        handle: 'alice',
      });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, {
        allowed: false,
        reasons: ['blocked_word', 'too_many_links', 'repeated_characters'],
      });
    });

    void test('blocked words match whole words only', () => {
      const moderate = createModerator(DEFAULT_POLICY);
      assert.equal(moderate({ kind: 'reply', message: 'a spammer? no, spam!', handle: 'x' }).allowed, false);
      assert.equal(moderate({ kind: 'reply', message: 'spammers everywhere', handle: 'x' }).allowed, true);
    });

    void test('invalid body → 422 ["invalid_request"]', async () => {
      assert.deepEqual(await post(worker.url, '/internal/moderate', { kind: 'poem', message: 'x', handle: 'a' }), {
        status: 422,
        body: ['invalid_request'],
      });
      assert.deepEqual(await post(worker.url, '/internal/moderate', { kind: 'reply', handle: 'a' }), {
        status: 422,
        body: ['invalid_request'],
      });
    });
  });

  void describe('POST /internal/message-groups/fanout', () => {
    void test('moves every member row forward, once', async () => {
      const group = randomUUID();
      await seedGroup(dynamo.db, group);
      const sk = skAt(60_000);
      const body = { message_group_uuid: group, sk, message: 'second', sender_user_uuid: alice.uuid };
      assert.deepEqual(await post(worker.url, '/internal/message-groups/fanout', body), {
        status: 200,
        body: { updated: 2 },
      });
      for (const owner of [alice, bob]) {
        const row = await memberRow(dynamo.db, owner.uuid, group);
        assert.equal(row.message, 'second');
        assert.equal(row.last_message_sk, sk);
        assert.equal(row.last_message_at, sk.split('#')[0]);
      }
      // A retry (or a duplicate delivery) changes nothing.
      assert.deepEqual(await post(worker.url, '/internal/message-groups/fanout', body), {
        status: 200,
        body: { updated: 0 },
      });
      assert.equal((await queryPk(dynamo.db, `GRP#${alice.uuid}`)).filter((r) => r.sk === `MG#${group}`).length, 1);
    });

    void test('an older message never overwrites a newer one', async () => {
      const group = randomUUID();
      await seedGroup(dynamo.db, group);
      const newer = skAt(120_000);
      const older = skAt(60_000);
      await post(worker.url, '/internal/message-groups/fanout', {
        message_group_uuid: group,
        sk: newer,
        message: 'newer',
        sender_user_uuid: bob.uuid,
      });
      const late = await post(worker.url, '/internal/message-groups/fanout', {
        message_group_uuid: group,
        sk: older,
        message: 'older',
        sender_user_uuid: alice.uuid,
      });
      assert.deepEqual(late, { status: 200, body: { updated: 0 } });
      assert.equal((await memberRow(dynamo.db, alice.uuid, group)).message, 'newer');
    });

    void test('concurrent fan-outs converge on the newest message', async () => {
      const group = randomUUID();
      await seedGroup(dynamo.db, group);
      const messages = Array.from({ length: 15 }, (_, i) => ({ sk: skAt(1000 * (i + 1)), message: `m${i}` }));
      const shuffled = [...messages].sort(() => Math.random() - 0.5);
      const results = await Promise.all(
        shuffled.map((m) =>
          post(worker.url, '/internal/message-groups/fanout', {
            message_group_uuid: group,
            sk: m.sk,
            message: m.message,
            sender_user_uuid: alice.uuid,
          }),
        ),
      );
      assert.ok(results.every((r) => r.status === 200));
      for (const owner of [alice, bob]) {
        const row = await memberRow(dynamo.db, owner.uuid, group);
        assert.equal(row.message, 'm14');
        assert.equal(row.last_message_sk, messages[14]?.sk);
      }
    });

    void test('unknown group → 404, sender not a member → 403, bad sort key → 422', async () => {
      const group = randomUUID();
      await seedGroup(dynamo.db, group);
      const base = { sk: skAt(5000), message: 'hi', sender_user_uuid: alice.uuid };
      assert.deepEqual(
        await post(worker.url, '/internal/message-groups/fanout', { ...base, message_group_uuid: randomUUID() }),
        { status: 404, body: ['message_group_not_found'] },
      );
      assert.deepEqual(
        await post(worker.url, '/internal/message-groups/fanout', {
          ...base,
          message_group_uuid: group,
          sender_user_uuid: carol.uuid,
        }),
        { status: 403, body: ['not_a_member'] },
      );
      assert.deepEqual(
        await post(worker.url, '/internal/message-groups/fanout', { ...base, message_group_uuid: group, sk: 'yesterday' }),
        { status: 422, body: ['invalid_request'] },
      );
    });
  });

  void describe('POST /internal/notifications', () => {
    void test('resolves the actor through the backend and writes one NTF item, idempotently', async () => {
      const recipient = randomUUID();
      const body = {
        type: 'reply',
        recipient_user_uuid: recipient,
        actor_handle: 'bob',
        activity_uuid: randomUUID(),
        message: 'Nice post',
        event_uuid: randomUUID(),
        created_at: '2025-01-02T03:04:05.678Z',
      };
      const before = backend.requests.length;
      const first = await post(worker.url, '/internal/notifications', body);
      assert.equal(first.status, 200);
      const { notification_uuid } = first.body as { notification_uuid: string };
      assert.match(notification_uuid, /^[0-9a-f-]{36}$/);
      assert.deepEqual(backend.requests.slice(before), ['/api/users/@bob/short']);

      const retry = await post(worker.url, '/internal/notifications', body);
      assert.deepEqual(retry, { status: 200, body: { notification_uuid } });

      const items = await queryPk(dynamo.db, `NTF#${recipient}`);
      assert.equal(items.length, 1);
      assert.equal(items[0]?.sk, `2025-01-02T03:04:05.678Z#${notification_uuid}`);
      assert.equal(items[0]?.actor_display_name, 'Bob');
      assert.equal(items[0]?.actor_uuid, bob.uuid);
      assert.equal(items[0]?.message_group_uuid, undefined, 'NTF items stay out of the sparse GSI');
    });

    void test('message notifications keep the group as group_uuid', async () => {
      const recipient = randomUUID();
      const group = randomUUID();
      const res = await post(worker.url, '/internal/notifications', {
        type: 'message',
        recipient_user_uuid: recipient,
        actor_handle: 'alice',
        message_group_uuid: group,
        message: 'ping',
      });
      assert.equal(res.status, 200);
      const items = await queryPk(dynamo.db, `NTF#${recipient}`);
      assert.equal(items[0]?.group_uuid, group);
    });

    void test('unknown actor → 422 ["actor_unknown"]', async () => {
      const res = await post(worker.url, '/internal/notifications', {
        type: 'reply',
        recipient_user_uuid: randomUUID(),
        actor_handle: 'nobody',
        activity_uuid: randomUUID(),
        message: 'x',
      });
      assert.deepEqual(res, { status: 422, body: ['actor_unknown'] });
    });

    void test('schema: reply needs activity_uuid, event_uuid needs created_at', async () => {
      const base = { type: 'reply', recipient_user_uuid: randomUUID(), actor_handle: 'bob', message: 'x' };
      assert.deepEqual(await post(worker.url, '/internal/notifications', base), {
        status: 422,
        body: ['invalid_request'],
      });
      assert.deepEqual(
        await post(worker.url, '/internal/notifications', {
          ...base,
          activity_uuid: randomUUID(),
          event_uuid: randomUUID(),
        }),
        { status: 422, body: ['invalid_request'] },
      );
    });

    void test('backend unreachable → 502 ["backend_unavailable"]', async () => {
      const lonely = await startWorker(dynamo.db, await deadUrl());
      try {
        const res = await post(lonely.url, '/internal/notifications', {
          type: 'reply',
          recipient_user_uuid: randomUUID(),
          actor_handle: 'bob',
          activity_uuid: randomUUID(),
          message: 'x',
        });
        assert.deepEqual(res, { status: 502, body: ['backend_unavailable'] });
      } finally {
        await lonely.stop();
      }
    });
  });

  void test('unexpected failure → 500 {"error":"internal_error","trace_id"} continuing the caller\'s trace, logged', async () => {
    const log = memoryLogger();
    const broken = await startWorker(dynamo.db, backend.url, log, 'no-such-table');
    try {
      const root = '1-5759e988-bd862e3fe1be46a994272793';
      const response = await fetch(new URL('/internal/message-groups/fanout', broken.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-amzn-trace-id': `Root=${root};Parent=53995c3f42cd8ad8;Sampled=1` },
        body: JSON.stringify({ message_group_uuid: randomUUID(), sk: skAt(1), message: 'x', sender_user_uuid: alice.uuid }),
      });
      assert.equal(response.headers.get('x-amzn-trace-id'), `Root=${root}`);
      assert.deepEqual({ status: response.status, body: await response.json() }, { status: 500, body: { error: 'internal_error', trace_id: root } });
      assert.ok(log.lines.some((l) => l.level === 'error' && l.message === 'unhandled error'));
    } finally {
      await broken.stop();
    }
  });

  void test('DynamoDB unreachable → 503 {"error":"service_unavailable","trace_id"} with Retry-After, logged', async () => {
    const log = memoryLogger();
    const client = new DynamoDBClient({ endpoint: await deadUrl(), region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const unreachable = await startWorker(DynamoDBDocumentClient.from(client), backend.url, log);
    try {
      const root = '1-5759e988-bd862e3fe1be46a994272794';
      const response = await fetch(new URL('/internal/message-groups/fanout', unreachable.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-amzn-trace-id': `Root=${root};Parent=53995c3f42cd8ad8;Sampled=1` },
        body: JSON.stringify({ message_group_uuid: randomUUID(), sk: skAt(1), message: 'x', sender_user_uuid: alice.uuid }),
      });
      assert.equal(response.headers.get('retry-after'), '1');
      assert.deepEqual({ status: response.status, body: await response.json() }, { status: 503, body: { error: 'service_unavailable', trace_id: root } });
      assert.ok(log.lines.some((l) => l.level === 'error' && l.message === 'dependency unavailable'));
    } finally {
      await unreachable.stop();
      client.destroy();
    }
  });
});
