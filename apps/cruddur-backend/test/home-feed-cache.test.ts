// The home feed's Redis cache (CRUDDUR_REDIS_URL), against a real redis-server, told through
// each request's trace: Redis commands are subsegments made by the real
// @opentelemetry/instrumentation-ioredis through @cruddur/middleware/otel, DynamoDB calls
// subsegments made by the AWS SDK integration. Skipped with a message without redis-server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateSegmentDocument } from '@cruddur/fakes';
import { type SegmentDocument, type SubsegmentDocument } from '@cruddur/middleware';
import { flattenSubsegments } from '@cruddur/middleware/testing';
import { HomeFeedCache } from '../src/cache/home-feed-cache.js';
import { loadConfig } from '../src/config.js';
import { noopInstrumentation } from '../src/deps.js';
import { type Activity } from '../src/model.js';
import { noRedis, startFeedCacheStack, type LogLine } from './feed-cache-support.js';

const REDIS_NAME = 'redis@127.0.0.1';

function cacheBlock(segment: SegmentDocument): SubsegmentDocument {
  const found = (segment.subsegments ?? []).filter((s) => s.name === 'home-feed-cache');
  assert.equal(found.length, 1, `one home-feed-cache subsegment under the request: ${JSON.stringify(segment.subsegments?.map((s) => s.name))}`);
  return found[0]!;
}

function redisCommands(doc: SegmentDocument | SubsegmentDocument): string[] {
  return flattenSubsegments(doc)
    .filter((s) => s.name === REDIS_NAME)
    .map((s) => String((s.metadata?.otel as Record<string, unknown> | undefined)?.['db.operation.name']));
}

function dynamoOperations(doc: SegmentDocument): string[] {
  return flattenSubsegments(doc)
    .filter((s) => s.namespace === 'aws' && s.name === 'DynamoDB')
    .map((s) => String(s.aws?.operation));
}

function uuids(body: unknown): string[] {
  return (body as Activity[]).map((a) => a.uuid);
}

test('CRUDDUR_REDIS_URL: unset or blank is no Redis; anything but a redis:// URL refuses to start, naming it without its password', () => {
  assert.equal(loadConfig({}).redisUrl, undefined);
  assert.equal(loadConfig({ CRUDDUR_REDIS_URL: '  ' }).redisUrl, undefined);
  assert.equal(loadConfig({ CRUDDUR_REDIS_URL: 'rediss://cache.example:6380/0' }).redisUrl, 'rediss://cache.example:6380/0');
  assert.throws(() => loadConfig({ CRUDDUR_REDIS_URL: 'localhost:6379' }), /^Error: CRUDDUR_REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL .*, got "localhost:6379"$/);
  assert.throws(
    () => loadConfig({ CRUDDUR_REDIS_URL: 'http://cruddur:hunter2@cache:6379' }),
    (err: Error) => err.message.includes('CRUDDUR_REDIS_URL') && !err.message.includes('hunter2'),
  );
});

test('the second read comes from Redis: the trace shows Redis and no DynamoDB Query; every document passes the receiver rules', { skip: noRedis }, async (t) => {
  const stack = await startFeedCacheStack(t);

  const first = await stack.call('GET', '/api/activities/home');
  assert.equal(first.status, 200);
  assert.ok((first.body as Activity[]).length > 0, 'the seed has activities');
  assert.equal(cacheBlock(first.segment).annotations?.home_feed_cache, 'miss');
  assert.deepEqual(redisCommands(first.segment), ['mget', 'set'], 'a miss reads, then stores');
  assert.ok(dynamoOperations(first.segment).includes('Query'), `a miss reads DynamoDB: ${dynamoOperations(first.segment).join(', ')}`);

  const second = await stack.call('GET', '/api/activities/home');
  assert.equal(second.status, 200);
  assert.deepEqual(second.body, first.body, 'the same feed');
  assert.equal(cacheBlock(second.segment).annotations?.home_feed_cache, 'hit');
  assert.deepEqual(redisCommands(second.segment), ['mget']);
  assert.deepEqual(dynamoOperations(second.segment), [], 'DynamoDB is not called at all');

  // Express → home-feed-cache → redis: names, namespace, nesting and the receiver's rules.
  const segment = second.segment;
  assert.equal(segment.name, 'cruddur-backend');
  assert.match(segment.http?.request?.url ?? '', /\/api\/activities\/home$/);
  const block = cacheBlock(segment);
  assert.equal(block.namespace, undefined, 'our own block is local');
  const [mget] = block.subsegments ?? [];
  assert.ok(mget, 'the Redis command is a child of the cache block');
  assert.equal(mget.name, REDIS_NAME);
  assert.equal(mget.namespace, 'remote');
  assert.equal(mget.sql, undefined, 'Redis is not SQL');
  assert.equal((mget.metadata?.otel as Record<string, unknown>)['server.port'], stack.redisServer.port);
  assert.ok(mget.start_time >= block.start_time && mget.end_time! <= block.end_time!, 'within its parent');
  assert.doesNotMatch(JSON.stringify(segment), /cruddur:feed|generation/, 'no Redis key or value in the trace');
  for (const doc of [first.segment, second.segment]) assert.deepEqual(validateSegmentDocument(doc), [], 'the X-Ray receiver accepts the segment');
});

test('a post invalidates the cached feed: its author reads it back at once', { skip: noRedis }, async (t) => {
  const stack = await startFeedCacheStack(t);
  await stack.call('GET', '/api/activities/home');
  const cached = await stack.call('GET', '/api/activities/home');
  assert.equal(cacheBlock(cached.segment).annotations?.home_feed_cache, 'hit');

  const posted = await stack.call('POST', '/api/activities', { message: 'Cache me if you can', ttl: '1-day' }, 'garek');
  assert.equal(posted.status, 200, JSON.stringify(posted.body));
  const uuid = (posted.body as Activity).uuid;
  const invalidation = (posted.segment.subsegments ?? []).find((s) => s.name === 'home-feed-cache-invalidate');
  assert.deepEqual(invalidation && redisCommands(invalidation), ['incr'], 'the post bumps the generation');

  const after = await stack.call('GET', '/api/activities/home', undefined, 'garek');
  assert.equal(uuids(after.body)[0], uuid, 'the new post first');
  assert.equal(cacheBlock(after.segment).annotations?.home_feed_cache, 'miss');
  assert.ok(dynamoOperations(after.segment).includes('Query'));

  // A reply changes replies_count, which the feed shows.
  const replied = await stack.call('POST', `/api/activities/${uuid}/reply`, { message: 'Indeed' }, 'garek');
  assert.equal(replied.status, 200, JSON.stringify(replied.body));
  const afterReply = await stack.call('GET', '/api/activities/home');
  assert.equal((afterReply.body as Activity[]).find((a) => a.uuid === uuid)?.replies_count, 1);
});

test('a read that loaded the feed before a post cannot store it over the post', { skip: noRedis }, async (t) => {
  const stack = await startFeedCacheStack(t);
  const cache = new HomeFeedCache(stack.redis, noopInstrumentation, { info() {}, warn() {}, error() {} }, 60_000);
  const old: Activity[] = [];
  // The post lands (and invalidates) while this read is between DynamoDB and its store.
  await cache.read(async () => {
    await cache.invalidate();
    return old;
  });
  let loads = 0;
  const fresh = await cache.read(async () => {
    loads++;
    return [];
  });
  assert.equal(loads, 1, 'the entry stored under the old generation is not served');
  assert.deepEqual(fresh, []);
});

test('Redis down: the feed comes from DynamoDB with 200, the error is on the cache subsegment, posts still work', { skip: noRedis }, async (t) => {
  const stack = await startFeedCacheStack(t);
  const warm = await stack.call('GET', '/api/activities/home');

  await stack.redisServer.close();
  await stack.redisStatus((s) => s !== 'ready');

  const down = await stack.call('GET', '/api/activities/home');
  assert.equal(down.status, 200);
  assert.deepEqual(down.body, warm.body, 'the same feed, from DynamoDB');
  assert.ok(dynamoOperations(down.segment).includes('Query'));
  const block = cacheBlock(down.segment);
  assert.equal(block.annotations?.home_feed_cache, 'error');
  assert.equal(block.fault, true);
  assert.match(block.cause && typeof block.cause === 'object' ? (block.cause.exceptions[0]?.message ?? '') : '', /Redis is not connected/);
  assert.notEqual(down.segment.fault, true, 'the request itself did not fail');
  assert.deepEqual(validateSegmentDocument(down.segment), []);

  const posted = await stack.call('POST', '/api/activities', { message: 'Redis is out, posts are not', ttl: '1-hour' }, 'garek');
  assert.equal(posted.status, 200, JSON.stringify(posted.body));
  const again = await stack.call('GET', '/api/activities/home');
  assert.equal(uuids(again.body)[0], (posted.body as Activity).uuid);

  const outages = stack.log.filter((l: LogLine) => l.level === 'warn' && l.message.startsWith('redis unavailable'));
  assert.equal(outages.length, 1, 'the outage is logged once, not once per request or reconnect attempt');
});

test('Redis hanging: the read answers from DynamoDB once the command times out, the timeout recorded on the Redis subsegment', { skip: noRedis }, async (t) => {
  const stack = await startFeedCacheStack(t);
  const warm = await stack.call('GET', '/api/activities/home');
  stack.redisServer.pause();
  t.after(() => stack.redisServer.resume());

  const started = Date.now();
  const hung = await stack.call('GET', '/api/activities/home');
  const elapsed = Date.now() - started;
  assert.equal(hung.status, 200);
  assert.deepEqual(hung.body, warm.body);
  assert.ok(elapsed < 5_000, `the request was not held by Redis (${elapsed} ms)`);
  const block = cacheBlock(hung.segment);
  assert.equal(block.annotations?.home_feed_cache, 'error');
  const [mget] = block.subsegments ?? [];
  assert.equal(mget?.name, REDIS_NAME);
  assert.equal(mget.fault, true, 'the instrumentation recorded the failed command');
  const timeout = mget.cause && typeof mget.cause === 'object' ? mget.cause.exceptions[0] : undefined;
  assert.match(timeout?.message ?? '', /timed out/i);
  // The same error, caught by the cache: X-Ray's reference to the exception already recorded.
  assert.equal(block.fault, true);
  assert.equal(block.cause, timeout?.id);
  assert.ok(dynamoOperations(hung.segment).includes('Query'));
  assert.deepEqual(validateSegmentDocument(hung.segment), []);
  assert.ok(stack.log.some((l) => l.level === 'warn' && l.message.startsWith('home feed cache unavailable')), 'a failed command is logged');
});
