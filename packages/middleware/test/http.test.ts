import assert from 'node:assert/strict';
import http, { request as namedRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import type { LookupFunction } from 'node:net';
import { after, before, describe, test, type TestContext } from 'node:test';
import { instrumentHttp } from '../src/http/index.js';
import { hasCreatedChannel } from '../src/http/node-http.js';
import type { SegmentDocument, SubsegmentDocument } from '../src/index.js';
import { createTestTracer } from '../src/testing/index.js';
import { freePort } from '@cruddur/fakes';
import { startRecordingServer, type RecordingServer } from './support/recording-server.js';

// Taken before anything is installed, to check that uninstall() puts them back.
const originalRequest = http.request;
const originalGet = http.get;
const HEADER = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24});Parent=([0-9a-f]{16});Sampled=([01])$/;

let server: RecordingServer;
before(async () => {
  server = await startRecordingServer();
});
after(() => server.close());

/** Installs the instrumentation for one test only. */
function install(t: TestContext, options?: Parameters<typeof instrumentHttp>[0]): ReturnType<typeof instrumentHttp> {
  const handle = instrumentHttp(options);
  t.after(() => handle.uninstall());
  return handle;
}

/**
 * Runs `fn` inside a segment of a fresh test tracer, closes the segment, and returns the segment
 * document (undefined when nothing was emitted).
 */
async function inSegment(fn: () => Promise<unknown>, init: { sampled?: boolean } = {}): Promise<SegmentDocument | undefined> {
  const { tracer, emitter } = createTestTracer();
  const segment = tracer.beginSegment({ name: 'test', ...init });
  await tracer.run(segment, fn);
  segment.close();
  await tracer.flush();
  return emitter.segments[0];
}

function onlySubsegment(doc: SegmentDocument | undefined): SubsegmentDocument {
  assert.ok(doc, 'a segment was emitted');
  assert.equal(doc.subsegments?.length, 1, `one subsegment, got ${JSON.stringify(doc.subsegments)}`);
  return doc.subsegments[0] as SubsegmentDocument;
}

/** The trace header the server received with its last request. */
function lastHeader(): string | undefined {
  const value = server.requests.at(-1)?.headers['x-amzn-trace-id'];
  return Array.isArray(value) ? value.join(',') : value;
}

/** A node:http call that settles on 'close', when the instrumentation has finished too. */
function nodeCall(make: () => ClientRequest): Promise<{ status?: number; error?: Error }> {
  return new Promise((resolve) => {
    const req = make();
    let status: number | undefined;
    let error: Error | undefined;
    req.on('response', (res: IncomingMessage) => {
      status = res.statusCode;
      res.resume();
    });
    req.on('error', (err) => (error = err));
    req.on('close', () => resolve({ status, error }));
    req.end();
  });
}

function nodeGet(path: string, options: RequestOptions = {}): Promise<{ status?: number; error?: Error }> {
  return nodeCall(() => http.request({ host: '127.0.0.1', port: server.port, path, ...options }));
}

async function fetchText(url: string, init?: RequestInit): Promise<number> {
  const res = await fetch(url, init);
  await res.text();
  return res.status;
}

void describe('fetch', () => {
  void test('a call becomes a remote subsegment and carries its id as Parent', async (t) => {
    install(t);
    const doc = await inSegment(() => fetchText(`${server.origin}/things?secret=1`, { method: 'POST', body: 'x' }));
    const sub = onlySubsegment(doc);
    assert.equal(sub.name, '127.0.0.1');
    assert.equal(sub.namespace, 'remote');
    assert.deepEqual(sub.http, {
      request: { method: 'POST', url: `${server.origin}/things` },
      response: { status: 200, content_length: 5 },
    });
    assert.equal(sub.traced, true, 'traced at the top level');
    assert.equal('traced' in (sub.http?.request ?? {}), false);
    assert.equal(sub.error ?? sub.fault ?? sub.throttle, undefined);
    assert.ok(typeof sub.end_time === 'number' && sub.end_time >= sub.start_time);
    const match = HEADER.exec(lastHeader() ?? '');
    assert.ok(match, `header ${lastHeader()}`);
    assert.deepEqual(match.slice(1), [doc?.trace_id, sub.id, '1']);
    assert.equal(server.requests.at(-1)?.url, '/things?secret=1', 'the request itself is unchanged');
  });

  void test('status flags: 404 error, 429 throttle and error, 503 fault', async (t) => {
    install(t);
    const expected: Array<[number, Partial<SubsegmentDocument>]> = [
      [404, { error: true }],
      [429, { error: true, throttle: true }],
      [503, { fault: true }],
    ];
    for (const [status, flags] of expected) {
      const sub = onlySubsegment(await inSegment(() => fetchText(`${server.origin}/status/${status}`)));
      assert.deepEqual({ error: sub.error, throttle: sub.throttle, fault: sub.fault }, { error: flags.error, throttle: flags.throttle, fault: flags.fault }, String(status));
      assert.deepEqual(sub.http?.response, { status, content_length: 5 });
      assert.equal(sub.cause, undefined, 'a status is not an exception');
    }
  });

  void test('connection refused: a fault with a remote cause, and no downstream segment expected', async (t) => {
    install(t);
    const port = await freePort();
    const doc = await inSegment(() => assert.rejects(fetch(`http://127.0.0.1:${port}/x`)));
    const sub = onlySubsegment(doc);
    assert.equal(sub.fault, true);
    assert.equal(sub.error, undefined);
    assert.equal(sub.traced, undefined);
    assert.equal(sub.http?.response, undefined);
    assert.ok(typeof sub.cause === 'object');
    assert.equal(sub.cause.exceptions[0]?.remote, true);
    assert.match(sub.cause.exceptions[0]?.message ?? '', /ECONNREFUSED/);
  });

  void test('timeout against a server that never answers: a fault with a remote cause', async (t) => {
    install(t);
    const doc = await inSegment(() => assert.rejects(fetch(`${server.origin}/hang`, { signal: AbortSignal.timeout(100) })));
    const sub = onlySubsegment(doc);
    assert.equal(sub.fault, true);
    assert.ok(typeof sub.cause === 'object');
    assert.equal(sub.cause.exceptions[0]?.remote, true);
    assert.equal(sub.cause.exceptions[0]?.type, 'TimeoutError');
    assert.equal(sub.traced, true, 'the server received the request');
  });

  void test('a response cut off mid-body: status recorded, then a fault with a remote cause', async (t) => {
    install(t);
    const doc = await inSegment(async () => {
      const res = await fetch(`${server.origin}/cut`);
      await assert.rejects(res.text());
    });
    const sub = onlySubsegment(doc);
    assert.equal(sub.http?.response?.status, 200);
    assert.equal(sub.fault, true);
    assert.ok(typeof sub.cause === 'object');
    assert.equal(sub.cause.exceptions[0]?.remote, true);
  });

  void test('a trace header set by the caller is sent as is and nothing is recorded', async (t) => {
    install(t);
    const own = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    const doc = await inSegment(() => fetchText(server.origin, { headers: { 'x-amzn-trace-id': own } }));
    assert.equal(lastHeader(), own);
    assert.equal(doc?.subsegments, undefined);
  });

  void test('concurrent requests each record under their own segment (context at creation)', async (t) => {
    install(t);
    const { tracer, emitter } = createTestTracer();
    const a = tracer.beginSegment({ name: 'a' });
    const b = tracer.beginSegment({ name: 'b' });
    await Promise.all([
      tracer.run(a, () => fetchText(`${server.origin}/delay/30`)),
      tracer.run(b, () => fetchText(`${server.origin}/delay/10`)),
    ]);
    a.close();
    b.close();
    const parents = server.requests.slice(-2).map((r) => HEADER.exec(String(r.headers['x-amzn-trace-id']))?.[1]);
    assert.deepEqual(new Set(parents), new Set([a.traceId, b.traceId]));
    for (const doc of emitter.segments) assert.equal(doc.subsegments?.length, 1, doc.name);
  });
});

void describe('node:http', () => {
  void test('http.request becomes a remote subsegment with the header, url without query', async (t) => {
    install(t);
    const doc = await inSegment(() => nodeGet('/a/b?token=x'));
    const sub = onlySubsegment(doc);
    assert.equal(sub.name, '127.0.0.1');
    assert.equal(sub.namespace, 'remote');
    assert.deepEqual(sub.http, { request: { method: 'GET', url: `${server.origin}/a/b` }, response: { status: 200, content_length: 5 } });
    assert.equal(sub.traced, true);
    const match = HEADER.exec(lastHeader() ?? '');
    assert.ok(match, `header ${lastHeader()}`);
    assert.deepEqual(match.slice(1), [doc?.trace_id, sub.id, '1']);
  });

  void test('http.get and an ESM named import of request are traced too', async (t) => {
    install(t);
    const viaGet = await inSegment(
      () =>
        new Promise<void>((resolve) => {
          http.get({ host: '127.0.0.1', port: server.port, path: '/get' }, (res) => res.resume()).on('close', resolve);
        }),
    );
    assert.equal(onlySubsegment(viaGet).http?.request?.url, `${server.origin}/get`);
    assert.equal(HEADER.exec(lastHeader() ?? '')?.[2], onlySubsegment(viaGet).id);
    const viaNamed = await inSegment(() => nodeCall(() => namedRequest({ host: '127.0.0.1', port: server.port, path: '/named' })));
    assert.equal(HEADER.exec(lastHeader() ?? '')?.[2], onlySubsegment(viaNamed).id);
  });

  void test('a response nobody reads is still drained, and the subsegment closes', async (t) => {
    install(t);
    const doc = await inSegment(
      () =>
        new Promise<void>((resolve) => {
          const req = http.request({ host: '127.0.0.1', port: server.port, path: '/unread' });
          req.on('close', resolve);
          req.end();
        }),
    );
    assert.equal(onlySubsegment(doc).http?.response?.status, 200);
  });

  void test('status flags: 404 error, 429 throttle and error, 503 fault', async (t) => {
    install(t);
    for (const [status, error, throttle, fault] of [
      [404, true, undefined, undefined],
      [429, true, true, undefined],
      [503, undefined, undefined, true],
    ] as const) {
      const sub = onlySubsegment(await inSegment(() => nodeGet(`/status/${status}`)));
      assert.deepEqual([sub.error, sub.throttle, sub.fault], [error, throttle, fault], String(status));
      assert.equal(sub.http?.response?.status, status);
    }
  });

  void test('connection refused and a timeout abort are faults with a remote cause', async (t) => {
    install(t);
    const port = await freePort();
    const refused = onlySubsegment(await inSegment(() => nodeCall(() => http.request({ host: '127.0.0.1', port, path: '/' }))));
    assert.equal(refused.fault, true);
    assert.equal(refused.traced, undefined);
    assert.ok(typeof refused.cause === 'object');
    assert.equal(refused.cause.exceptions[0]?.remote, true);
    assert.match(refused.cause.exceptions[0]?.message ?? '', /ECONNREFUSED/);

    const timedOut = onlySubsegment(await inSegment(() => nodeGet('/hang', { signal: AbortSignal.timeout(100) })));
    assert.equal(timedOut.fault, true);
    assert.ok(typeof timedOut.cause === 'object');
    assert.equal(timedOut.cause.exceptions[0]?.remote, true);
    assert.equal(timedOut.cause.exceptions[0]?.type, 'AbortError');
  });

  void test('a response cut off mid-body: status recorded, then a fault with a remote cause', async (t) => {
    install(t);
    const doc = await inSegment(() =>
      nodeCall(() => {
        const req = http.request({ host: '127.0.0.1', port: server.port, path: '/cut' });
        // The response's own error ('aborted') is the caller's to handle.
        req.on('response', (res) => res.on('error', () => undefined));
        return req;
      }),
    );
    const sub = onlySubsegment(doc);
    assert.equal(sub.http?.response?.status, 200);
    assert.equal(sub.fault, true);
    assert.ok(typeof sub.cause === 'object');
    assert.equal(sub.cause.exceptions[0]?.remote, true);
  });

  void test('a trace header set by the caller is kept and nothing is recorded', async (t) => {
    install(t);
    const own = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0';
    const doc = await inSegment(() => nodeGet('/', { headers: { 'X-Amzn-Trace-Id': own } }));
    assert.equal(lastHeader(), own);
    assert.equal(doc?.subsegments, undefined);
  });
});

void describe('when and where', () => {
  void test('outside a traced request nothing is recorded and no header is sent', async (t) => {
    install(t);
    const { emitter } = createTestTracer();
    await fetchText(server.origin);
    assert.equal(lastHeader(), undefined);
    await nodeGet('/');
    assert.equal(lastHeader(), undefined);
    assert.equal(emitter.documents.length, 0);
  });

  void test('unsampled: Sampled=0 goes out with the segment as Parent, nothing is emitted', async (t) => {
    install(t);
    const { tracer, emitter } = createTestTracer();
    const segment = tracer.beginSegment({ name: 'test', sampled: false });
    await tracer.run(segment, () => fetchText(server.origin));
    assert.equal(lastHeader(), `Root=${segment.traceId};Parent=${segment.id};Sampled=0`);
    await tracer.run(segment, () => nodeGet('/'));
    assert.equal(lastHeader(), `Root=${segment.traceId};Parent=${segment.id};Sampled=0`);
    segment.close();
    assert.equal(emitter.documents.length, 0);
    assert.equal(segment.subsegments, undefined, 'no subsegment is even kept in memory');
  });

  void test('inside capture() the capture subsegment is the parent', async (t) => {
    install(t);
    const { tracer, emitter } = createTestTracer();
    const segment = tracer.beginSegment({ name: 'test' });
    await tracer.run(segment, () => tracer.capture('work', () => fetchText(server.origin)));
    segment.close();
    const work = onlySubsegment(emitter.segments[0]);
    assert.equal(work.name, 'work');
    assert.equal(work.subsegments?.length, 1);
    const remote = work.subsegments?.[0] as SubsegmentDocument;
    assert.equal(remote.namespace, 'remote');
    assert.equal(HEADER.exec(lastHeader() ?? '')?.[2], remote.id);
  });

  void test('uninstall() removes everything; installing twice records once', async (t) => {
    const first = instrumentHttp();
    const second = instrumentHttp();
    t.after(() => {
      first.uninstall();
      second.uninstall();
    });
    const twice = onlySubsegment(await inSegment(() => fetchText(server.origin)));
    assert.equal(twice.namespace, 'remote');
    assert.equal(onlySubsegment(await inSegment(() => nodeGet('/'))).namespace, 'remote');
    assert.equal(String(server.requests.at(-1)?.headers['x-amzn-trace-id']).split('Root=').length, 2, 'one header value');

    first.uninstall();
    first.uninstall(); // a second call is a no-op, the other installation still counts
    assert.equal(onlySubsegment(await inSegment(() => fetchText(server.origin))).namespace, 'remote');

    second.uninstall();
    const none = await inSegment(async () => {
      await fetchText(server.origin);
      assert.equal(lastHeader(), undefined);
      await nodeGet('/');
      assert.equal(lastHeader(), undefined);
      await nodeCall(() => namedRequest({ host: '127.0.0.1', port: server.port, path: '/' }));
      assert.equal(lastHeader(), undefined);
    });
    assert.equal(none?.subsegments, undefined);
    if (!hasCreatedChannel()) {
      assert.equal(http.request, originalRequest, 'the original function is back');
      assert.equal(http.get, originalGet);
    }
  });

  void test('uninstalling during a call still closes its subsegment', async (t) => {
    const handle = instrumentHttp();
    t.after(() => handle.uninstall());
    const doc = await inSegment(async () => {
      const pending = fetchText(`${server.origin}/delay/50`);
      const pendingNode = nodeGet('/delay/50');
      const seen = server.requests.length;
      await server.received(seen + 2);
      handle.uninstall();
      await Promise.all([pending, pendingNode]);
    });
    assert.equal(doc?.subsegments?.length, 2);
    for (const sub of doc?.subsegments ?? []) {
      assert.equal(sub.in_progress, undefined);
      assert.equal(sub.http?.response?.status, 200);
    }
  });

  void test('ignore() and the tracer option leave calls alone; the ignore function sees the full URL', async (t) => {
    const seen: string[] = [];
    install(t, {
      ignore: (url) => {
        seen.push(url.href);
        return url.pathname === '/health';
      },
    });
    const ignored = await inSegment(() => fetchText(`${server.origin}/health?deep=1`));
    assert.equal(ignored?.subsegments, undefined);
    assert.equal(lastHeader(), undefined);
    assert.deepEqual(seen, [`${server.origin}/health?deep=1`]);
    assert.equal(onlySubsegment(await inSegment(() => nodeGet('/work'))).http?.request?.url, `${server.origin}/work`);

    const other = createTestTracer().tracer;
    const onlyOther = instrumentHttp({ tracer: other });
    t.after(() => onlyOther.uninstall());
    assert.equal(onlySubsegment(await inSegment(() => nodeGet('/work'))).namespace, 'remote', 'the first installation still accepts every tracer');
  });

  void test('an installation for another tracer records nothing; a throwing ignore() counts as not ignored', async (t) => {
    const other = createTestTracer().tracer;
    install(t, { tracer: other });
    assert.equal((await inSegment(() => fetchText(server.origin)))?.subsegments, undefined);
    assert.equal(lastHeader(), undefined);
    const throwing = instrumentHttp({
      ignore: () => {
        throw new Error('broken');
      },
    });
    t.after(() => throwing.uninstall());
    assert.equal(onlySubsegment(await inSegment(() => fetchText(server.origin))).namespace, 'remote');
  });

  void test("calls to the tracer's daemon proxy address are never traced", async (t) => {
    install(t);
    const { tracer, emitter } = createTestTracer({ daemonAddress: `127.0.0.1:${server.port}` });
    const segment = tracer.beginSegment({ name: 'test' });
    await tracer.run(segment, async () => {
      await fetchText(`${server.origin}/GetSamplingRules`, { method: 'POST', body: '{}' });
      await nodeGet('/SamplingTargets', { method: 'POST' });
    });
    segment.close();
    assert.equal(emitter.segments[0]?.subsegments, undefined);
    assert.equal(lastHeader(), undefined);
  });

  void test('calls to the X-Ray API are never traced (uploading traces makes no trace data)', async (t) => {
    install(t);
    // The name resolves to the local server, as a stand-in for the real endpoint.
    const lookup: LookupFunction = (_host, options, callback) => {
      if ((options as { all?: boolean }).all) (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    };
    const doc = await inSegment(async () => {
      const { status } = await nodeCall(() => http.request({ host: 'xray.us-east-1.amazonaws.com', port: server.port, path: '/TraceSegments', method: 'POST', lookup }));
      assert.equal(status, 200);
    });
    assert.equal(server.requests.at(-1)?.url, '/TraceSegments');
    assert.equal(lastHeader(), undefined);
    assert.equal(doc?.subsegments, undefined);
  });
});

void test('hasCreatedChannel knows which Node.js publishes http.client.request.created', () => {
  assert.equal(hasCreatedChannel('20.20.2'), false);
  assert.equal(hasCreatedChannel('22.11.0'), false);
  assert.equal(hasCreatedChannel('22.12.0'), true);
  assert.equal(hasCreatedChannel('23.1.0'), false);
  assert.equal(hasCreatedChannel('23.2.0'), true);
  assert.equal(hasCreatedChannel('24.0.0'), true);
});
