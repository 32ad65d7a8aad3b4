// The Fastify integration on Fastify 4 and 5: the shared matrix plus Fastify-only behaviour.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import fastify, { type FastifyInstance } from 'fastify';
import fastify4 from 'fastify4';
import { currentEntity, DIAGNOSTICS_CHANNEL, type DiagnosticEvent } from '../src/index.js';
import defaultExport, { xray } from '../src/fastify/index.js';
import { createTestTracer } from '../src/testing/index.js';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { BadInputError, BoomError, runCaptureWork, type AppHooks, type RunningApp, type VariantOptions } from './support/app-contract.js';
import { assertCause, assertFlags } from './support/segment-assertions.js';
import { runMatrix, type MatrixContext } from './support/traced-app-matrix.js';

// Both majors are driven through Fastify 5's types; the calls used here are the same in 4.
type FastifyFactory = (options: { logger: boolean }) => FastifyInstance;
const FACTORIES: ReadonlyArray<readonly [string, FastifyFactory]> = [
  ['fastify 4', fastify4 as unknown as FastifyFactory],
  ['fastify 5', fastify as unknown as FastifyFactory],
];

interface FastifyApp extends RunningApp {
  instance: FastifyInstance;
}

function startFastify(factory: FastifyFactory) {
  return async (options: VariantOptions, hooks: AppHooks): Promise<FastifyApp> => {
    const app = factory({ logger: false });
    await app.register(xray, { tracer: options.tracer, name: options.name, dynamicNaming: options.dynamicNaming, ignore: (request) => options.ignorePath(request.url) });
    // A user hook that throws, registered after the plugin as users do.
    app.addHook('onRequest', (request, _reply, done) => {
      if (request.url === '/hook-throws') throw new BoomError('hook');
      done();
    });
    app.get('/ok', async () => 'hello');
    await app.register(
      async (api) => {
        api.get<{ Params: { id: string } }>('/items/:id', async (request) => ({ id: request.params.id }));
      },
      { prefix: '/api' },
    );
    app.get('/throttled', async (_request, reply) => reply.code(429).send('slow down'));
    app.get('/throw', () => {
      throw new BoomError('boom');
    });
    app.get('/reject', async () => {
      await delay(1);
      throw new BoomError('rejected');
    });
    app.get('/bad-input', (_request, reply) => void reply.send(new BadInputError('bad input')));
    app.get('/slow', () => {
      hooks.slowReached();
      return new Promise(() => undefined);
    });
    app.get('/capture', async (request) => runCaptureWork(request.segment));
    app.post('/echo', async (request) => ({ same: currentEntity() !== undefined && currentEntity() === request.segment, body: request.body }));
    app.get('/health', async () => 'ok');
    // Fastify-only routes.
    app.get('/untraced', { config: { xray: false } }, async (request) => ({ segment: request.segment }));
    app.get('/hook-throws', async () => 'unreachable');
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { instance: app, port: (app.server.address() as AddressInfo).port, close: () => app.close() };
  };
}

function fastifyExtras(ctx: MatrixContext<FastifyApp>): void {
  test('a route with config { xray: false } is not traced; request.segment stays null', async () => {
    const { root, headers } = ctx.upstream('1');
    const reply = await ctx.send('/untraced', { headers });
    assert.deepEqual(JSON.parse(reply.body), { segment: null });
    assert.equal(reply.traceHeader, undefined);
    ctx.expectTrace(root, 'none');
  });

  test('a user hook that throws: the error is answered, traced once with its cause, header kept', async () => {
    const { root, headers } = ctx.upstream('1');
    const reply = await ctx.send('/hook-throws', { headers });
    assert.equal(reply.status, 500);
    assert.equal(reply.traceHeader, `Root=${root}`);
    const doc = await ctx.sink.segmentOf(root);
    assertFlags(doc, { fault: true });
    assertCause(doc, 'BoomError', 'hook');
  });

  test('inject() is traced like a real request', async () => {
    const { root, headers } = ctx.upstream('1');
    const res = await ctx.app.instance.inject({ method: 'GET', url: '/api/items/7', headers });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['x-amzn-trace-id'], `Root=${root}`);
    ctx.expectTrace(root, 'document');
    const doc = await ctx.sink.segmentOf(root);
    assert.equal(doc.annotations?.route, '/api/items/:id');
    assert.deepEqual(doc.http?.response, { status: 200, content_length: Buffer.byteLength(res.body) });
  });
}

for (const [label, factory] of FACTORIES) runMatrix({ label, start: startFastify(factory) }, fastifyExtras);

test('the default export is the plugin, wrapped with fastify-plugin metadata', () => {
  assert.equal(defaultExport, xray);
  assert.deepEqual((xray as unknown as Record<symbol, unknown>)[Symbol.for('plugin-meta')], { name: '@cruddur/middleware', fastify: '4.x || 5.x' });
});

test('an ignore predicate that throws is reported and the request is still traced', async (t) => {
  const { tracer, emitter } = createTestTracer();
  const events: DiagnosticEvent[] = [];
  const listener = (message: unknown): void => void events.push(message as DiagnosticEvent);
  subscribe(DIAGNOSTICS_CHANNEL, listener);
  t.after(() => unsubscribe(DIAGNOSTICS_CHANNEL, listener));
  const app = fastify({ logger: false });
  t.after(() => app.close());
  await app.register(xray, {
    tracer,
    name: 'predicate',
    ignore: () => {
      throw new Error('predicate bug');
    },
  });
  app.get('/ok', async () => 'fine');
  const res = await app.inject({ url: '/ok' });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['x-amzn-trace-id']), /^Root=/);
  await emitter.waitFor(1);
  assert.equal(emitter.segments[0]?.name, 'predicate');
  assert.ok(events.some((e) => e.level === 'error' && e.message.includes('predicate bug')), JSON.stringify(events));
});
