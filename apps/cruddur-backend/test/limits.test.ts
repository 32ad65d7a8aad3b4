// The rules that decide what a legitimate client may send: whole idempotency keys, lengths in
// user-perceived characters.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Activity } from '../src/model.js';
import { charCount } from '../src/text-length.js';
import { startStack, type Stack } from './harness.js';

void describe('limits', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ internalToken: 'limits-suite-token' });
  });
  after(async () => {
    await stack.stop();
  });

  void test('two Idempotency-Keys sharing their first 200 characters are two keys (compared whole)', async () => {
    const prefix = 'p'.repeat(200);
    const first = await stack.api('POST', '/api/activities', { body: { message: 'first', ttl: '1-hour' }, headers: { 'idempotency-key': `${prefix}-a` } });
    const second = await stack.api('POST', '/api/activities', { body: { message: 'second', ttl: '1-hour' }, headers: { 'idempotency-key': `${prefix}-b` } });
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.notEqual((first.body as Activity).uuid, (second.body as Activity).uuid);
    assert.equal((second.body as Activity).message, 'second');
    // A 255-character key is fine, and a retry with it returns the same entity.
    const key = 'k'.repeat(255);
    const a = await stack.api('POST', '/api/activities', { body: { message: 'long key', ttl: '1-hour' }, headers: { 'idempotency-key': key } });
    const b = await stack.api('POST', '/api/activities', { body: { message: 'long key', ttl: '1-hour' }, headers: { 'idempotency-key': key } });
    assert.deepEqual([a.status, b.status], [200, 200]);
    assert.equal((a.body as Activity).uuid, (b.body as Activity).uuid);
  });

  void test('lengths count what users see as characters (grapheme clusters), not UTF-16 code units', async () => {
    assert.equal(charCount('👍🏽'), 1);
    assert.equal(charCount('e\u0301'), 1);
    assert.equal(charCount('👨‍👩‍👧‍👦'), 1);
    const emoji = '👍🏽'.repeat(150);
    const ok = await stack.api('POST', '/api/activities', { body: { message: emoji, ttl: '1-hour' } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal((ok.body as Activity).message, emoji);
    const exactly = await stack.api('POST', '/api/activities', { body: { message: '👨‍👩‍👧‍👦'.repeat(280), ttl: '1-hour' } });
    assert.equal(exactly.status, 200, '280 family emoji are 280 characters');
    const over = await stack.api('POST', '/api/activities', { body: { message: '👍'.repeat(281), ttl: '1-hour' } });
    assert.deepEqual([over.status, over.body], [422, ['message_exceed_max_chars']]);
    const longMessage = await stack.api('POST', '/api/messages', { body: { message: '👨‍👩‍👧‍👦'.repeat(1024), handle: 'worf' } });
    assert.equal(longMessage.status, 200, 'the worker accepts every message the backend accepts');
    const name = await stack.api('POST', '/api/profile/update', { body: { display_name: '🦀'.repeat(100) }, user: 'garek' });
    assert.equal(name.status, 200);
  });

  void test('the worker refuses calls without the shared secret (the backend sends it)', async () => {
    const res = await fetch(new URL('/internal/moderate', stack.workerUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'activity', message: 'hi', handle: 'worf' }),
    });
    assert.deepEqual([res.status, await res.json()], [401, ['internal_token_invalid']]);
    const viaBackend = await stack.api('POST', '/api/activities', { body: { message: 'through the backend', ttl: '1-hour' } });
    assert.equal(viaBackend.status, 200);
  });
});
