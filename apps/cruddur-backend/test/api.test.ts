import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SEED_ACTIVITIES, SEED_MESSAGE_GROUP, SEED_USERS } from '../src/db/seed.js';
import { type Activity, type Message, type MessageGroup, type Notification, type Reply } from '../src/model.js';
import { deadUrl, startBackend, startStack, type Stack } from './harness.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

void describe('cruddur-backend API', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack.stop();
  });

  void describe('general', () => {
    void test('GET /api/health-check', async () => {
      const res = await stack.api('GET', '/api/health-check');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { success: true, ver: 1 });
    });

    void test('GET /rollbar/test answers text', async () => {
      const res = await stack.api('GET', '/rollbar/test');
      assert.equal(res.status, 200);
      assert.equal(res.body, 'Hello World!');
      assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    });

    void test('unknown route → 404 ["route_not_found"]', async () => {
      const res = await stack.api('GET', '/api/nope');
      assert.deepEqual([res.status, res.body], [404, ['route_not_found']]);
    });

    void test('malformed JSON → 422 ["invalid_json"]', async () => {
      const res = await stack.api('POST', '/api/activities', { rawBody: '{"message": ' });
      assert.deepEqual([res.status, res.body], [422, ['invalid_json']]);
    });

    void test('unknown X-Cruddur-User → 401 ["user_unknown"] on every user route', async () => {
      const calls: [string, string][] = [
        ['GET', '/api/activities/notifications'],
        ['POST', '/api/activities'],
        ['POST', `/api/activities/${SEED_ACTIVITIES.cloudIsFun}/reply`],
        ['GET', '/api/message_groups'],
        ['GET', `/api/messages/${SEED_MESSAGE_GROUP}`],
        ['POST', '/api/messages'],
        ['POST', '/api/profile/update'],
      ];
      for (const [method, path] of calls) {
        const res = await stack.api(method, path, { user: 'nobody', body: method === 'POST' ? {} : undefined });
        assert.deepEqual([res.status, res.body], [401, ['user_unknown']], `${method} ${path}`);
      }
    });

    void test('unexpected error → 500 {"error":"internal_error","trace_id"} naming the trace of the response header, logged once', async () => {
      const broken = await startBackend(stack.dynamo.db, stack.workerUrl, 'no-such-table');
      try {
        const res = await broken.api('GET', '/api/activities/home');
        const root = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24})/.exec(res.headers.get('x-amzn-trace-id') ?? '')?.[1];
        assert.ok(root, 'every response carries its trace id');
        assert.deepEqual([res.status, res.body], [500, { error: 'internal_error', trace_id: root }]);
        assert.equal(broken.log.lines.filter((l) => l.level === 'error').length, 1);
      } finally {
        await broken.stop();
      }
    });

    void test('DynamoDB unreachable → 503 {"error":"service_unavailable","trace_id"} with Retry-After, logged once', async () => {
      const client = new DynamoDBClient({ endpoint: await deadUrl(), region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
      const unreachable = await startBackend(DynamoDBDocumentClient.from(client), stack.workerUrl);
      try {
        const res = await unreachable.api('GET', '/api/activities/home');
        const root = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24})/.exec(res.headers.get('x-amzn-trace-id') ?? '')?.[1];
        assert.ok(root);
        assert.deepEqual([res.status, res.body, res.headers.get('retry-after')], [503, { error: 'service_unavailable', trace_id: root }, '1']);
        assert.deepEqual(unreachable.log.lines.filter((l) => l.level === 'error').map((l) => l.message), ['dependency unavailable']);
      } finally {
        await unreachable.stop();
        client.destroy();
      }
    });
  });

  void describe('activities (reads)', () => {
    void test('GET /api/activities/home: seeded activities, newest first, no replies', async () => {
      const res = await stack.api('GET', '/api/activities/home');
      assert.equal(res.status, 200);
      const list = res.body as Activity[];
      const seeded = [SEED_ACTIVITIES.tailor, SEED_ACTIVITIES.singleTable, SEED_ACTIVITIES.cloudIsFun, SEED_ACTIVITIES.pruneJuice];
      assert.deepEqual(
        list.filter((a) => (seeded as string[]).includes(a.uuid)).map((a) => a.uuid),
        seeded,
      );
      assert.ok(!list.some((a) => a.uuid === SEED_ACTIVITIES.noHonorReply));
      const cloud = list.find((a) => a.uuid === SEED_ACTIVITIES.cloudIsFun);
      assert.ok(cloud);
      assert.deepEqual(Object.keys(cloud).sort(), [
        'created_at',
        'display_name',
        'expires_at',
        'handle',
        'likes_count',
        'message',
        'replies_count',
        'reposts_count',
        'uuid',
      ]);
      assert.equal(cloud.handle, 'andrewbrown');
      assert.equal(cloud.display_name, 'Andrew Brown');
      assert.equal(cloud.replies_count, 1);
      assert.match(cloud.created_at, ISO);
      assert.match(cloud.expires_at, ISO);
    });

    void test('GET /api/activities/search', async () => {
      const hit = await stack.api('GET', '/api/activities/search?term=prune');
      assert.equal(hit.status, 200);
      assert.deepEqual((hit.body as Activity[]).map((a) => a.uuid), [SEED_ACTIVITIES.pruneJuice]);
      const miss = await stack.api('GET', '/api/activities/search?term=zebra');
      assert.deepEqual([miss.status, miss.body], [200, []]);
      const blank = await stack.api('GET', '/api/activities/search?term=%20');
      assert.deepEqual([blank.status, blank.body], [422, ['search_term_blank']]);
      const missing = await stack.api('GET', '/api/activities/search');
      assert.deepEqual([missing.status, missing.body], [422, ['search_term_blank']]);
    });

    void test('GET /api/activities/@:handle: profile + activities', async () => {
      const res = await stack.api('GET', '/api/activities/@worf');
      assert.equal(res.status, 200);
      const body = res.body as { profile: Record<string, unknown>; activities: Activity[] };
      assert.deepEqual(body.profile, {
        uuid: SEED_USERS.worf.uuid,
        handle: 'worf',
        display_name: 'Worf',
        bio: SEED_USERS.worf.bio,
        cruds_count: 1,
      });
      assert.deepEqual(body.activities.map((a) => a.uuid), [SEED_ACTIVITIES.pruneJuice]);
    });

    void test('GET /api/activities/@:handle errors', async () => {
      const unknown = await stack.api('GET', '/api/activities/@nobody');
      assert.deepEqual([unknown.status, unknown.body], [404, ['user_not_found']]);
      const blank = await stack.api('GET', '/api/activities/@%20');
      assert.deepEqual([blank.status, blank.body], [422, ['blank_user_handle']]);
    });

    void test('GET /api/activities/:uuid and the status alias', async () => {
      const res = await stack.api('GET', `/api/activities/${SEED_ACTIVITIES.cloudIsFun}`);
      assert.equal(res.status, 200);
      const body = res.body as { activity: Activity; replies: Reply[] };
      assert.equal(body.activity.message, 'Cloud is fun!');
      assert.equal(body.replies.length, 1);
      assert.deepEqual(body.replies[0], {
        uuid: SEED_ACTIVITIES.noHonorReply,
        reply_to_activity_uuid: SEED_ACTIVITIES.cloudIsFun,
        display_name: 'Worf',
        handle: 'worf',
        message: 'This post has no honor!',
        created_at: body.replies[0]?.created_at,
        likes_count: 0,
        replies_count: 0,
        reposts_count: 0,
      });
      const alias = await stack.api('GET', `/api/activities/@andrewbrown/status/${SEED_ACTIVITIES.cloudIsFun}`);
      assert.deepEqual([alias.status, alias.body], [200, res.body]);
    });

    void test('GET /api/activities/:uuid errors → 404 ["activity_not_found"]', async () => {
      for (const path of [
        '/api/activities/00000000-0000-4000-8000-000000000000',
        '/api/activities/not-a-uuid',
        `/api/activities/@worf/status/${SEED_ACTIVITIES.cloudIsFun}`,
      ]) {
        const res = await stack.api('GET', path);
        assert.deepEqual([res.status, res.body], [404, ['activity_not_found']], path);
      }
    });
  });

  void describe('activities (writes)', () => {
    void test('POST /api/activities creates an activity visible everywhere', async () => {
      const res = await stack.api('POST', '/api/activities', {
        user: 'garek',
        body: { message: 'Lies are the truth of the matter.', ttl: '7-days' },
      });
      assert.equal(res.status, 200);
      const activity = res.body as Activity;
      assert.match(activity.uuid, UUID);
      assert.equal(activity.handle, 'garek');
      assert.equal(activity.display_name, 'Garek');
      assert.equal(activity.replies_count, 0);
      assert.equal(Date.parse(activity.expires_at) - Date.parse(activity.created_at), 7 * 24 * 3600 * 1000);

      const home = (await stack.api('GET', '/api/activities/home')).body as Activity[];
      assert.equal(home[0]?.uuid, activity.uuid);
      const page = (await stack.api('GET', '/api/activities/@garek')).body as {
        profile: { cruds_count: number };
        activities: Activity[];
      };
      assert.equal(page.activities[0]?.uuid, activity.uuid);
      assert.equal(page.profile.cruds_count, 2);
      const shown = await stack.api('GET', `/api/activities/${activity.uuid}`);
      assert.deepEqual(shown.body, { activity, replies: [] });
    });

    void test('POST /api/activities validation → 422 with every failing code', async () => {
      const empty = await stack.api('POST', '/api/activities', { body: {} });
      assert.deepEqual([empty.status, empty.body], [422, ['ttl_blank', 'message_blank']]);
      const long = await stack.api('POST', '/api/activities', { body: { message: 'x'.repeat(281), ttl: '1-hour' } });
      assert.deepEqual([long.status, long.body], [422, ['message_exceed_max_chars']]);
      const badTtl = await stack.api('POST', '/api/activities', { body: { message: 'hi', ttl: '2-weeks' } });
      assert.deepEqual([badTtl.status, badTtl.body], [422, ['ttl_blank']]);
      const badUuid = await stack.api('POST', '/api/activities', { body: { message: 'hi', ttl: '1-hour', uuid: 'x' } });
      assert.deepEqual([badUuid.status, badUuid.body], [422, ['uuid_invalid']]);
    });

    void test('POST /api/activities rejected by moderation → 422 ["message_rejected"], nothing written', async () => {
      const before = (await stack.api('GET', '/api/activities/@bayko')).body as { profile: { cruds_count: number } };
      const res = await stack.api('POST', '/api/activities', {
        user: 'bayko',
        body: { message: 'Free money at the casino', ttl: '1-day' },
      });
      assert.deepEqual([res.status, res.body], [422, ['message_rejected']]);
      const afterPage = (await stack.api('GET', '/api/activities/@bayko')).body as { profile: { cruds_count: number } };
      assert.equal(afterPage.profile.cruds_count, before.profile.cruds_count);
    });

    void test('POST /api/activities/:uuid/reply → Reply, counter, notification through the worker', async () => {
      const created = (await stack.api('POST', '/api/activities', { body: { message: 'Qapla?', ttl: '1-day' } }))
        .body as Activity;
      const res = await stack.api('POST', `/api/activities/${created.uuid}/reply`, {
        user: 'worf',
        body: { message: 'Qapla!' },
      });
      assert.equal(res.status, 200);
      const reply = res.body as Reply;
      assert.equal(reply.reply_to_activity_uuid, created.uuid);
      assert.equal(reply.handle, 'worf');
      assert.match(reply.created_at, ISO);

      const shown = (await stack.api('GET', `/api/activities/${created.uuid}`)).body as {
        activity: Activity;
        replies: Reply[];
      };
      assert.equal(shown.activity.replies_count, 1);
      assert.deepEqual(shown.replies, [reply]);

      // The worker resolved the actor by calling the backend back, then wrote the notification.
      const notifications = (await stack.api('GET', '/api/activities/notifications')).body as Notification[];
      const n = notifications.find((x) => x.activity_uuid === created.uuid);
      assert.ok(n, 'notification for andrewbrown');
      assert.equal(n.type, 'reply');
      assert.equal(n.handle, 'worf');
      assert.equal(n.display_name, 'Worf');
      assert.equal(n.message, 'Qapla!');
      assert.equal(n.created_at, reply.created_at);
      const worfs = (await stack.api('GET', '/api/activities/notifications', { user: 'worf' })).body as Notification[];
      assert.ok(!worfs.some((x) => x.activity_uuid === created.uuid));
    });

    void test('replying to your own activity does not notify', async () => {
      const created = (await stack.api('POST', '/api/activities', { user: 'bayko', body: { message: 'Me', ttl: '1-day' } }))
        .body as Activity;
      const res = await stack.api('POST', `/api/activities/${created.uuid}/reply`, { user: 'bayko', body: { message: 'Myself' } });
      assert.equal(res.status, 200);
      const mine = (await stack.api('GET', '/api/activities/notifications', { user: 'bayko' })).body as Notification[];
      assert.ok(!mine.some((x) => x.activity_uuid === created.uuid));
    });

    void test('POST reply errors', async () => {
      const path = `/api/activities/${SEED_ACTIVITIES.pruneJuice}/reply`;
      const blank = await stack.api('POST', path, { body: { message: '  ' } });
      assert.deepEqual([blank.status, blank.body], [422, ['message_blank']]);
      const long = await stack.api('POST', path, { body: { message: 'x'.repeat(1025) } });
      assert.deepEqual([long.status, long.body], [422, ['message_exceed_max_chars_1024']]);
      const missing = await stack.api('POST', '/api/activities/00000000-0000-4000-8000-000000000000/reply', {
        body: { message: 'hello?' },
      });
      assert.deepEqual([missing.status, missing.body], [404, ['activity_not_found']]);
      const rejected = await stack.api('POST', path, { body: { message: 'this is a scam' } });
      assert.deepEqual([rejected.status, rejected.body], [422, ['message_rejected']]);
    });
  });

  void describe('messages', () => {
    void test('GET /api/message_groups: seeded conversation', async () => {
      const res = await stack.api('GET', '/api/message_groups', { user: 'bayko' });
      assert.equal(res.status, 200);
      const groups = res.body as MessageGroup[];
      const seeded = groups.find((g) => g.uuid === SEED_MESSAGE_GROUP);
      assert.ok(seeded);
      assert.equal(seeded.handle, 'andrewbrown');
      assert.equal(seeded.display_name, 'Andrew Brown');
      assert.match(seeded.created_at, ISO);
      const none = await stack.api('GET', '/api/message_groups', { user: 'garek' });
      assert.deepEqual([none.status, none.body], [200, []]);
    });

    void test('GET /api/messages/:group: oldest first; a group you are not in answers like one that does not exist', async () => {
      const res = await stack.api('GET', `/api/messages/${SEED_MESSAGE_GROUP}`, { user: 'bayko' });
      assert.equal(res.status, 200);
      const messages = res.body as Message[];
      assert.equal(messages.length, 6);
      const times = messages.map((m) => m.created_at);
      assert.deepEqual(times, [...times].sort());
      assert.deepEqual(Object.keys(messages[0] ?? {}).sort(), ['created_at', 'display_name', 'handle', 'message', 'uuid']);
      const stranger = await stack.api('GET', `/api/messages/${SEED_MESSAGE_GROUP}`, { user: 'garek' });
      assert.deepEqual([stranger.status, stranger.body], [404, ['message_group_not_found']]);
      const unknown = await stack.api('GET', '/api/messages/00000000-0000-4000-8000-000000000000');
      assert.deepEqual([unknown.status, unknown.body], [404, ['message_group_not_found']]);
      const garbage = await stack.api('GET', '/api/messages/garbage');
      assert.deepEqual([garbage.status, garbage.body], [404, ['message_group_not_found']]);
    });

    void test('new conversation, then a message to the existing group fanned out to both members', async () => {
      const created = await stack.api('POST', '/api/messages', {
        user: 'garek',
        body: { handle: 'worf', message: 'Commander, a word?' },
      });
      assert.equal(created.status, 200);
      const { message_group_uuid: group } = created.body as { message_group_uuid: string };
      assert.match(group, UUID);
      assert.deepEqual(Object.keys(created.body as object), ['message_group_uuid']);

      const worfGroups = (await stack.api('GET', '/api/message_groups', { user: 'worf' })).body as MessageGroup[];
      assert.deepEqual(
        worfGroups.filter((g) => g.uuid === group).map((g) => [g.handle, g.message]),
        [['garek', 'Commander, a word?']],
      );

      const reply = await stack.api('POST', '/api/messages', {
        user: 'worf',
        body: { message_group_uuid: group, message: 'Speak, tailor.' },
      });
      assert.equal(reply.status, 200);
      const message = reply.body as Message & { message_group_uuid: string };
      assert.equal(message.message_group_uuid, group);
      assert.equal(message.handle, 'worf');
      assert.equal(message.display_name, 'Worf');
      assert.match(message.uuid, UUID);

      for (const [user, other] of [
        ['garek', 'worf'],
        ['worf', 'garek'],
      ] as const) {
        const groups = (await stack.api('GET', '/api/message_groups', { user })).body as MessageGroup[];
        assert.equal(groups[0]?.uuid, group, `${user} sees the conversation first`);
        assert.equal(groups[0]?.handle, other);
        assert.equal(groups[0]?.message, 'Speak, tailor.');
        assert.equal(groups[0]?.created_at, message.created_at);
      }
      const list = (await stack.api('GET', `/api/messages/${group}`, { user: 'garek' })).body as Message[];
      assert.deepEqual(
        list.map((m) => [m.handle, m.message]),
        [
          ['garek', 'Commander, a word?'],
          ['worf', 'Speak, tailor.'],
        ],
      );
    });

    void test('"new conversation" with someone you already talk to reuses the group', async () => {
      const res = await stack.api('POST', '/api/messages', {
        user: 'bayko',
        body: { handle: 'andrewbrown', message: 'Back to the design review?' },
      });
      assert.deepEqual([res.status, res.body], [200, { message_group_uuid: SEED_MESSAGE_GROUP }]);
      const groups = (await stack.api('GET', '/api/message_groups')).body as MessageGroup[];
      const seeded = groups.filter((g) => g.uuid === SEED_MESSAGE_GROUP);
      assert.equal(seeded.length, 1);
      assert.equal(seeded[0]?.message, 'Back to the design review?');
    });

    void test('POST /api/messages errors', async () => {
      const cases: [Record<string, unknown>, string | undefined, number, string[]][] = [
        [{}, undefined, 422, ['message_blank', 'message_group_uuid_blank', 'user_reciever_handle_blank']],
        [{ mode: 'update', message: 'hi' }, undefined, 422, ['message_group_uuid_blank']],
        [{ mode: 'create', message: 'hi' }, undefined, 422, ['user_reciever_handle_blank']],
        [{ handle: 'worf', message: 'x'.repeat(1025) }, undefined, 422, ['message_exceed_max_chars_1024']],
        [{ handle: 'nobody', message: 'hi' }, undefined, 404, ['user_not_found']],
        [{ handle: 'andrewbrown', message: 'hi' }, undefined, 422, ['user_reciever_handle_self']],
        [{ handle: 'worf', message: 'visit my casino' }, undefined, 422, ['message_rejected']],
        [{ message_group_uuid: SEED_MESSAGE_GROUP, message: 'hi' }, 'garek', 404, ['message_group_not_found']],
        [{ message_group_uuid: '00000000-0000-4000-8000-000000000000', message: 'hi' }, undefined, 404, ['message_group_not_found']],
        [{ message_group_uuid: SEED_MESSAGE_GROUP, message: 'spam spam spam' }, undefined, 422, ['message_rejected']],
      ];
      for (const [body, user, status, codes] of cases) {
        const res = await stack.api('POST', '/api/messages', { body, user });
        assert.deepEqual([res.status, res.body], [status, codes], JSON.stringify(body));
      }
    });
  });

  void describe('users', () => {
    void test('GET /api/users/@:handle/short', async () => {
      const res = await stack.api('GET', '/api/users/@bayko/short');
      assert.deepEqual([res.status, res.body], [
        200,
        { uuid: SEED_USERS.bayko.uuid, handle: 'bayko', display_name: 'Andrew Bayko' },
      ]);
      const unknown = await stack.api('GET', '/api/users/@nobody/short');
      assert.deepEqual([unknown.status, unknown.body], [404, ['user_not_found']]);
    });

    void test('POST /api/profile/update', async () => {
      const res = await stack.api('POST', '/api/profile/update', {
        user: 'garek',
        body: { display_name: 'Elim Garak', bio: 'Exile on Deep Space Nine.' },
      });
      assert.deepEqual([res.status, res.body], [
        200,
        { uuid: SEED_USERS.garek.uuid, handle: 'garek', display_name: 'Elim Garak', bio: 'Exile on Deep Space Nine.' },
      ]);
      const short = await stack.api('GET', '/api/users/@garek/short');
      assert.equal((short.body as { display_name: string }).display_name, 'Elim Garak');
      const keepBio = await stack.api('POST', '/api/profile/update', { user: 'garek', body: { display_name: 'Garek' } });
      assert.equal((keepBio.body as { bio: string }).bio, 'Exile on Deep Space Nine.');
      const blank = await stack.api('POST', '/api/profile/update', { user: 'garek', body: { display_name: ' ', bio: 'x' } });
      assert.deepEqual([blank.status, blank.body], [422, ['display_name_blank']]);
      const longBio = await stack.api('POST', '/api/profile/update', {
        user: 'garek',
        body: { display_name: 'Garek', bio: 'x'.repeat(501) },
      });
      assert.deepEqual([longBio.status, longBio.body], [422, ['bio_exceed_max_chars']]);
    });
  });
});
