// The Express integration on Express 4 and 5: the shared matrix plus Express-only behaviour.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import express4 from 'express4';
import { currentEntity } from '../src/index.js';
import { xray, xrayErrorHandler } from '../src/express/index.js';
import { createTestTracer } from '../src/testing/index.js';
import { send } from './support/http-client.js';
import { BadInputError, BoomError, runCaptureWork, type AppHooks, type RunningApp, type VariantOptions } from './support/app-contract.js';
import { assertCause, assertFlags } from './support/segment-assertions.js';
import { runMatrix, type MatrixContext } from './support/traced-app-matrix.js';

type ExpressFactory = typeof express;
type AsyncHandler = (req: Request, res: Response) => Promise<void>;

/** Express 5 forwards a rejected handler promise to `next(err)`; Express 4 needs it done by hand. */
function asyncRoute(forwardsRejections: boolean, handler: AsyncHandler): RequestHandler {
  if (forwardsRejections) return handler;
  return (req, res, next) => void handler(req, res).catch(next);
}

function listen(app: ReturnType<ExpressFactory>): Promise<RunningApp> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

function startExpress(factory: ExpressFactory, forwardsRejections: boolean) {
  return (options: VariantOptions, hooks: AppHooks): Promise<RunningApp> => {
    const app = factory();
    app.use(xray({ tracer: options.tracer, name: options.name, dynamicNaming: options.dynamicNaming, ignore: (req) => options.ignorePath(req.path) }));
    app.use(factory.json());
    app.get('/ok', (_req, res) => void res.send('hello'));
    const api = factory.Router();
    api.get('/items/:id', (req, res) => void res.json({ id: req.params.id }));
    app.use('/api', api);
    app.get('/throttled', (_req, res) => void res.status(429).send('slow down'));
    app.get('/throw', () => {
      throw new BoomError('boom');
    });
    app.get(
      '/reject',
      asyncRoute(forwardsRejections, async () => {
        await delay(1);
        throw new BoomError('rejected');
      }),
    );
    app.get('/bad-input', (_req, _res, next) => next(new BadInputError('bad input')));
    app.get('/slow', () => hooks.slowReached());
    app.get(
      '/capture',
      asyncRoute(forwardsRejections, async (req, res) => {
        res.json(await runCaptureWork(req.segment));
      }),
    );
    app.post('/echo', (req, res) => void res.json({ same: currentEntity() !== undefined && currentEntity() === req.segment, body: req.body as unknown }));
    app.get('/health', (_req, res) => void res.send('ok'));
    // Express-only routes.
    app.get('/raw', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('written by hand');
    });
    // Mounted twice on purpose: the error must still be recorded once.
    app.use(xrayErrorHandler());
    app.use(xrayErrorHandler());
    app.use((err: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
      res.status(err.status ?? 500).json({ answeredBy: 'app', error: err.message });
    });
    return listen(app);
  };
}

function expressExtras(ctx: MatrixContext<RunningApp>): void {
  test("the app's own error handler still answers; xrayErrorHandler mounted twice records once", async () => {
    const { root, headers } = ctx.upstream('1');
    const reply = await ctx.send('/throw', { headers });
    assert.deepEqual(JSON.parse(reply.body), { answeredBy: 'app', error: 'boom' });
    assertCause(await ctx.sink.segmentOf(root), 'BoomError', 'boom');
  });

  test('a handler writing the head itself still carries the response header; no Content-Length, no content_length', async () => {
    const { root, headers } = ctx.upstream('1');
    const reply = await ctx.send('/raw', { headers });
    assert.equal(reply.body, 'written by hand');
    assert.equal(reply.traceHeader, `Root=${root}`);
    const doc = await ctx.sink.segmentOf(root);
    assert.deepEqual(doc.http?.response, { status: 200 });
    assertFlags(doc, {});
  });
}

runMatrix({ label: 'express 4', start: startExpress(express4, false) }, expressExtras);
runMatrix({ label: 'express 5', start: startExpress(express, true) }, expressExtras);

test('without an error handler of ours the status still decides the flags (Express 5)', async () => {
  const { tracer, emitter } = createTestTracer();
  const app = express();
  app.set('env', 'test'); // Express's final handler prints the stack unless in test
  app.use(xray({ tracer, name: 'bare' }));
  app.get('/fail', () => {
    throw new BoomError('unseen');
  });
  const running = await listen(app);
  try {
    assert.equal((await send(running.port, '/fail')).status, 500);
  } finally {
    await running.close();
  }
  await emitter.waitFor(1);
  const [doc] = emitter.segments;
  assert.ok(doc);
  assertFlags(doc, { fault: true });
  assert.equal(doc.cause, undefined);
});
