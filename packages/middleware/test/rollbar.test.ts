// Error reports through the real rollbar client to the local Rollbar fake: trace correlation both
// ways, scrubbing of planted secrets, one report per error, and a Rollbar that is down or slow.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { startRollbarServer, type RollbarItem, type RollbarServer } from '@cruddur/fakes';
import express, { type NextFunction, type Request, type Response } from 'express';
import fastify from 'fastify';
import { DIAGNOSTICS_CHANNEL, type DiagnosticEvent, type SegmentDocument } from '../src/index.js';
import { xray, xrayErrorHandler } from '../src/express/index.js';
import { xray as fastifyXray } from '../src/fastify/index.js';
import { instrumentHttp } from '../src/http/index.js';
import { createErrorReporter, rollbarErrorHandler, rollbarFastify, type ErrorReporter, type ErrorReporterOptions } from '../src/rollbar/index.js';
import { createTestTracer } from '../src/testing/index.js';
import { send } from './support/http-client.js';

let rollbar: RollbarServer;
before(async () => {
  rollbar = await startRollbarServer();
});
after(async () => {
  await rollbar.close();
});

function reporter(options: Partial<ErrorReporterOptions> = {}): ErrorReporter {
  return createErrorReporter(
    { accessToken: 'test-token', endpoint: rollbar.itemUrl, environment: 'test', region: 'eu-west-1', captureUncaught: false, captureUnhandledRejections: false, diagnosticLevel: 'silent', ...options },
    {},
  );
}

const secret = (): string => randomBytes(12).toString('hex');

async function expressApp(errors: ErrorReporter, tracer: ReturnType<typeof createTestTracer>['tracer'], planted: Record<string, string>) {
  const app = express();
  app.use(xray({ tracer, name: 'backend' }));
  app.get('/api/messages/:id', (req) => {
    errors.setPerson({ id: 'user-7', username: 'andrew' });
    throw new Error(`db login failed password=${planted.password} for postgres://cruddur:${planted.dsn}@db:5432/app (message ${req.params.id})`);
  });
  app.get('/ok', (_req, res) => void res.send('fine'));
  app.use(xrayErrorHandler());
  // mounted twice, plus a manual report below: still one item per error
  app.use(rollbarErrorHandler({ reporter: errors }));
  app.use(rollbarErrorHandler({ reporter: errors }));
  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
    errors.reportError(err);
    res.status(500).json({ error: 'internal' });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('without a token the reporter is off, says so once, and never throws', () => {
  const events: DiagnosticEvent[] = [];
  const listener = (m: unknown): void => void events.push(m as DiagnosticEvent);
  subscribe(DIAGNOSTICS_CHANNEL, listener);
  try {
    const first = createErrorReporter({ environment: 'test', diagnosticLevel: 'silent' }, {});
    const second = createErrorReporter({ environment: 'test', diagnosticLevel: 'silent' }, {});
    assert.equal(first.enabled, false);
    assert.equal(first.reportError(new Error('x')), undefined);
    assert.equal(first.reportMessage('hello', 'info'), undefined);
    assert.doesNotThrow(() => second.reportError(null));
    assert.equal(events.filter((e) => /Rollbar error reporting is off/.test(e.message)).length, 1);
  } finally {
    unsubscribe(DIAGNOSTICS_CHANNEL, listener);
  }
});

test('an error thrown in an Express request: one item with the trace, no planted secret anywhere, and the segment holds its uuid', async () => {
  // prepare
  const planted = { password: secret(), dsn: secret(), authorization: secret(), cookie: secret(), apiKey: secret(), token: secret() };
  const { tracer, emitter } = createTestTracer();
  const errors = reporter();
  const app = await expressApp(errors, tracer, planted);
  rollbar.clear();
  try {
    // act
    const reply = await send(app.port, `/api/messages/42?token=${planted.token}&page=2`, {
      headers: { authorization: `Bearer ${planted.authorization}`, cookie: `session=${planted.cookie}`, 'x-api-key': planted.apiKey, 'user-agent': 'test' },
    });
    assert.equal(await errors.flush(5_000), true);
    const [segment] = (await emitter.waitFor(1), emitter.segments) as SegmentDocument[];
    // assert
    assert.equal(reply.status, 500);
    assert.equal(rollbar.items.length, 1, 'reported once although it passed through three reporting handlers');
    const item = rollbar.items[0] as RollbarItem;
    for (const [name, value] of Object.entries(planted)) assert.equal(item.raw.includes(value), false, `${name} leaked into the payload`);
    const data = item.data as { custom: Record<string, unknown>; request: Record<string, unknown>; person: unknown; context: unknown; level: unknown; uuid: string; body: { trace_chain: Array<{ exception: { message: string } }> } };
    assert.equal(data.custom.trace_id, reply.traceId);
    assert.equal(data.custom.trace_id, segment!.trace_id);
    assert.equal(data.custom.segment_id, segment!.id);
    assert.equal(data.custom.xray_trace_url, `https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#xray:traces/${segment!.trace_id}`);
    assert.equal(segment!.annotations?.rollbar_uuid, item.uuid, 'the trace points at the report');
    assert.equal(data.uuid, item.uuid);
    assert.equal(data.level, 'error');
    assert.equal(data.context, '/api/messages/:id');
    assert.equal(data.request.method, 'GET');
    assert.match(String(data.request.url), /^http:\/\/127\.0\.0\.1:\d+\/api\/messages\/42\?token=\[REDACTED\]&page=2$/);
    const headers = data.request.headers as Record<string, string>;
    assert.equal(headers.authorization, '[REDACTED]');
    assert.equal(headers.cookie, '[REDACTED]');
    assert.equal(headers['x-api-key'], '[REDACTED]');
    assert.equal(headers['user-agent'], 'test');
    assert.deepEqual(data.person, { id: 'user-7', username: 'andrew' });
    assert.match(data.body.trace_chain[0]!.exception.message, /^db login failed password=\[REDACTED\] for postgres:\/\/cruddur:\[REDACTED\]@db:5432\/app \(message 42\)$/);
    assert.equal(item.headers['x-rollbar-access-token'], 'test-token');
    assert.equal(errors.stats().duplicates, 2);
  } finally {
    await app.close();
    await errors.close();
  }
});

test('reportMessage carries the trace inside a request and none outside', async () => {
  const { tracer } = createTestTracer();
  const errors = reporter();
  rollbar.clear();
  const segment = tracer.beginSegment({ name: 'backend' });
  const inside = tracer.run(segment, () => errors.reportMessage('rollbar test from /rollbar/test', 'warning'));
  const outside = errors.reportMessage('outside api_key=abc123', 'info');
  segment.close();
  assert.equal(await errors.flush(5_000), true);
  const items = await rollbar.waitForItems(2);
  const byUuid = new Map(items.map((i) => [i.uuid, i.data as { level: string; custom?: Record<string, unknown>; body: { message: { body: string } } }]));
  assert.equal(byUuid.get(inside!)!.level, 'warning');
  assert.equal(byUuid.get(inside!)!.body.message.body, 'rollbar test from /rollbar/test');
  assert.equal(byUuid.get(inside!)!.custom?.trace_id, segment.traceId);
  assert.equal(byUuid.get(outside!)!.custom?.trace_id, undefined);
  assert.equal(byUuid.get(outside!)!.body.message.body, 'outside api_key=[REDACTED]');
  await errors.close();
});

test('Rollbar down, rate limiting, failing or hanging: requests are answered as usual and flush is bounded', async () => {
  // prepare
  const dead = await startRollbarServer();
  await dead.close();
  const { tracer } = createTestTracer();
  const down = reporter({ endpoint: dead.itemUrl });
  const slow = reporter();
  const appDown = await expressApp(down, tracer, { password: 'p', dsn: 'd' });
  const appSlow = await expressApp(slow, tracer, { password: 'p', dsn: 'd' });
  try {
    // act: unreachable
    const downReplies = await Promise.all([1, 2, 3].map((n) => send(appDown.port, `/api/messages/${n}`)));
    const downFlushed = await down.flush(5_000);
    // act: 500, then a hang
    rollbar.failNext('500', 1);
    const failing = await send(appSlow.port, '/api/messages/500');
    assert.equal(await slow.flush(5_000), true);
    rollbar.failNext('hang', 1);
    const hanging = await send(appSlow.port, '/api/messages/hang');
    const ok = await send(appSlow.port, '/ok');
    const slowFlushed = await slow.flush(300);
    const limited = reporter();
    rollbar.failNext('rate-limit', 1);
    limited.reportError(new Error('limited'));
    limited.reportError(new Error('still limited'));
    const limitedFlushed = await limited.flush(5_000);
    // assert
    assert.deepEqual(downReplies.map((r) => r.status), [500, 500, 500]);
    assert.equal(downFlushed, true, 'refused connections answer quickly');
    assert.equal(down.stats().failed, 3);
    assert.equal(failing.status, 500);
    assert.equal(hanging.status, 500);
    assert.equal(ok.status, 200);
    assert.equal(slowFlushed, false, 'flush gives up at its deadline');
    assert.equal(limitedFlushed, true);
    const { failed, delivered } = limited.stats();
    assert.ok(failed >= 1 && failed + delivered === 2, 'a 429 is counted, not retried');
    assert.deepEqual({ ...slow.stats(), duplicates: 0 }, { reported: 2, delivered: 0, failed: 1, dropped: 0, duplicates: 0, pending: 1 });
  } finally {
    await appDown.close();
    await appSlow.close();
    rollbar.clearFaults();
  }
});

test('pending reports are capped: beyond the cap new ones are dropped and counted', async () => {
  const errors = reporter({ maxPending: 2 });
  rollbar.failNext('hang', 3);
  const sent = rollbar.requests.length;
  const uuids = [1, 2, 3, 4].map((n) => errors.reportError(new Error(`e${n}`)));
  assert.equal(uuids.filter((u) => u !== undefined).length, 2);
  assert.equal(errors.stats().dropped, 2);
  // let the two reports reach the fake (and hang there) before the spare fault is cancelled
  while (rollbar.requests.length < sent + 2) await new Promise((resolve) => setTimeout(resolve, 10));
  rollbar.clearFaults();
  assert.equal(await errors.close(50), false);
});

test('an error in a Fastify route: the onError plugin reports it with the trace and the route', async () => {
  const { tracer, emitter } = createTestTracer();
  const errors = reporter();
  rollbar.clear();
  const app = fastify();
  await app.register(fastifyXray, { tracer, name: 'worker' });
  await app.register(rollbarFastify, { reporter: errors, person: () => ({ id: 'p-1' }) });
  app.get('/things/:id', async () => {
    await Promise.resolve();
    throw new Error('worker failed');
  });
  app.get('/bad', async () => {
    throw Object.assign(new Error('bad input'), { statusCode: 400 });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const port = (app.server.address() as AddressInfo).port;
    const reply = await send(port, '/things/9', { headers: { authorization: 'Basic c2VjcmV0OnNlY3JldA==' } });
    const bad = await send(port, '/bad');
    assert.equal(await errors.flush(5_000), true);
    await emitter.waitFor(2);
    const segment = emitter.segments.find((s) => s.trace_id === reply.traceId)!;
    assert.equal(reply.status, 500);
    assert.equal(bad.status, 400);
    assert.equal(rollbar.items.length, 1, 'a 4xx is the client’s error: not reported by default');
    const data = rollbar.items[0]!.data as { custom: Record<string, unknown>; context: unknown; person: unknown; request: { headers: Record<string, string> } };
    assert.equal(data.custom.trace_id, segment.trace_id);
    assert.equal(data.custom.segment_id, segment.id);
    assert.equal(data.context, '/things/:id');
    assert.deepEqual(data.person, { id: 'p-1' });
    assert.equal(data.request.headers.authorization, '[REDACTED]');
    assert.equal(segment.annotations?.rollbar_uuid, rollbar.items[0]!.uuid);
  } finally {
    await app.close();
    await errors.close();
  }
});

test('the report is the package’s own traffic: with outgoing HTTP traced, it is no subsegment of the request', async () => {
  const http = instrumentHttp();
  const { tracer, emitter } = createTestTracer();
  const errors = reporter();
  rollbar.clear();
  try {
    const segment = tracer.beginSegment({ name: 'backend' });
    await tracer.run(segment, async () => {
      errors.reportError(new Error('inside'));
      assert.equal(await errors.flush(5_000), true);
    });
    segment.close();
    await emitter.waitFor(1);
    assert.equal(rollbar.items.length, 1);
    assert.equal(emitter.segments[0]!.subsegments, undefined);
    assert.equal(rollbar.items[0]!.headers['x-amzn-trace-id'], undefined);
  } finally {
    http.uninstall();
    await errors.close();
  }
});
