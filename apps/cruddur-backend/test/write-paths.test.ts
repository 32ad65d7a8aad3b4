import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SEED_MESSAGE_GROUP, SEED_USERS } from '../src/db/seed.js';
import { type Activity, type Message, type MessageGroup, type Notification, type Reply, type UserItem } from '../src/model.js';
import { ActivityRepository } from '../src/repositories/activities.js';
import { MessageRepository } from '../src/repositories/messages.js';
import { Table } from '../src/repositories/table.js';
import { UserRepository } from '../src/repositories/users.js';
import { newActivityItem } from '../src/services/create-activity.js';
import { newMessageItem } from '../src/services/create-message.js';
import { newReplyItem } from '../src/services/create-reply.js';
import { TABLE, deadUrl, queryPk, scanAll, startBackend, startStack, type Stack } from './harness.js';

type Page = { profile: { cruds_count: number }; activities: Activity[] };

void describe('write paths without transactions', () => {
  let stack: Stack;
  let activities: ActivityRepository;
  let users: UserRepository;
  let messages: MessageRepository;

  before(async () => {
    stack = await startStack();
    const table = new Table(stack.dynamo.db, TABLE);
    activities = new ActivityRepository(table);
    users = new UserRepository(table);
    messages = new MessageRepository(table);
  });
  after(async () => {
    await stack.stop();
  });

  const user = async (handle: string): Promise<UserItem> => {
    const u = await users.get(handle);
    assert.ok(u);
    return u;
  };
  const crudsCount = async (handle: string): Promise<number> =>
    ((await stack.api('GET', `/api/activities/@${handle}`)).body as Page).profile.cruds_count;
  const feedRows = async (pk: string, uuid: string): Promise<number> =>
    (await queryPk(stack.dynamo.db, pk)).filter((r) => r.activity_uuid === uuid).length;
  const groupRow = async (userUuid: string, group: string): Promise<Record<string, unknown> | undefined> =>
    (await queryPk(stack.dynamo.db, `GRP#${userUuid}`)).find((r) => r.sk === `MG#${group}`);

  void describe('create activity', () => {
    void test('repeating a create with the same client uuid → one activity, counter +1', async () => {
      const before = await crudsCount('worf');
      const uuid = randomUUID();
      const body = { uuid, message: 'Today is a good day to die.', ttl: '3-days' };
      const first = await stack.api('POST', '/api/activities', { user: 'worf', body });
      const second = await stack.api('POST', '/api/activities', { user: 'worf', body });
      assert.equal(first.status, 200);
      assert.deepEqual(second, { ...second, status: 200, body: first.body });
      assert.equal((first.body as Activity).uuid, uuid);
      assert.equal(await feedRows('FEED#home', uuid), 1);
      assert.equal(await feedRows('UACT#worf', uuid), 1);
      assert.equal(await crudsCount('worf'), before + 1);
    });

    void test('Idempotency-Key header → the same derived uuid, scoped per user', async () => {
      const body = { message: 'Prune juice, again.', ttl: '1-hour' };
      const headers = { 'idempotency-key': 'order-66' };
      const a = (await stack.api('POST', '/api/activities', { user: 'worf', body, headers })).body as Activity;
      const b = (await stack.api('POST', '/api/activities', { user: 'worf', body, headers })).body as Activity;
      const c = (await stack.api('POST', '/api/activities', { user: 'garek', body, headers })).body as Activity;
      assert.equal(a.uuid, b.uuid);
      assert.notEqual(a.uuid, c.uuid);
      assert.equal(c.handle, 'garek');
    });

    void test('reusing an uuid for different content → 422 ["activity_uuid_conflict"]', async () => {
      const uuid = randomUUID();
      await stack.api('POST', '/api/activities', { user: 'worf', body: { uuid, message: 'Mine', ttl: '1-day' } });
      for (const [u, message] of [
        ['garek', 'Mine'],
        ['worf', 'Changed my mind'],
      ] as const) {
        const res = await stack.api('POST', '/api/activities', { user: u, body: { uuid, message, ttl: '1-day' } });
        assert.deepEqual([res.status, res.body], [422, ['activity_uuid_conflict']]);
      }
    });

    void test('died after step 1 (META only) → invisible; the retry finishes with the original timestamp', async () => {
      const worf = await user('worf');
      const before = await crudsCount('worf');
      const uuid = randomUUID();
      const item = newActivityItem(worf, uuid, 'Half written.', new Date(Date.now() - 60_000), 3600);
      await activities.claim(item);
      const home = (await stack.api('GET', '/api/activities/home')).body as Activity[];
      assert.ok(!home.some((a) => a.uuid === uuid));
      assert.equal(await crudsCount('worf'), before);

      const retry = await stack.api('POST', '/api/activities', {
        user: 'worf',
        body: { uuid, message: 'Half written.', ttl: '1-hour' },
      });
      assert.equal(retry.status, 200);
      assert.equal((retry.body as Activity).created_at, item.created_at);
      assert.equal(await feedRows('FEED#home', uuid), 1);
      assert.equal(await crudsCount('worf'), before + 1);
    });

    void test('died after step 2 (feed rows, counter stale) → the retry fixes the counter without double counting', async () => {
      const garek = await user('garek');
      const before = await crudsCount('garek');
      const uuid = randomUUID();
      const item = newActivityItem(garek, uuid, 'Almost there.', new Date(), 3600);
      await activities.claim(item);
      await activities.indexActivity(item);
      assert.equal(await crudsCount('garek'), before, 'counter is stale until a retry');
      const retry = await stack.api('POST', '/api/activities', {
        user: 'garek',
        body: { uuid, message: 'Almost there.', ttl: '1-hour' },
      });
      assert.equal(retry.status, 200);
      assert.equal(await crudsCount('garek'), before + 1);
    });

    void test('10 concurrent creates, each sent twice → cruds_count exact', async () => {
      const before = await crudsCount('bayko');
      const bodies = Array.from({ length: 10 }, (_, i) => ({ uuid: randomUUID(), message: `burst ${i}`, ttl: '1-day' }));
      const results = await Promise.all(
        [...bodies, ...bodies].map((body) => stack.api('POST', '/api/activities', { user: 'bayko', body })),
      );
      assert.ok(results.every((r) => r.status === 200));
      assert.equal(await crudsCount('bayko'), before + 10);
      const page = (await stack.api('GET', '/api/activities/@bayko')).body as Page;
      assert.equal(new Set(page.activities.map((a) => a.uuid)).size, page.activities.length);
    });
  });

  void describe('reply', () => {
    void test('retry with the same uuid → one reply row, one notification, replies_count 1', async () => {
      const parent = (await stack.api('POST', '/api/activities', { body: { message: 'Thoughts?', ttl: '1-day' } }))
        .body as Activity;
      const body = { uuid: randomUUID(), message: 'Plenty.' };
      const first = await stack.api('POST', `/api/activities/${parent.uuid}/reply`, { user: 'garek', body });
      const second = await stack.api('POST', `/api/activities/${parent.uuid}/reply`, { user: 'garek', body });
      assert.equal(first.status, 200);
      assert.deepEqual(second.body, first.body);
      const rows = (await queryPk(stack.dynamo.db, `ACT#${parent.uuid}`)).filter((r) => String(r.sk).startsWith('RPL#'));
      assert.equal(rows.length, 1);
      const shown = (await stack.api('GET', `/api/activities/${parent.uuid}`)).body as { activity: Activity };
      assert.equal(shown.activity.replies_count, 1);
      const notes = (await stack.api('GET', '/api/activities/notifications')).body as Notification[];
      assert.equal(notes.filter((n) => n.activity_uuid === parent.uuid).length, 1);
    });

    void test('died after the reply META → the retry adds the row, the count and the notification', async () => {
      const parent = (await stack.api('POST', '/api/activities', { body: { message: 'Anyone?', ttl: '1-day' } }))
        .body as Activity;
      const parentItem = await activities.get(parent.uuid);
      assert.ok(parentItem);
      const uuid = randomUUID();
      await activities.claim(newReplyItem(await user('worf'), uuid, parentItem, 'Here.', new Date()));
      const before = (await stack.api('GET', `/api/activities/${parent.uuid}`)).body as { replies: Reply[] };
      assert.equal(before.replies.length, 0);

      const retry = await stack.api('POST', `/api/activities/${parent.uuid}/reply`, {
        user: 'worf',
        body: { uuid, message: 'Here.' },
      });
      assert.equal(retry.status, 200);
      const after = (await stack.api('GET', `/api/activities/${parent.uuid}`)).body as {
        activity: Activity;
        replies: Reply[];
      };
      assert.deepEqual(after.replies.map((r) => r.uuid), [uuid]);
      assert.equal(after.activity.replies_count, 1);
    });

    void test('20 concurrent replies (each sent twice) → replies_count exactly 20, 20 notifications', async () => {
      const parent = (await stack.api('POST', '/api/activities', { body: { message: 'Popular post', ttl: '1-day' } }))
        .body as Activity;
      const handles = ['worf', 'garek', 'bayko'];
      const requests = Array.from({ length: 20 }, (_, i) => ({
        user: handles[i % handles.length] ?? 'worf',
        body: { uuid: randomUUID(), message: `reply ${i}` },
      }));
      const results = await Promise.all(
        [...requests, ...requests].map((r) => stack.api('POST', `/api/activities/${parent.uuid}/reply`, r)),
      );
      assert.deepEqual(
        results.filter((r) => r.status !== 200).map((r) => r.body),
        [],
      );
      const shown = (await stack.api('GET', `/api/activities/${parent.uuid}`)).body as {
        activity: Activity;
        replies: Reply[];
      };
      assert.equal(shown.activity.replies_count, 20);
      assert.equal(shown.replies.length, 20);
      const times = shown.replies.map((r) => r.created_at);
      assert.deepEqual(times, [...times].sort());
      const home = (await stack.api('GET', '/api/activities/home')).body as Activity[];
      assert.equal(home.find((a) => a.uuid === parent.uuid)?.replies_count, 20);
      const notes = (await stack.api('GET', '/api/activities/notifications')).body as Notification[];
      assert.equal(notes.filter((n) => n.activity_uuid === parent.uuid).length, 20);
    });
  });

  void describe('messages', () => {
    void test('retry of a message with the same uuid → one entry; a retried fan-out updates nothing', async () => {
      const body = { uuid: randomUUID(), message_group_uuid: SEED_MESSAGE_GROUP, message: 'Said once.' };
      const first = await stack.api('POST', '/api/messages', { body });
      const second = await stack.api('POST', '/api/messages', { body });
      assert.equal(first.status, 200);
      assert.deepEqual(second.body, first.body);
      const rows = (await queryPk(stack.dynamo.db, `MSG#${SEED_MESSAGE_GROUP}`)).filter((r) => r.message_uuid === body.uuid);
      assert.equal(rows.length, 1);

      const sent = first.body as Message;
      const fanout = await fetch(new URL('/internal/message-groups/fanout', stack.workerUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          message_group_uuid: SEED_MESSAGE_GROUP,
          sk: `${sent.created_at}#${sent.uuid}`,
          message: sent.message,
          sender_user_uuid: SEED_USERS.andrewbrown.uuid,
        }),
      });
      assert.deepEqual(await fanout.json(), { updated: 0 });
    });

    void test('died after the conversation entry, before fan-out → the retry fans out', async () => {
      const andrew = await user('andrewbrown');
      const uuid = randomUUID();
      const item = newMessageItem(andrew, uuid, SEED_MESSAGE_GROUP, 'Lost in transit?', new Date());
      await messages.claimMessage(item);
      await messages.putConversationEntry(item);
      assert.notEqual((await groupRow(SEED_USERS.bayko.uuid, SEED_MESSAGE_GROUP))?.message, 'Lost in transit?');

      const retry = await stack.api('POST', '/api/messages', {
        body: { uuid, message_group_uuid: SEED_MESSAGE_GROUP, message: 'Lost in transit?' },
      });
      assert.equal(retry.status, 200);
      assert.equal((retry.body as Message).created_at, item.created_at);
      for (const member of [SEED_USERS.andrewbrown.uuid, SEED_USERS.bayko.uuid]) {
        const row = await groupRow(member, SEED_MESSAGE_GROUP);
        assert.equal(row?.message, 'Lost in transit?');
        assert.equal(row?.last_message_sk, item.message_sk);
      }
    });

    void test('a fan-out that fails after the write → 502; the retry repairs it', async () => {
      const flaky = await startFlakyWorker();
      const backend = await startBackend(stack.dynamo.db, flaky.url);
      try {
        const body = { uuid: randomUUID(), message_group_uuid: SEED_MESSAGE_GROUP, message: 'Through the storm.' };
        const failed = await backend.api('POST', '/api/messages', { user: 'bayko', body });
        assert.deepEqual([failed.status, failed.body], [502, ['worker_unavailable']]);
        const retry = await stack.api('POST', '/api/messages', { user: 'bayko', body });
        assert.equal(retry.status, 200);
        const groups = (await stack.api('GET', '/api/message_groups')).body as MessageGroup[];
        assert.equal(groups.find((g) => g.uuid === SEED_MESSAGE_GROUP)?.message, 'Through the storm.');
      } finally {
        await backend.stop();
        await flaky.stop();
      }
    });

    void test('concurrent messages to one group → both members see the newest, nothing lost', async () => {
      const before = await queryPk(stack.dynamo.db, `MSG#${SEED_MESSAGE_GROUP}`);
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          stack.api('POST', '/api/messages', {
            user: i % 2 ? 'bayko' : 'andrewbrown',
            body: { message_group_uuid: SEED_MESSAGE_GROUP, message: `rapid ${i}` },
          }),
        ),
      );
      assert.ok(results.every((r) => r.status === 200));
      const sent = results.map((r) => r.body as Message);
      const newest = sent.reduce((a, b) => (`${a.created_at}#${a.uuid}` > `${b.created_at}#${b.uuid}` ? a : b));
      for (const member of [SEED_USERS.andrewbrown.uuid, SEED_USERS.bayko.uuid]) {
        const row = await groupRow(member, SEED_MESSAGE_GROUP);
        assert.equal(row?.message, newest.message);
        assert.equal(row?.last_message_at, newest.created_at);
      }
      const afterRows = await queryPk(stack.dynamo.db, `MSG#${SEED_MESSAGE_GROUP}`);
      assert.equal(afterRows.length, before.length + 12);
    });

    void test('concurrent "new conversation" requests converge on one group', async () => {
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          stack.api('POST', '/api/messages', { user: 'worf', body: { handle: 'garek', message: `hail ${i}` } }),
        ),
      );
      assert.ok(results.every((r) => r.status === 200));
      const groupUuids = new Set(results.map((r) => (r.body as { message_group_uuid: string }).message_group_uuid));
      assert.equal(groupUuids.size, 1);
      const [group] = [...groupUuids];
      assert.ok(group);
      const worfRows = (await queryPk(stack.dynamo.db, `GRP#${SEED_USERS.worf.uuid}`)).filter((r) => r.sk === `MG#${group}`);
      assert.equal(worfRows.length, 1);
      const list = (await stack.api('GET', `/api/messages/${group}`, { user: 'garek' })).body as Message[];
      assert.equal(list.length, 6);
      const last = list[list.length - 1];
      const garekGroups = (await stack.api('GET', '/api/message_groups', { user: 'garek' })).body as MessageGroup[];
      assert.equal(garekGroups.find((g) => g.uuid === group)?.message, last?.message);
    });

    void test('the GSI stays sparse: only member rows carry message_group_uuid', async () => {
      const items = await scanAll(stack.dynamo.db);
      const indexed = items.filter((i) => i.message_group_uuid !== undefined);
      assert.ok(indexed.length > 0);
      assert.ok(indexed.every((i) => String(i.pk).startsWith('GRP#') && String(i.sk).startsWith('MG#')));
    });
  });

  void describe('worker unavailable', () => {
    void test('writes answer 502 ["worker_unavailable"] and write nothing; reads still work', async () => {
      const backend = await startBackend(stack.dynamo.db, await deadUrl());
      try {
        const uuid = randomUUID();
        const calls: [string, Record<string, unknown>][] = [
          ['/api/activities', { uuid, message: 'Anyone there?', ttl: '1-hour' }],
          [`/api/activities/${(await firstHomeUuid(stack))}/reply`, { message: 'Hello?' }],
          ['/api/messages', { message_group_uuid: SEED_MESSAGE_GROUP, message: 'Hello?' }],
          ['/api/messages', { handle: 'worf', message: 'Hello?' }],
        ];
        for (const [path, body] of calls) {
          const res = await backend.api('POST', path, { body });
          assert.deepEqual([res.status, res.body], [502, ['worker_unavailable']], path);
        }
        assert.equal(await activities.get(uuid), undefined);
        assert.ok(backend.log.lines.some((l) => l.level === 'warn' && l.message === 'worker call failed'));
        const home = await backend.api('GET', '/api/activities/home');
        assert.equal(home.status, 200);
      } finally {
        await backend.stop();
      }
    });
  });
});

async function firstHomeUuid(stack: Stack): Promise<string> {
  const home = (await stack.api('GET', '/api/activities/home')).body as Activity[];
  const first = home[0];
  assert.ok(first);
  return first.uuid;
}

/** A worker that approves every message and fails every fan-out (a crash after the write). */
async function startFlakyWorker(): Promise<{ url: string; stop: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/internal/moderate') {
        res.end(JSON.stringify({ allowed: true, reasons: [] }));
        return;
      }
      res.statusCode = 503;
      res.end(JSON.stringify({ error: 'internal_error' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
