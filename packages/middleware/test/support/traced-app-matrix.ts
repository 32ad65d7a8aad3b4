// The behaviour every framework integration must show, written once and run against each
// framework major (Express 4 and 5, Fastify 4 and 5). Each variant starts an application that
// serves the routes of app-contract.ts with the integration under test; the tests talk to it over
// real HTTP and read what reached a real UDP "daemon".
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTracer, newEntityId, newTraceId, type Tracer } from '../../src/internal.js';
import { SAMPLE_EVERYTHING } from '../../src/testing/index.js';
import type { CaptureResult, RunningApp, Variant } from './app-contract.js';
import { DaemonSink } from './daemon-sink.js';
import { send, sendAndAbort, type Reply, type SendOptions } from './http-client.js';
import { assertCause, assertFlags } from './segment-assertions.js';
import { NAME, segmentProblems } from './segment-checks.js';

/** What the tests can reach while a variant runs. */
export interface MatrixContext<A extends RunningApp> {
  readonly app: A;
  readonly sink: DaemonSink;
  /**
   * Sends a request and remembers its trace so the final test can check it produced exactly
   * one document (or none, with `expect: 'none'`).
   */
  send(path: string, options?: SendOptions & { expect?: 'document' | 'none' }): Promise<Reply>;
  /** Headers continuing a fresh trace from an upstream caller. */
  upstream(sampled: '1' | '0' | '?'): { root: string; parent: string; headers: Record<string, string> };
  /** Remembers a trace started some other way (e.g. `inject()`). */
  expectTrace(traceId: string, expect: 'document' | 'none'): void;
}

/** Registers the shared tests for `variant`, then `extras` (framework-specific), then the final accounting. */
export function runMatrix<A extends RunningApp>(variant: Variant<A>, extras?: (ctx: MatrixContext<A>) => void): void {
  describe(variant.label, () => {
    let sink: DaemonSink;
    let tracer: Tracer;
    let app: A;
    let slow: { reached: Promise<void>; resolve: () => void } = deferred();
    const traces = new Map<string, 'document' | 'none'>();

    const ctx: MatrixContext<A> = {
      get app() {
        return app;
      },
      get sink() {
        return sink;
      },
      async send(path, options = {}) {
        const reply = await send(app.port, path, options);
        if (reply.traceId !== undefined) traces.set(reply.traceId, options.expect ?? 'document');
        return reply;
      },
      upstream(sampled) {
        const root = newTraceId();
        const parent = newEntityId();
        return { root, parent, headers: { 'x-amzn-trace-id': `Root=${root};Parent=${parent};Sampled=${sampled}` } };
      },
      expectTrace(traceId, expect) {
        traces.set(traceId, expect);
      },
    };

    before(async () => {
      sink = await DaemonSink.start();
      tracer = withEnv('AWS_XRAY_TRACING_NAME', undefined, () => testTracer(sink));
      app = await variant.start({ tracer, name: 'matrix-app', ignorePath: (p) => p === '/health' }, { slowReached: () => slow.resolve() });
    });

    after(async () => {
      await app.close();
      await tracer.shutdown();
      await sink.close();
    });

    test('200: continues the caller trace and records the request without its query string', async () => {
      const { root, parent, headers } = ctx.upstream('1');
      const reply = await ctx.send('/api/items/42?token=secret', {
        headers: { ...headers, 'user-agent': 'matrix-test/1.0', 'x-forwarded-for': '203.0.113.7, 10.0.0.1' },
      });
      assert.equal(reply.status, 200);
      assert.equal(reply.traceHeader, `Root=${root}`);
      const doc = await sink.segmentOf(root);
      assert.equal(doc.name, 'matrix-app');
      assert.equal(doc.parent_id, parent);
      assert.deepEqual(doc.http?.request, {
        method: 'GET',
        url: `http://127.0.0.1:${app.port}/api/items/42`,
        user_agent: 'matrix-test/1.0',
        client_ip: '203.0.113.7',
        x_forwarded_for: true,
      });
      assert.deepEqual(doc.http?.response, { status: 200, content_length: Buffer.byteLength(reply.body) });
      assert.equal(doc.annotations?.route, '/api/items/:id');
      assertFlags(doc, {});
      assert.equal(doc.cause, undefined);
    });

    test('a request without trace header starts a trace, answered in the response header', async () => {
      const reply = await ctx.send('/ok');
      assert.equal(reply.body, 'hello');
      assert.match(reply.traceHeader ?? '', /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
      const doc = await sink.segmentOf(reply.traceId!);
      assert.equal(doc.parent_id, undefined);
      assert.equal(doc.http?.request?.client_ip, '127.0.0.1');
      assert.equal(doc.http?.request?.x_forwarded_for, undefined);
      assert.deepEqual(doc.http?.response, { status: 200, content_length: 5 });
      assert.equal(doc.annotations?.route, '/ok');
    });

    test('404: error flag, no route annotation, response header present', async () => {
      const { root, headers } = ctx.upstream('1');
      const reply = await ctx.send('/nowhere', { headers });
      assert.equal(reply.status, 404);
      assert.equal(reply.traceHeader, `Root=${root}`);
      const doc = await sink.segmentOf(root);
      assert.equal(doc.http?.response?.status, 404);
      assertFlags(doc, { error: true });
      assert.equal(doc.annotations?.route, undefined);
    });

    test('429: throttle and error flags', async () => {
      const { root, headers } = ctx.upstream('1');
      const reply = await ctx.send('/throttled', { headers });
      assert.equal(reply.status, 429);
      assert.equal(reply.traceHeader, `Root=${root}`);
      const doc = await sink.segmentOf(root);
      assert.equal(doc.http?.response?.status, 429);
      assertFlags(doc, { error: true, throttle: true });
    });

    test('500 from a thrown error: fault and the error as the cause', async () => {
      const { root, headers } = ctx.upstream('1');
      const reply = await ctx.send('/throw', { headers });
      assert.equal(reply.status, 500);
      assert.equal(reply.traceHeader, `Root=${root}`);
      const doc = await sink.segmentOf(root);
      assert.equal(doc.http?.response?.status, 500);
      assertFlags(doc, { fault: true });
      assertCause(doc, 'BoomError', 'boom');
      assert.equal(doc.annotations?.route, '/throw');
    });

    test('500 from an async handler that rejects: fault and the error as the cause', async () => {
      const { root, headers } = ctx.upstream('1');
      const reply = await ctx.send('/reject', { headers });
      assert.equal(reply.status, 500);
      assert.equal(reply.traceHeader, `Root=${root}`);
      const doc = await sink.segmentOf(root);
      assertFlags(doc, { fault: true });
      assertCause(doc, 'BoomError', 'rejected');
    });

    test('an error the framework answers with 400: error (not fault), cause recorded', async () => {
      const { root, headers } = ctx.upstream('1');
      const reply = await ctx.send('/bad-input', { headers });
      assert.equal(reply.status, 400);
      const doc = await sink.segmentOf(root);
      assert.equal(doc.http?.response?.status, 400);
      assertFlags(doc, { error: true });
      assertCause(doc, 'BadInputError', 'bad input');
    });

    test('a client that goes away before the answer: one document, marked, no response recorded', async () => {
      const { root, headers } = ctx.upstream('1');
      slow = deferred();
      await sendAndAbort(app.port, '/slow', headers, slow.reached);
      ctx.expectTrace(root, 'document');
      const doc = await sink.segmentOf(root);
      assert.equal(doc.annotations?.client_aborted, true);
      assert.equal(doc.http?.response, undefined);
      assert.equal(doc.http?.request?.method, 'GET');
      assertFlags(doc, {});
    });

    test('Sampled=0: nothing is sent, yet the handler sees the trace id and the header answers it', async () => {
      const { root, headers } = ctx.upstream('0');
      const reply = await ctx.send('/capture', { headers, expect: 'none' });
      assert.equal(reply.status, 200);
      assert.equal(reply.traceHeader, `Root=${root}`);
      const result = JSON.parse(reply.body) as CaptureResult;
      assert.equal(result.traceId, root);
      assert.equal(result.same, true);
    });

    test('Sampled=?: the decision is answered in the response header', async () => {
      const { root, parent, headers } = ctx.upstream('?');
      const reply = await ctx.send('/ok', { headers });
      assert.equal(reply.traceHeader, `Root=${root};Sampled=1`);
      const doc = await sink.segmentOf(root);
      assert.equal(doc.parent_id, parent);
    });

    test('an invalid Root starts a new trace and its Parent is ignored', async () => {
      const reply = await ctx.send('/ok', { headers: { 'x-amzn-trace-id': `Root=1-xyz-nothex;Parent=${newEntityId()};Sampled=1` } });
      assert.match(reply.traceHeader ?? '', /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
      const doc = await sink.segmentOf(reply.traceId!);
      assert.equal(doc.parent_id, undefined);
    });

    test('capture() inside handlers nests across awaits; concurrent requests do not mix', async () => {
      const calls = Array.from({ length: 4 }, () => ctx.upstream('1'));
      const replies = await Promise.all(calls.map((c) => ctx.send('/capture', { headers: c.headers })));
      for (const [i, reply] of replies.entries()) {
        const result = JSON.parse(reply.body) as CaptureResult;
        assert.deepEqual(result, { same: true, traceId: calls[i]!.root, nested: true, restored: true });
        const doc = await sink.segmentOf(calls[i]!.root);
        assert.equal(doc.subsegments?.length, 1);
        const outer = doc.subsegments![0]!;
        assert.equal(outer.name, 'outer');
        assert.deepEqual(outer.subsegments?.map((s) => s.name), ['inner']);
        assert.ok(outer.end_time! >= outer.subsegments![0]!.end_time!);
      }
    });

    test('a body that arrives in two reads: the handler still runs inside the segment', async () => {
      const { root, headers } = ctx.upstream('1');
      const reply = await ctx.send('/echo', {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': '17' },
        body: ['{"hello":', '"world"}'],
      });
      assert.equal(reply.status, 200);
      assert.deepEqual(JSON.parse(reply.body), { same: true, body: { hello: 'world' } });
      const doc = await sink.segmentOf(root);
      assert.equal(doc.http?.request?.method, 'POST');
    });

    test('ignore: an excluded request gets no segment and no header', async () => {
      const { root, headers } = ctx.upstream('1');
      const reply = await ctx.send('/health', { headers });
      assert.equal(reply.status, 200);
      assert.equal(reply.traceHeader, undefined);
      ctx.expectTrace(root, 'none');
    });

    test('dynamic naming keeps a spoofed Host within the allowed characters; AWS_XRAY_TRACING_NAME overrides the default name', async (t) => {
      const named = withEnv('AWS_XRAY_TRACING_NAME', 'from-env', () => testTracer(sink));
      const other = await variant.start(
        { tracer: named, name: 'from-option', dynamicNaming: '*.example.com', ignorePath: () => false },
        { slowReached: () => undefined },
      );
      t.after(async () => {
        await other.close();
        await named.shutdown();
      });
      const names: string[] = [];
      for (const host of ['api.example.com', 'evil<script>"x";{$}\\.example.com', 'elsewhere.test']) {
        const reply = await send(other.port, '/ok', { headers: { host } });
        traces.set(reply.traceId!, 'document');
        names.push((await sink.segmentOf(reply.traceId!)).name);
      }
      assert.equal(names[0], 'api.example.com');
      assert.match(names[1]!, NAME);
      assert.ok(names[1]!.endsWith('.example.com') && !/[<>";{}$]/.test(names[1]!), names[1]);
      assert.equal(names[2], 'from-env');
    });

    extras?.(ctx);

    test('every traced request produced exactly one valid document; untraced ones none', async () => {
      // A last request: documents are sent in order, so once its document is here, any stray
      // document of an earlier request would be here too.
      const last = await ctx.send('/ok');
      await sink.segmentOf(last.traceId!);
      assert.deepEqual(sink.problems, []);
      for (const [traceId, expect] of traces) {
        assert.equal(sink.forTrace(traceId).length, expect === 'document' ? 1 : 0, `documents of trace ${traceId}`);
      }
      const ids = sink.documents.map((d) => d.id);
      assert.equal(new Set(ids).size, ids.length, 'a segment was sent twice');
      for (const doc of sink.documents) assert.deepEqual(segmentProblems(doc), [], JSON.stringify(doc));
    });
  });
}

// Every request sampled, decided locally: no polling of a sampling proxy that the sink is not.
function testTracer(sink: DaemonSink): Tracer {
  return createTracer({ daemonAddress: sink.address, samplingRules: SAMPLE_EVERYTHING, centralizedSampling: false, logLevel: 'silent' });
}

/** Runs `fn` with an environment variable set (or unset), then restores it. */
export function withEnv<T>(name: string, value: string | undefined, fn: () => T): T {
  const saved = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  }
}

function deferred(): { reached: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const reached = new Promise<void>((r) => (resolve = r));
  return { reached, resolve };
}
