// Hostile clients against the running backend (and the real worker behind it), over real
// sockets with the real bytes. Every attack must answer a 4xx in the API's envelope, leave
// `error` and no `fault` on its segment, send nothing to Rollbar, and write nothing: the table
// is compared item by item before and after each attack.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { SEED_ACTIVITIES, SEED_MESSAGE_GROUP } from '../src/db/seed.js';
import { type Activity, type MessageGroup } from '../src/model.js';
import {
  abortMidBody,
  assertClientError,
  assertNoRollbarItem,
  newMarker,
  observe,
  rawRequest,
  segmentOf,
  startRollbarSink,
  type Observed,
  type RollbarSink,
} from './hostile-support.js';
import { scanAll, startStack, type Stack } from './harness.js';

const TOKEN = 'hostile-suite-internal-token';
const LONG_HANDLE = 'a'.repeat(4096);
const JSON_HEADERS = 'Content-Type: application/json';

interface Attack {
  name: string;
  method: string;
  /** Path and query, sent as they are. */
  path: string;
  headers?: string[];
  body?: Buffer | string;
  status: number;
  codes: string[];
}

function sortedItems(items: Record<string, unknown>[]): string[] {
  return items.map((i) => JSON.stringify(i, Object.keys(i).sort())).sort();
}

void describe('cruddur-backend under hostile clients', () => {
  let stack: Stack;
  let backendTrace: Observed;
  let sink: RollbarSink;

  before(async () => {
    backendTrace = observe();
    sink = await startRollbarSink();
    stack = await startStack({ internalToken: TOKEN, backend: { tracer: backendTrace.tracer, reporter: sink.reporter } });
  });
  after(async () => {
    await stack.stop();
    await sink.stop();
  });

  /** Sends one attack, checks answer, trace, Rollbar and that the table did not change. */
  async function attack(a: Attack): Promise<void> {
    const before = sortedItems(await scanAll(stack.dynamo.db));
    const marker = newMarker();
    const body = a.body ?? '';
    const lines = [`${a.method} ${a.path} HTTP/1.1`, `Host: ${marker}`, ...(a.headers ?? [])];
    if (a.method === 'POST') lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    const res = await rawRequest(stack.backendUrl, lines.join('\r\n'), body);
    assert.deepEqual([res.status, res.body], [a.status, a.codes], a.name);
    await assertClientError(backendTrace.emitter, marker, a.name);
    await assertNoRollbarItem(sink, a.name);
    assert.deepEqual(sortedItems(await scanAll(stack.dynamo.db)), before, `${a.name}: nothing written`);
    assert.deepEqual(
      stack.backendLog.lines.filter((l) => l.level === 'error'),
      [],
      `${a.name}: no error log line`,
    );
  }

  const userRoutes: [string, string, string?][] = [
    ['GET', '/api/activities/notifications'],
    ['POST', '/api/activities', '{"message":"hi","ttl":"1-hour"}'],
    ['POST', `/api/activities/${SEED_ACTIVITIES.cloudIsFun}/reply`, '{"message":"hi"}'],
    ['GET', '/api/message_groups'],
    ['GET', `/api/messages/${SEED_MESSAGE_GROUP}`],
    ['POST', '/api/messages', '{"message":"hi","handle":"worf"}'],
    ['POST', '/api/profile/update', '{"display_name":"x"}'],
  ];

  void test('identity: a multi-kilobyte, empty or non-ASCII X-Cruddur-User is 400 on every route that needs a user', async () => {
    for (const [method, path, body] of userRoutes) {
      for (const [label, header] of [
        ['4 KB handle', `X-Cruddur-User: ${LONG_HANDLE}`],
        ['empty header (not the default user)', 'X-Cruddur-User:'],
        ['latin-1 byte', 'X-Cruddur-User: andr\xe9wbrown'],
        ['key separator', 'X-Cruddur-User: worf#PROFILE'],
      ] as const) {
        await attack({ name: `${method} ${path} ${label}`, method, path, headers: [header, JSON_HEADERS], body, status: 400, codes: ['user_handle_invalid'] });
      }
    }
  });

  void test('paths: kilobyte handles name nobody (no storage call), malformed escapes are 400 invalid_path', async () => {
    await attack({ name: 'user page, 4 KB handle', method: 'GET', path: `/api/activities/@${LONG_HANDLE}`, status: 404, codes: ['user_not_found'] });
    await attack({ name: 'users short, 4 KB handle', method: 'GET', path: `/api/users/@${LONG_HANDLE}/short`, status: 404, codes: ['user_not_found'] });
    await attack({
      name: 'new conversation, 4 KB handle',
      method: 'POST',
      path: '/api/messages',
      headers: [JSON_HEADERS],
      body: JSON.stringify({ message: 'hi', handle: LONG_HANDLE }),
      status: 404,
      codes: ['user_not_found'],
    });
    for (const path of ['/api/activities/%ZZ', '/api/activities/@%ZZ', '/api/users/@%E0%A4%A/short', `/api/activities/@worf/status/%ZZ`]) {
      await attack({ name: `GET ${path}`, method: 'GET', path, status: 400, codes: ['invalid_path'] });
    }
    await attack({ name: 'GET messages %ZZ', method: 'GET', path: '/api/messages/%ZZ', headers: ['X-Cruddur-User: worf'], status: 400, codes: ['invalid_path'] });
  });

  void test('bodies: unsupported charset and encoding are 415, corrupt gzip 400, too large 413, malformed JSON 422', async () => {
    const post = (name: string, headers: string[], body: Buffer | string, status: number, codes: string[]): Promise<void> =>
      attack({ name, method: 'POST', path: '/api/activities', headers, body, status, codes });
    await post('charset', ['Content-Type: application/json; charset=klingon'], '{}', 415, ['unsupported_charset']);
    await post('encoding', [JSON_HEADERS, 'Content-Encoding: br2'], '{}', 415, ['unsupported_content_encoding']);
    await post('not gzip', [JSON_HEADERS, 'Content-Encoding: gzip'], 'plain text', 400, ['invalid_body']);
    await post('truncated gzip', [JSON_HEADERS, 'Content-Encoding: gzip'], gzipSync('{"message":"hi","ttl":"1-hour"}').subarray(0, 12), 400, ['invalid_body']);
    await post('too large', [JSON_HEADERS], JSON.stringify({ message: 'x'.repeat(70_000) }), 413, ['payload_too_large']);
    await post('malformed JSON', [JSON_HEADERS], '{"message": ', 422, ['invalid_json']);
  });

  void test('Idempotency-Key: too long, empty or not printable ASCII is 422 idempotency_key_invalid', async () => {
    for (const [label, key] of [
      ['256 characters', 'k'.repeat(256)],
      ['empty', ''],
      ['blank', '   '],
      ['latin-1 byte', 'caf\xe9'],
      ['tab inside', 'a\tb'],
    ] as const) {
      await attack({
        name: `Idempotency-Key ${label}`,
        method: 'POST',
        path: '/api/activities',
        headers: [JSON_HEADERS, `Idempotency-Key: ${key}`],
        body: '{"message":"hello","ttl":"1-hour"}',
        status: 422,
        codes: ['idempotency_key_invalid'],
      });
    }
  });

  void test('privacy: a group you are not in looks exactly like a group that does not exist', async () => {
    const stranger = ['X-Cruddur-User: garek'];
    const unknownGroup = '0f0e0d0c-0b0a-4090-8807-060504030201';
    for (const group of [SEED_MESSAGE_GROUP, unknownGroup]) {
      await attack({ name: `GET group ${group}`, method: 'GET', path: `/api/messages/${group}`, headers: stranger, status: 404, codes: ['message_group_not_found'] });
      await attack({
        name: `POST to group ${group}`,
        method: 'POST',
        path: '/api/messages',
        headers: [...stranger, JSON_HEADERS],
        body: JSON.stringify({ message: 'let me in', message_group_uuid: group }),
        status: 404,
        codes: ['message_group_not_found'],
      });
    }
    // Same headers too (nothing but the trace id and the date may differ).
    const headersOf = async (group: string): Promise<string[]> => {
      const res = await rawRequest(stack.backendUrl, `GET /api/messages/${group} HTTP/1.1\r\nHost: x\r\nX-Cruddur-User: garek`);
      return Object.entries(res.headers)
        .filter(([name]) => !['date', 'x-amzn-trace-id', 'etag'].includes(name))
        .map(([name, value]) => `${name}: ${value}`)
        .sort();
    };
    assert.deepEqual(await headersOf(SEED_MESSAGE_GROUP), await headersOf(unknownGroup));
  });

  void test('ids: the nil and max uuids are not accepted as client-supplied ids', async () => {
    for (const uuid of ['00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF']) {
      await attack({
        name: `uuid ${uuid}`,
        method: 'POST',
        path: '/api/activities',
        headers: [JSON_HEADERS],
        body: JSON.stringify({ message: 'hi', ttl: '1-hour', uuid }),
        status: 422,
        codes: ['uuid_invalid'],
      });
    }
  });

  void test('HEAD /rollbar/test reports nothing (GET does, once)', async () => {
    const marker = newMarker();
    const head = await rawRequest(stack.backendUrl, `HEAD /rollbar/test HTTP/1.1\r\nHost: ${marker}`);
    assert.equal(head.status, 200);
    await segmentOf(backendTrace.emitter, marker);
    await assertNoRollbarItem(sink, 'HEAD /rollbar/test');
    const get = await rawRequest(stack.backendUrl, `GET /rollbar/test HTTP/1.1\r\nHost: x`);
    assert.deepEqual([get.status, get.body], [200, 'Hello World!']);
    await sink.reporter.flush(2000);
    assert.equal(sink.items.length, 1, 'GET sends its warning');
    sink.items.length = 0;
  });

  void test('a client that goes away mid-body: no answer, no fault, no error log, no Rollbar item, nothing written', async () => {
    const before = sortedItems(await scanAll(stack.dynamo.db));
    const marker = newMarker();
    await abortMidBody(stack.backendUrl, `POST /api/activities HTTP/1.1\r\nHost: ${marker}\r\n${JSON_HEADERS}`, '{"message":"hel');
    const segment = await segmentOf(backendTrace.emitter, marker);
    assert.equal(segment.fault, undefined, 'no fault');
    assert.equal(segment.annotations?.client_aborted, true, 'marked as the client going away');
    await assertNoRollbarItem(sink, 'abort');
    assert.deepEqual(stack.backendLog.lines.filter((l) => l.level === 'error'), []);
    assert.ok(stack.backendLog.lines.some((l) => l.message === 'client went away'));
    assert.deepEqual(sortedItems(await scanAll(stack.dynamo.db)), before);
  });

  void test('after the attacks, everything readable is what legitimate requests wrote', async () => {
    const home = await stack.api('GET', '/api/activities/home');
    assert.equal(home.status, 200);
    const uuids = (home.body as Activity[]).map((a) => a.uuid);
    assert.deepEqual(uuids, [SEED_ACTIVITIES.tailor, SEED_ACTIVITIES.singleTable, SEED_ACTIVITIES.cloudIsFun, SEED_ACTIVITIES.pruneJuice]);
    const groups = await stack.api('GET', '/api/message_groups', { user: 'bayko' });
    assert.deepEqual((groups.body as MessageGroup[]).map((g) => g.uuid), [SEED_MESSAGE_GROUP]);
    const notifications = await stack.api('GET', '/api/activities/notifications', { user: 'andrewbrown' });
    assert.equal(notifications.status, 200);
    assert.equal(sink.items.length, 0);
  });
});
