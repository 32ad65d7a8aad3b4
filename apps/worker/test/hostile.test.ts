// Hostile callers against the running worker, over real sockets with the real bytes: no shared
// secret, forged sort keys, Fastify's own refusals. Every attack answers a 4xx in the API's
// envelope (never Fastify's internal codes), leaves `error` and no `fault` on its segment, sends
// nothing to Rollbar and writes nothing (the table is compared before and after).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  abortMidBody,
  assertClientError,
  assertNoRollbarItem,
  newMarker,
  observe,
  rawRequest,
  startRollbarSink,
  type Observed,
  type RollbarSink,
} from '../../cruddur-backend/test/hostile-support.js';
import { scanAll } from '../../cruddur-backend/test/harness.js';
import { MAX_CLOCK_SKEW_MS } from '../src/clock-skew.js';
import { loadConfig } from '../src/config.js';
import { tokenMatches } from '../src/internal-auth.js';
import { memoryLogger, putItem, startDynamo, startFakeBackend, startWorker, TABLE } from './harness.js';

const TOKEN = 'worker-hostile-suite-token';
const alice = { uuid: randomUUID(), handle: 'alice', display_name: 'Alice' };
const bob = { uuid: randomUUID(), handle: 'bob', display_name: 'Bob' };
const group = randomUUID();
const iso = (offsetMs: number): string => new Date(Date.now() + offsetMs).toISOString();

function sortedItems(items: Record<string, unknown>[]): string[] {
  return items.map((i) => JSON.stringify(i, Object.keys(i).sort())).sort();
}

void test('config: the worker listens on the loopback unless HOST says otherwise', () => {
  assert.equal(loadConfig({}).host, '127.0.0.1');
  assert.equal(loadConfig({ HOST: '0.0.0.0' }).host, '0.0.0.0');
  assert.equal(loadConfig({ CRUDDUR_INTERNAL_TOKEN: ' s3cret ' }).internalToken, 's3cret');
  assert.equal(loadConfig({}).internalToken, undefined);
  assert.throws(() => loadConfig({ CRUDDUR_INTERNAL_TOKEN_FILE: '/nonexistent/token' }), /CRUDDUR_INTERNAL_TOKEN_FILE is "\/nonexistent\/token"/);
});

void test('tokenMatches: equal only for the same secret, whatever the lengths', () => {
  assert.equal(tokenMatches('abc', 'abc'), true);
  for (const other of [undefined, '', 'ab', 'abcd', 'abd', 'ABC']) assert.equal(tokenMatches('abc', other), false, String(other));
});

void describe('worker under hostile callers', () => {
  let dynamo: Awaited<ReturnType<typeof startDynamo>>;
  let backend: Awaited<ReturnType<typeof startFakeBackend>>;
  let worker: Awaited<ReturnType<typeof startWorker>>;
  let trace: Observed;
  let sink: RollbarSink;
  const logger = memoryLogger();
  const realSk = `${iso(-60 * 60 * 1000)}#${randomUUID()}`;

  before(async () => {
    dynamo = await startDynamo();
    backend = await startFakeBackend({ alice, bob });
    trace = observe();
    sink = await startRollbarSink();
    worker = await startWorker(dynamo.db, backend.url, logger, TABLE, { internalToken: TOKEN, tracer: trace.tracer, reporter: sink.reporter });
    const first = `${iso(-2 * 60 * 60 * 1000)}#${randomUUID()}`;
    for (const [owner, other] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      await putItem(dynamo.db, {
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
    // A real message an hour old, stored before its fan-out ran (the backend's crash window).
    await putItem(dynamo.db, { pk: `MSG#${group}`, sk: realSk, message: 'an hour ago', user_uuid: alice.uuid, message_uuid: realSk.split('#')[1] });
  });
  after(async () => {
    await worker.stop();
    await backend.stop();
    await sink.stop();
    await dynamo.stop();
  });

  async function attack(name: string, head: string[], body: string, status: number, codes: string[], token: string | null = TOKEN, traced = true): Promise<void> {
    const before = sortedItems(await scanAll(dynamo.db));
    const marker = newMarker();
    const lines = [...head.slice(0, 1), `Host: ${marker}`, ...head.slice(1), `Content-Length: ${Buffer.byteLength(body)}`];
    if (token !== null) lines.push(`X-Cruddur-Internal-Token: ${token}`);
    const res = await rawRequest(worker.url, lines.join('\r\n'), body);
    assert.deepEqual([res.status, res.body], [status, codes], name);
    if (traced) await assertClientError(trace.emitter, marker, name);
    await assertNoRollbarItem(sink, name);
    assert.deepEqual(sortedItems(await scanAll(dynamo.db)), before, `${name}: nothing written`);
    assert.deepEqual(logger.lines.filter((l) => l.level === 'error'), [], `${name}: no error log line`);
  }

  const fanoutBody = (sk: string, message = 'forged'): string =>
    JSON.stringify({ message_group_uuid: group, sk, message, sender_user_uuid: alice.uuid });
  const json = 'Content-Type: application/json';

  void test('no, empty, wrong or different-length secret: 401 on every internal route, before anything is read', async () => {
    const routes: [string, string][] = [
      ['/internal/moderate', JSON.stringify({ kind: 'activity', message: 'hi', handle: 'alice' })],
      ['/internal/message-groups/fanout', fanoutBody(`${iso(0)}#${randomUUID()}`)],
      ['/internal/notifications', JSON.stringify({ type: 'reply', recipient_user_uuid: bob.uuid, actor_handle: 'alice', activity_uuid: randomUUID(), message: 'hi' })],
    ];
    for (const [path, body] of routes) {
      for (const token of [null, '', 'wrong', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
        await attack(`${path} token ${String(token)}`, [`POST ${path} HTTP/1.1`, json], body, 401, ['internal_token_invalid'], token);
      }
    }
  });

  void test('fan-out: sort keys not plausibly "now" are 422 sk_out_of_range; a retry of a stored message works', async () => {
    const post = (name: string, body: string): Promise<void> =>
      attack(name, ['POST /internal/message-groups/fanout HTTP/1.1', json], body, 422, ['sk_out_of_range']);
    await post('sk in 2099', fanoutBody(`2099-01-01T00:00:00.000Z#${randomUUID()}`));
    await post('sk just past the skew bound', fanoutBody(`${iso(MAX_CLOCK_SKEW_MS + 60_000)}#${randomUUID()}`));
    await post('old sk of no stored message', fanoutBody(`${iso(-60 * 60 * 1000)}#${randomUUID()}`));
    await post('stored sk, forged text', fanoutBody(realSk, 'not what alice wrote'));
    await post('impossible date', fanoutBody(`2025-13-45T99:99:99.999Z#${randomUUID()}`));

    const headers = { 'content-type': 'application/json', 'x-cruddur-internal-token': TOKEN };
    const retry = await fetch(new URL('/internal/message-groups/fanout', worker.url), { method: 'POST', headers, body: fanoutBody(realSk, 'an hour ago') });
    assert.deepEqual([retry.status, await retry.json()], [200, { updated: 2 }]);
    const now = await fetch(new URL('/internal/message-groups/fanout', worker.url), { method: 'POST', headers, body: fanoutBody(`${iso(1000)}#${randomUUID()}`, 'now') });
    assert.deepEqual([now.status, await now.json()], [200, { updated: 2 }]);
  });

  void test('notifications: a created_at in the future is 422 created_at_out_of_range', async () => {
    const body = JSON.stringify({
      type: 'reply',
      recipient_user_uuid: bob.uuid,
      actor_handle: 'alice',
      activity_uuid: randomUUID(),
      message: 'pinned on top forever',
      event_uuid: randomUUID(),
      created_at: '2099-01-01T00:00:00.000Z',
    });
    await attack('future created_at', ['POST /internal/notifications HTTP/1.1', json], body, 422, ['created_at_out_of_range']);
  });

  void test("Fastify's refusals answer in the API's envelope", async () => {
    const moderate = ['POST /internal/moderate HTTP/1.1'];
    await attack('malformed JSON', [...moderate, json], '{"kind": ', 422, ['invalid_json']);
    await attack('empty JSON body', [...moderate, json], '', 422, ['invalid_json']);
    await attack('unsupported media type', [...moderate, 'Content-Type: application/xml'], '<a/>', 415, ['unsupported_media_type']);
    await attack('too large', [...moderate, json], JSON.stringify({ message: 'x'.repeat(1_100_000) }), 413, ['payload_too_large']);
    await attack('schema', [...moderate, json], '{"kind":"poem","message":"hi","handle":"alice"}', 422, ['invalid_request']);
    await attack('4 KB handle', [...moderate, json], JSON.stringify({ kind: 'activity', message: 'hi', handle: 'a'.repeat(4096) }), 422, ['invalid_request']);
    // Refused by Fastify before routing (frameworkErrors): the X-Ray plugin's hooks never run, so
    // this request has no segment to check.
    await attack('malformed escape', ['POST /internal/%ZZ HTTP/1.1', json], '{}', 400, ['invalid_path'], TOKEN, false);
  });

  void test('a caller that goes away mid-body: no fault, no error log, no Rollbar item, nothing written', async () => {
    const before = sortedItems(await scanAll(dynamo.db));
    const marker = newMarker();
    await abortMidBody(worker.url, `POST /internal/moderate HTTP/1.1\r\nHost: ${marker}\r\n${json}\r\nX-Cruddur-Internal-Token: ${TOKEN}`, '{"kind":"act');
    const segment = (await trace.emitter.waitFor((d) => ((d as { http?: { request?: { url?: string } } }).http?.request?.url ?? '').includes(marker), 3000)) as {
      fault?: boolean;
    };
    assert.equal(segment.fault, undefined);
    await assertNoRollbarItem(sink, 'abort');
    assert.deepEqual(logger.lines.filter((l) => l.level === 'error'), []);
    assert.deepEqual(sortedItems(await scanAll(dynamo.db)), before);
  });
});
