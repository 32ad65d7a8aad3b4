// The pure parts of the CloudWatch Logs transport: truncation, the bounded buffer, batch cutting
// against the PutLogEvents limits, and how failures are classified.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextBatchSize, PUT_LOG_EVENTS_LIMITS } from '../src/logger/cloudwatch/batch.js';
import { EventBuffer } from '../src/logger/cloudwatch/event-buffer.js';
import { backoffMs } from '../src/core/backoff.js';
import { classifyFailure } from '../src/logger/cloudwatch/retry.js';
import { MAX_MESSAGE_BYTES } from '../src/logger/cloudwatch/limits.js';
import { fitMessage } from '../src/logger/cloudwatch/truncate.js';

test('a message over the event limit is cut on a character boundary and marked', () => {
  // prepare: 4-byte emoji and 3-byte CJK so any byte cut could land mid-character
  const message = '{"level":"info","message":"' + '😀語'.repeat(40_000) + '"}';
  assert.ok(Buffer.byteLength(message) > MAX_MESSAGE_BYTES);
  // act
  const fitted = fitMessage(message);
  // assert
  assert.ok(fitted.bytes <= MAX_MESSAGE_BYTES, `${fitted.bytes} bytes`);
  assert.equal(fitted.bytes, Buffer.byteLength(fitted.message));
  assert.equal(fitted.message.includes('\uFFFD'), false, 'no broken character');
  assert.match(fitted.message, /…\[truncated \d+ bytes\]$/);
  assert.equal(fitted.removed, Buffer.byteLength(message) - Buffer.byteLength(fitted.message.replace(/…\[truncated \d+ bytes\]$/, '')));
  assert.ok(message.startsWith(fitted.message.replace(/…\[truncated \d+ bytes\]$/, '')));
});

test('cutting at every offset near the limit never splits a character', () => {
  const base = 'a😀b語c';
  for (let max = 30; max < 60; max++) {
    const fitted = fitMessage(base.repeat(10), max);
    assert.ok(fitted.bytes <= max, `max ${max}: ${fitted.bytes}`);
    assert.equal(fitted.message.includes('\uFFFD'), false);
  }
  assert.deepEqual(fitMessage('short', 100), { message: 'short', bytes: 5, removed: 0 });
});

test('the buffer refuses entries beyond its caps and keeps the accepted ones in order', () => {
  const buffer = new EventBuffer({ maxEvents: 3, maxBytes: 1_000 });
  assert.equal(buffer.push('a', 1, 1000), true);
  assert.equal(buffer.push('b', 1, 999), true, 'a clock stepping back is accepted');
  assert.equal(buffer.push('c', 1, 1001), true);
  assert.equal(buffer.push('d', 1, 1002), false, 'count cap');
  assert.deepEqual([0, 1, 2].map((i) => buffer.at(i)!.message), ['a', 'b', 'c']);
  assert.deepEqual([0, 1, 2].map((i) => buffer.at(i)!.timestamp), [1000, 1000, 1001], 'timestamps never go back');
  assert.equal(buffer.bytes, 3 * 27, 'each entry counts 26 bytes of overhead');
  buffer.shift(2);
  assert.equal(buffer.length, 1);
  assert.equal(buffer.at(0)!.message, 'c');
  const bytes = new EventBuffer({ maxEvents: 100, maxBytes: 100 });
  assert.equal(bytes.push('x'.repeat(70), 70, 1), true);
  assert.equal(bytes.push('y', 1, 1), false, 'byte cap: 96 + 27 > 100');
  assert.equal(bytes.peakBytes, 96);
});

test('batches respect 10,000 events, 1,048,576 bytes with 26 per event, and a 24-hour span', () => {
  // 10,001 tiny events: two batches by count
  const many = new EventBuffer({ maxEvents: 20_000, maxBytes: 10_000_000 });
  for (let i = 0; i < 10_001; i++) many.push('x', 1, 1);
  assert.equal(nextBatchSize(many), 10_000);
  // 1,000-byte events: (1,000 + 26) × 1,022 = 1,048,572 fits, one more does not
  const big = new EventBuffer({ maxEvents: 20_000, maxBytes: 10_000_000 });
  for (let i = 0; i < 2_000; i++) big.push('y'.repeat(1_000), 1_000, 1);
  assert.equal(nextBatchSize(big), 1_022);
  assert.ok(1_022 * 1_026 <= PUT_LOG_EVENTS_LIMITS.maxBytes && 1_023 * 1_026 > PUT_LOG_EVENTS_LIMITS.maxBytes);
  // a span of more than a day is cut where it would exceed 24 h
  const day = 24 * 60 * 60 * 1000;
  const span = new EventBuffer({ maxEvents: 100, maxBytes: 100_000 });
  span.push('a', 1, 0);
  span.push('b', 1, day);
  span.push('c', 1, day + 1);
  assert.equal(nextBatchSize(span), 2);
  assert.equal(nextBatchSize(new EventBuffer({ maxEvents: 1, maxBytes: 1 })), 0);
});

test('throttling, 5xx and network errors are retried; bad parameters are not; a missing stream is recreated', async () => {
  const aws = (name: string, status: number, fault: 'client' | 'server'): Error =>
    Object.assign(new Error(name), { name, $fault: fault, $metadata: { httpStatusCode: status } });
  assert.equal(await classifyFailure(aws('ThrottlingException', 400, 'client')), 'retry');
  assert.equal(await classifyFailure(aws('ServiceUnavailableException', 500, 'server')), 'retry');
  assert.equal(await classifyFailure(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })), 'retry');
  assert.equal(await classifyFailure(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })), 'retry');
  assert.equal(await classifyFailure(aws('InvalidParameterException', 400, 'client')), 'fatal');
  assert.equal(await classifyFailure(aws('AccessDeniedException', 400, 'client')), 'fatal');
  assert.equal(await classifyFailure(aws('ResourceNotFoundException', 400, 'client')), 'missing');
  for (let attempt = 0; attempt < 40; attempt++) {
    const delay = backoffMs(attempt, 100, 5_000, Math.random);
    assert.ok(delay >= 50 && delay <= 5_000, `attempt ${attempt}: ${delay}`);
  }
  assert.equal(backoffMs(10, 100, 5_000, () => 1), 5_000);
});
