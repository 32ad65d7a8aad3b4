// The CloudWatch Logs transport through the real AWS SDK client against the local CloudWatch Logs
// fake: trace correlation on real requests, outages, PutLogEvents limits, recovery.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startCloudWatchLogsServer, type CloudWatchLogsServer } from '@cruddur/fakes';
import express from 'express';
import { xray, xrayErrorHandler } from '../src/express/index.js';
import { instrumentHttp } from '../src/http/index.js';
import { createTestTracer } from '../src/testing/index.js';
import { send } from './support/http-client.js';
import { cloudWatchLogger } from './support/logger-cloudwatch-setup.js';
import type { Logger } from '../src/logger/index.js';

let server: CloudWatchLogsServer;
before(async () => {
  server = await startCloudWatchLogsServer();
});
after(async () => {
  await server.close();
});

function putsFor(stream: string) {
  return server.requestsFor('PutLogEvents').filter((r) => (r.body as { logStreamName?: string } | undefined)?.logStreamName === stream);
}

function parsed(stream: string): Array<Record<string, unknown>> {
  return server.eventsFor('/cruddur/backend', stream).map((e) => JSON.parse(e.message) as Record<string, unknown>);
}

async function startApp(logger: Logger, tracer: ReturnType<typeof createTestTracer>['tracer'], linesPerRequest = 2) {
  const app = express();
  app.use(xray({ tracer, name: 'backend' }));
  app.get('/api/activities/:id', async (req, res) => {
    for (let i = 0; i < linesPerRequest; i++) {
      logger.info(`activity ${req.params.id} step ${i}`, { activity: req.params.id, step: i, seq: Number(req.query.seq ?? -1) * linesPerRequest + i });
      await delay(1);
    }
    res.json({ id: req.params.id });
  });
  app.get('/fail', () => {
    throw new Error('boom');
  });
  app.use(xrayErrorHandler());
  const http = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { port: (http.address() as AddressInfo).port, close: () => new Promise<void>((r) => http.close(() => r())) };
}

test('entries of real traced requests carry the trace id of the segment that was emitted, plus one access line each', async () => {
  // prepare
  const { tracer, emitter } = createTestTracer();
  const logger = cloudWatchLogger(server, { tracer, accessLog: true, stream: 'correlation' });
  const app = await startApp(logger, tracer);
  try {
    // act
    const replies = [
      await send(app.port, '/api/activities/1', { headers: { 'user-agent': 'test-agent' } }),
      await send(app.port, '/api/activities/2', { headers: { 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1' } }),
      await send(app.port, '/fail'),
    ];
    const flushed = await logger.flush(5_000);
    // assert
    assert.equal(flushed.complete, true);
    await emitter.waitFor(3);
    const segments = emitter.segments;
    const entries = parsed('correlation');
    assert.equal(entries.length, 2 + 1 + 2 + 1 + 1, 'two lines per activity request and one access line per request');
    for (const reply of replies) {
      const segment = segments.find((s) => s.trace_id === reply.traceId);
      assert.ok(segment, `segment for ${String(reply.traceId)}`);
      assert.deepEqual(segment.aws?.cloudwatch_logs, [{ log_group: '/cruddur/backend' }]);
      const own = entries.filter((e) => e.trace_id === segment.trace_id);
      assert.ok(own.length >= 1);
      for (const entry of own) assert.equal(entry.sampled, true);
      const access = own.filter((e) => e.log_type === 'access');
      assert.equal(access.length, 1);
      assert.equal(access[0]!.segment_id, segment.id);
      assert.equal(access[0]!.status, reply.status);
    }
    assert.equal(replies[1]!.traceId, '1-5759e988-bd862e3fe1be46a994272793', 'an upstream trace is continued');
    const access = entries.find((e) => e.log_type === 'access' && e.path === '/api/activities/1')!;
    assert.equal(access.route, '/api/activities/:id');
    assert.equal(access.method, 'GET');
    assert.equal(access.user_agent, 'test-agent');
    assert.equal(access.client_ip, '127.0.0.1');
    assert.equal(typeof access.duration_ms, 'number');
    assert.ok((access.content_length as number) > 0);
    assert.equal(entries.find((e) => e.path === '/fail')!.status, 500);
    const puts = putsFor('correlation');
    assert.ok(puts.length >= 1);
    for (const put of puts) assert.equal('sequenceToken' in (put.body as object), false, 'no sequence tokens');
  } finally {
    await app.close();
    await logger.shutdown();
  }
});

test('throttling, then 500s, then the endpoint down: requests succeed, memory stays under the cap, and after recovery every accepted entry arrives once, in order', async (t) => {
  // prepare: a small cap so the outage overflows it
  const cap = 150;
  const { tracer } = createTestTracer();
  const logger = cloudWatchLogger(server, { tracer, stream: 'outage', cloudwatch: { maxBufferedEvents: cap } });
  const app = await startApp(logger, tracer, 5);
  let seq = 0;
  let peak = 0;
  const burst = async (requests: number): Promise<void> => {
    for (let i = 0; i < requests; i++) {
      const reply = await send(app.port, `/api/activities/${seq}?seq=${seq}`);
      seq++;
      assert.equal(reply.status, 200, 'observability trouble never fails a request');
      peak = Math.max(peak, logger.cloudwatch!.stats().buffered);
    }
  };
  try {
    // act
    server.failNext('PutLogEvents', 'throttle', 3);
    await burst(10);
    server.failNext('PutLogEvents', '500', 2);
    server.failNext('PutLogEvents', 'reset', 1);
    await burst(10);
    await logger.flush(5_000);
    await server.goDown();
    await burst(40); // 200 lines against a cap of 150
    const whileDown = await logger.flush(300);
    await server.comeBack();
    const recovered = await logger.flush(10_000);
    // assert
    const stats = logger.cloudwatch!.stats();
    const total = seq * 5;
    const received = parsed('outage').map((e) => e.seq as number);
    t.diagnostic(`logged ${total}, delivered ${received.length}, dropped ${stats.dropped}, peak buffered ${stats.peakBuffered}/${cap} entries (${stats.peakBufferedBytes} bytes), retries ${stats.retries}`);
    assert.equal(whileDown.complete, false, 'a flush against a dead endpoint gives up at its deadline');
    assert.ok(whileDown.pending > 0 && whileDown.pending <= cap);
    assert.equal(recovered.complete, true);
    assert.ok(stats.peakBuffered <= cap && peak <= cap, `peak ${stats.peakBuffered} ≤ ${cap}`);
    assert.ok(stats.dropped > 0, 'the outage overflowed the cap');
    assert.equal(received.length + stats.dropped, total, 'every entry is either delivered or counted as dropped');
    assert.equal(new Set(received).size, received.length, 'exactly once');
    assert.deepEqual(received, [...received].sort((a, b) => a - b), 'in order');
    assert.deepEqual(received.slice(0, 100), Array.from({ length: 100 }, (_, i) => i), 'nothing from before the outage is lost');
    assert.equal(stats.failed, 0);
    assert.ok(stats.retries >= 6);
    const faults = putsFor('outage').map((r) => r.fault ?? r.status);
    assert.deepEqual(faults.slice(0, 3), ['throttle', 'throttle', 'throttle']);
    assert.ok(faults.includes('500') && faults.includes('reset'));
  } finally {
    await app.close();
    await logger.shutdown();
  }
});

test('batches stay within 10,000 events and 1 MiB, and a message over 256 KiB is truncated, not rejected', async () => {
  const logger = cloudWatchLogger(server, { stream: 'limits' });
  try {
    for (let i = 0; i < 12_000; i++) logger.info('small', { i });
    for (let i = 0; i < 8; i++) logger.info('x'.repeat(200_000), { big: i });
    logger.info(`huge ${'é'.repeat(200_000)}`);
    const result = await logger.flush(10_000);
    assert.equal(result.complete, true);
    const events = server.eventsFor('/cruddur/backend', 'limits');
    assert.equal(events.length, 12_009);
    assert.equal(logger.cloudwatch!.stats().failed, 0, 'the fake enforces the limits: nothing was refused');
    const sizes = putsFor('limits').map((r) => (r.body as { logEvents: Array<{ message: string }> }).logEvents);
    assert.ok(sizes.length >= 3);
    for (const batch of sizes) {
      assert.ok(batch.length <= 10_000);
      assert.ok(batch.reduce((n, e) => n + Buffer.byteLength(e.message) + 26, 0) <= 1_048_576);
    }
    const huge = events.at(-1)!.message;
    assert.ok(Buffer.byteLength(huge) + 26 <= 262_144);
    assert.match(huge, /^\{"timestamp":"[^"]+","level":"info","service":"backend","message":"huge éé/);
    assert.match(huge, /é…\[truncated \d+ bytes\]$/);
    assert.equal(logger.cloudwatch!.stats().truncated, 1);
  } finally {
    await logger.shutdown();
  }
});

test('a log group deleted behind its back is created again and delivery resumes', async () => {
  const logger = cloudWatchLogger(server, { stream: 'recreate', cloudwatch: { retentionDays: 7 } });
  try {
    logger.info('first');
    assert.equal((await logger.flush(5_000)).complete, true);
    assert.equal(server.groups.get('/cruddur/backend')?.retentionInDays, 7);
    server.clear();
    logger.info('second');
    assert.equal((await logger.flush(5_000)).complete, true);
    assert.deepEqual(parsed('recreate').map((e) => e.message), ['second']);
  } finally {
    await logger.shutdown();
  }
});

test('shutdown against a dead endpoint is bounded and counts what it gave up', async () => {
  const dead = await startCloudWatchLogsServer();
  await dead.close();
  const logger = cloudWatchLogger(dead, { stream: 'dead' });
  for (let i = 0; i < 5; i++) logger.info('lost', { i });
  const result = await logger.shutdown(300);
  assert.equal(result.complete, false);
  assert.equal(logger.cloudwatch!.stats().failed, 5);
  assert.equal(logger.cloudwatch!.stats().buffered, 0, 'nothing kept after close');
});

test('uploads are the package’s own traffic: with outgoing HTTP traced, they are no subsegment of the request that logged', async () => {
  const http = instrumentHttp();
  const { tracer, emitter } = createTestTracer();
  const logger = cloudWatchLogger(server, { tracer, stream: 'untraced', cloudwatch: { flushIntervalMs: 1 } });
  try {
    const segment = tracer.beginSegment({ name: 'backend' });
    await tracer.run(segment, async () => {
      logger.info('inside');
      await delay(50); // the upload starts while the request is still running
      await logger.flush(5_000);
    });
    segment.close();
    await emitter.waitFor(1);
    assert.equal(parsed('untraced').length, 1);
    assert.equal(emitter.segments[0]!.subsegments, undefined, 'no subsegment for the upload');
    for (const put of putsFor('untraced')) assert.equal(put.headers['x-amzn-trace-id'], undefined);
  } finally {
    http.uninstall();
    await logger.shutdown();
  }
});
