// The X-Ray daemon side of reliability, through a real Express app: a daemon that is not there
// (ICMP port unreachable on the connected socket), a name that does not resolve, documents that
// hostile data makes huge (EMSGSIZE), and a sampling proxy that refuses, hangs, or answers
// garbage or 500s. Each time: every request answers as usual and on time, the trouble is counted
// and reported once, nothing grows without bound, and things recover without a restart.
import assert from 'node:assert/strict';
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import { after, test } from 'node:test';
import { startDaemonSink, startXRayApiServer, type DaemonSink } from '@cruddur/fakes';
import express from 'express';
import { CentralizedSampler, createTracer, Diagnostics, LocalSampler, Subsegment, type Tracer, type UdpEmitter } from '../src/internal.js';
import { xray, xrayErrorHandler } from '../src/express/index.js';
import { SAMPLE_EVERYTHING } from '../src/testing/index.js';
import { send } from './support/http-client.js';
import { assertAcceptable, inParallel, listen, RESPONSE_TRACE_HEADER, waitUntil, watchDiagnostics, type Listening } from './support/reliability-kit.js';

const diagnostics = watchDiagnostics();
after(() => diagnostics.stop());

/** An Express app traced by `tracer`: `/work` does a little traced work, `/hostile` abuses the API. */
async function tracedApp(tracer: Tracer): Promise<Listening> {
  const app = express();
  app.use(xray({ tracer, name: 'api' }));
  app.get('/work', async (_req, res) => {
    await tracer.capture('step', async () => new Promise((resolve) => setImmediate(resolve)));
    res.json({ ok: true });
  });
  app.get('/hostile', (req) => {
    const segment = req.segment!;
    // Metadata that alone would fill a datagram, in 3-byte characters.
    segment.addMetadata('blob', 'é'.repeat(40_000));
    // 150 subsegments of 2 kB each: 300 kB for one request (a real daemon's socket buffer holds more).
    for (let i = 0; i < 150; i++) {
      const sub = new Subsegment(`chunk-${i}`, segment);
      sub.addMetadata('payload', { i, text: 'x'.repeat(2_000) });
      sub.close();
    }
    for (let i = 0; i < 10_000; i++) segment.addAnnotation(`a${i}`, 'v'.repeat(2_000));
    // An error whose stack is half a megabyte of frames: the document cannot keep them.
    const err = new Error('hostile stack');
    err.stack = `Error: hostile stack\n${Array.from({ length: 100 }, (_, i) => `    at ${'f'.repeat(5_000)}${i} (/${'p'.repeat(5_000)}.js:1:1)`).join('\n')}`;
    throw err;
  });
  app.use(xrayErrorHandler());
  app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(500).json({ error: 'internal' }));
  return listen(app);
}

function udpTracer(daemonAddress: string): Tracer {
  return createTracer({ daemonAddress, samplingRules: SAMPLE_EVERYTHING, centralizedSampling: false, logLevel: 'silent' });
}

/** Sends `count` requests, 10 at a time; asserts each was answered 200 with a well-formed trace header. */
async function allAnswered(port: number, count: number, path = '/work'): Promise<string[]> {
  const replies = await inParallel(count, 10, () => send(port, path));
  for (const reply of replies) {
    assert.equal(reply.status, 200, reply.body);
    assert.match(reply.traceHeader ?? '', RESPONSE_TRACE_HEADER);
  }
  return replies.map((r) => r.traceId!);
}

function traceIdsOf(sink: DaemonSink): Set<string> {
  return new Set(sink.documents.map((d) => (d.document as { trace_id?: string }).trace_id ?? ''));
}

test('daemon port unreachable: requests succeed, the refusals are counted and reported once, and documents flow once a daemon binds that port', async (t) => {
  const probe = await startDaemonSink();
  const port = probe.port;
  await probe.close();
  const tracer = udpTracer(`127.0.0.1:${port}`);
  const emitter = tracer.emitter as UdpEmitter;
  const app = await tracedApp(tracer);
  t.after(() => app.close());
  t.after(() => tracer.shutdown());

  // Nobody listens: the kernel answers with ICMP port unreachable, which a connected UDP socket
  // reports as ECONNREFUSED on a later operation.
  await allAnswered(app.port, 60);
  await tracer.flush();
  await waitUntil(() => emitter.stats.failed > 0, 'ECONNREFUSED to be counted');
  const refused = diagnostics.matching(/ECONNREFUSED/, 'error');
  assert.equal(refused.length, 1, 'reported once, however many datagrams were refused');
  assert.match(refused[0]!, new RegExp(`127\\.0\\.0\\.1:${port}`), 'the message names the daemon address');

  // The daemon starts on that port: the same socket delivers again, no restart.
  const sink = await startDaemonSink({ port });
  t.after(() => sink.close());
  const failedBefore = emitter.stats.failed;
  const ids = await allAnswered(app.port, 30);
  await tracer.flush();
  await waitUntil(() => ids.every((id) => traceIdsOf(sink).has(id)), 'every segment after recovery');
  assert.equal(emitter.stats.failed, failedBefore, 'no refusal once the daemon listens');
  assert.equal(sink.rejected.length, 0);
  assertAcceptable(sink.documents.map((d) => d.document));
});

test('daemon host name that does not resolve: requests succeed, documents are dropped and counted, the resolver is not flooded, and delivery starts once the name resolves', async (t) => {
  const sink = await startDaemonSink();
  t.after(() => sink.close());
  // A resolver under the test's control: the name fails until `resolvable` is set.
  let resolvable = false;
  let lookups = 0;
  const realLookup = dns.lookup;
  const fakeLookup = (hostname: string, ...rest: unknown[]): void => {
    const callback = rest.at(-1) as (err: NodeJS.ErrnoException | null, address?: string, family?: number) => void;
    if (hostname !== 'xray-daemon.reliability.invalid') {
      (realLookup as (...args: unknown[]) => void)(hostname, ...rest);
      return;
    }
    lookups++;
    setTimeout(() => {
      if (resolvable) callback(null, '127.0.0.1', 4);
      else callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    }, 2);
  };
  (dns as { lookup: unknown }).lookup = fakeLookup;
  syncBuiltinESMExports();
  t.after(() => {
    (dns as { lookup: unknown }).lookup = realLookup;
    syncBuiltinESMExports();
  });

  const tracer = udpTracer(`xray-daemon.reliability.invalid:${sink.port}`);
  const emitter = tracer.emitter as UdpEmitter;
  const app = await tracedApp(tracer);
  t.after(() => app.close());
  t.after(() => tracer.shutdown());

  const started = Date.now();
  await allAnswered(app.port, 200);
  const elapsed = Date.now() - started;
  await tracer.flush();
  assert.ok(emitter.stats.dropped > 0, 'dropped documents are counted');
  assert.ok(lookups <= Math.ceil(elapsed / 1000) + 1, `${lookups} lookups in ${elapsed} ms: at most one a second while the name fails`);
  assert.equal(diagnostics.matching(/cannot resolve the X-Ray daemon host xray-daemon\.reliability\.invalid/, 'error').length, 1);
  assert.equal(sink.documents.length, 0);

  // The name starts resolving (the daemon container came up): delivery resumes on its own.
  resolvable = true;
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  const ids = await allAnswered(app.port, 5);
  await waitUntil(() => traceIdsOf(sink).size > 0, 'the first document after the name resolved');
  const later = await allAnswered(app.port, 20);
  await tracer.flush();
  await waitUntil(() => later.every((id) => traceIdsOf(sink).has(id)), 'every segment once the name resolves');
  assert.ok(ids.some((id) => traceIdsOf(sink).has(id)), 'documents held while the name was being looked up are sent');
  assertAcceptable(sink.documents.map((d) => d.document));
});

test('hostile data never makes a datagram over the UDP limit (no EMSGSIZE): huge metadata, 150 subsegments, 10,000 annotations and a giant stack', async (t) => {
  const sink = await startDaemonSink();
  t.after(() => sink.close());
  const tracer = udpTracer(sink.address);
  const emitter = tracer.emitter as UdpEmitter;
  const app = await tracedApp(tracer);
  t.after(() => app.close());
  t.after(() => tracer.shutdown());
  const warningsBefore = diagnostics.matching(/annotation/).length;

  // One request at a time: the sink shares this process, and a burst larger than its socket
  // buffer would be lost in the kernel before it is read.
  for (let round = 1; round <= 3; round++) {
    const reply = await send(app.port, '/hostile');
    assert.equal(reply.status, 500, 'the app answers its own error');
    await tracer.flush();
    await waitUntil(() => sink.documents.length >= round * 151, `the segment and 150 subsegments of request ${round}`);
  }

  assert.equal(emitter.stats.failed, 0, 'the OS refused no datagram');
  const largest = Math.max(...sink.datagrams.map((d) => d.raw.length));
  assert.ok(largest <= 64_000, `largest datagram ${largest} bytes`);
  assert.equal(sink.rejected.length, 0);
  assertAcceptable(sink.documents.map((d) => d.document));
  const segments = sink.documents.map((d) => d.document as { type?: string; fault?: boolean; annotations?: object; cause?: { exceptions: Array<{ message: string; stack?: unknown; truncated?: number }> } }).filter((d) => d.type === undefined);
  assert.equal(segments.length, 3);
  for (const segment of segments) {
    assert.equal(segment.fault, true);
    const exception = segment.cause?.exceptions[0];
    assert.equal(exception?.message, 'hostile stack', 'the error survives, without its frames');
    assert.equal(exception?.stack, undefined);
    assert.ok((exception?.truncated ?? 0) >= 50, 'the dropped frames are counted');
  }
  // 10,000 annotations on each of three requests: a bounded number of warnings, not 30,000.
  const warnings = diagnostics.matching(/annotation/).length - warningsBefore;
  assert.ok(warnings <= 102, `${warnings} annotation warnings`);
});

test('a datagram limit above the largest UDP payload is refused at start-up, naming the option', () => {
  assert.throws(() => createTracer({ maxDatagramBytes: 65_536, emitter: { send: () => undefined } }), /maxDatagramBytes is 65536; expected an integer from 1024 to 65507/);
  assert.throws(() => createTracer({ maxDatagramBytes: Number.NaN, emitter: { send: () => undefined } }), /maxDatagramBytes/);
  assert.doesNotThrow(() => createTracer({ maxDatagramBytes: 65_507, emitter: { send: () => undefined } }));
});

test('sampling proxy refusing, hanging, answering garbage or 500s: decisions stay synchronous on the local rules, requests are not slowed, and central rules apply once it answers', async (t) => {
  const api = await startXRayApiServer({
    samplingRules: [
      { RuleName: 'Quiet', ServiceName: 'api', FixedRate: 0, ReservoirSize: 0, Priority: 1 },
      { RuleName: 'Default', FixedRate: 0, ReservoirSize: 0 },
    ],
  });
  t.after(() => api.close());
  const sampler = new CentralizedSampler({
    proxy: { host: '127.0.0.1', port: api.port },
    fallback: new LocalSampler(SAMPLE_EVERYTHING),
    diagnostics: new Diagnostics(undefined, 'silent'),
    autoStart: false,
    requestTimeoutMs: 600,
  });
  const tracer = createTracer({ sampler, emitter: { send: () => undefined }, logLevel: 'silent' });
  t.after(() => tracer.shutdown());
  const app = await tracedApp(tracer);
  t.after(() => app.close());
  const ask = { headers: { 'X-Amzn-Trace-Id': 'Sampled=?' } };

  const faults: Array<[string, () => Promise<void> | void, RegExp]> = [
    ['refused', () => api.goDown(), /no X-Ray sampling proxy answers/],
    ['hanging', () => api.failNext('GetSamplingRules', 'hang'), /timed out after 600 ms/],
    ['garbage', () => api.failNext('GetSamplingRules', 'garbage'), /not JSON|without SamplingRuleRecords/],
    ['HTTP 500', () => api.failNext('GetSamplingRules', '500'), /HTTP 500/],
  ];
  for (const [name, inject, reported] of faults) {
    await inject();
    let settledAt = 0;
    const poll = sampler.refreshRules().then((ok) => {
      settledAt = Date.now();
      return ok;
    });
    const replies = await inParallel(20, 5, async () => {
      const started = Date.now();
      const reply = await send(app.port, '/work', ask);
      return { reply, ms: Date.now() - started, at: Date.now() };
    });
    for (const { reply, ms } of replies) {
      assert.equal(reply.status, 200, name);
      assert.equal(reply.traceHeader?.endsWith(';Sampled=1'), true, `${name}: the local rules decide (${reply.traceHeader})`);
      assert.ok(ms < 500, `${name}: a request took ${ms} ms (the hanging poll takes 600)`);
    }
    assert.equal(await poll, false, `${name}: the poll fails`);
    if (name === 'hanging') assert.ok(Math.max(...replies.map((r) => r.at)) < settledAt, 'every request was answered while the poll still hung');
    assert.ok(diagnostics.matching(reported).length >= 1, `${name}: a diagnostic says ${String(reported)}`);
    if (name === 'refused') await api.comeBack();
  }
  assert.equal(sampler.usingCentralRules, false);

  // The proxy answers: its rule (sample nothing for "api") applies, without a restart.
  assert.equal(await sampler.refreshRules(), true);
  const reply = await send(app.port, '/work', ask);
  assert.equal(reply.status, 200);
  assert.match(reply.traceHeader ?? '', /;Sampled=0$/);
});
