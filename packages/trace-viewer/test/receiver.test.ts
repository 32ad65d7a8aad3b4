// Real datagrams over loopback UDP into a viewer started on port 0.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startTraceViewer, type TraceViewer } from '../src/index.js';
import { HEADER, Sender, datagram, newId, newTraceId, twoServiceTrace } from './fixtures.js';

/** Polls until `check` passes: UDP delivery on loopback is fast but asynchronous. */
async function eventually(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await delay(5);
  }
}

void describe('UDP receiver', () => {
  let viewer: TraceViewer;
  let sender: Sender;

  before(async () => {
    viewer = await startTraceViewer({ udpPort: 0, web: false, finishAfterMs: 50 });
    sender = new Sender(viewer.udpPort);
  });
  after(async () => {
    await sender.close();
    await viewer.close();
  });

  void it('reports the port it bound when asked for port 0', () => {
    assert.ok(viewer.udpPort > 0);
    assert.equal(viewer.daemonAddress, `127.0.0.1:${viewer.udpPort}`);
    assert.equal(viewer.httpPort, undefined);
    assert.equal(viewer.url, undefined);
  });

  void it('reassembles streamed subsegments sent before their parent segment', async () => {
    const traceId = newTraceId();
    const rootId = newId();
    const callId = newId();
    const t0 = Date.now() / 1000;
    await sender.send({ type: 'subsegment', trace_id: traceId, parent_id: callId, id: newId(), name: 'inner', start_time: t0 + 0.01, end_time: t0 + 0.02 });
    await sender.send({ type: 'subsegment', trace_id: traceId, parent_id: rootId, id: callId, name: 'outer', start_time: t0 + 0.005, end_time: t0 + 0.03 });
    await sender.send({ trace_id: traceId, id: rootId, name: 'api', start_time: t0, end_time: t0 + 0.04 });
    const trace = await viewer.store.waitForTrace(traceId, 3000);
    assert.equal(trace.roots.length, 1);
    assert.equal(trace.roots[0]!.name, 'api');
    assert.equal(trace.roots[0]!.children[0]!.name, 'outer');
    assert.equal(trace.roots[0]!.children[0]!.children[0]!.name, 'inner');
  });

  void it('nests a second service under the caller’s remote subsegment', async () => {
    const t = twoServiceTrace();
    await sender.sendAll([t.bDynamo, t.b, t.a]);
    const trace = await viewer.store.waitForTrace(t.traceId, 3000);
    const call = trace.roots[0]!.children.find((node) => node.id === t.callId)!;
    assert.equal(call.namespace, 'remote');
    assert.equal(call.children.length, 1);
    assert.equal(call.children[0]!.kind, 'segment');
    assert.equal(call.children[0]!.name, 'worker');
    assert.deepEqual(trace.services, ['frontend', 'worker']);
  });

  void it('keeps duplicates once and replaces an in-progress segment with the complete one', async () => {
    const traceId = newTraceId();
    const id = newId();
    const t0 = Date.now() / 1000;
    const before = viewer.stats();
    await sender.send({ trace_id: traceId, id, name: 'api', start_time: t0, in_progress: true });
    await sender.send({ trace_id: traceId, id, name: 'api', start_time: t0, in_progress: true });
    await sender.send({ trace_id: traceId, id, name: 'api', start_time: t0, end_time: t0 + 0.1, http: { response: { status: 201 } } });
    await sender.send({ trace_id: traceId, id, name: 'api', start_time: t0, end_time: t0 + 0.1, http: { response: { status: 201 } } });
    const trace = await viewer.store.waitForTrace(traceId, 3000);
    assert.equal(trace.documents.length, 1);
    assert.equal(trace.status, 201);
    assert.equal(trace.inProgress, false);
    const now = viewer.stats();
    assert.equal(now.duplicates - before.duplicates, 2);
    assert.equal(now.replaced - before.replaced, 1);
  });

  void it('counts malformed datagrams by reason and keeps receiving', async () => {
    const before = viewer.stats();
    const good = { trace_id: newTraceId(), id: newId(), name: 'still-alive', start_time: Date.now() / 1000, end_time: Date.now() / 1000 + 0.01 };
    const full = datagram(good);
    await sender.sendAll([
      Buffer.from(`{"format":"json","version":2}\n${JSON.stringify(good)}`),
      Buffer.from(`{"format":"xml","version":1}\n${JSON.stringify(good)}`),
      Buffer.from(JSON.stringify(good)),
      Buffer.from(HEADER),
      full.subarray(0, full.length - 10),
      datagram('[1,2,3]'),
      datagram({ ...good, id: 'short' }),
      datagram({ ...good, trace_id: 'not-a-trace-id' }),
      datagram({ name: 'x', id: newId(), start_time: 1 }),
      Buffer.alloc(0),
      full,
    ]);
    await viewer.store.waitForTrace((trace) => trace.entry === 'still-alive', 3000);
    const now = viewer.stats();
    const delta = (reason: keyof typeof now.malformed): number => now.malformed[reason] - before.malformed[reason];
    assert.equal(delta('bad_header'), 4, 'two bad headers, a body without header, an empty datagram');
    assert.equal(delta('empty_body'), 1);
    assert.equal(delta('invalid_json'), 1);
    assert.equal(delta('not_object'), 1);
    assert.equal(delta('bad_id'), 1);
    assert.equal(delta('bad_trace_id'), 1);
    assert.equal(delta('missing_field'), 1);
    assert.equal(now.received - before.received, 11);
    assert.ok(now.recentMalformed.some((sample) => sample.reason === 'invalid_json'));
  });

  void it('accepts the largest datagram loopback UDP carries', async () => {
    const traceId = newTraceId();
    const doc = { trace_id: traceId, id: newId(), name: 'big', start_time: Date.now() / 1000, end_time: Date.now() / 1000 + 0.01, metadata: { default: { pad: '' } } };
    // 65,507 bytes is the IPv4 UDP payload limit; the document fills it to the byte.
    const pad = 65_507 - datagram(doc).length;
    const big = datagram({ ...doc, metadata: { default: { pad: 'p'.repeat(pad) } } });
    assert.equal(big.length, 65_507);
    await sender.send(big);
    const trace = await viewer.store.waitForTrace(traceId, 3000);
    const padded = trace.documents[0]!['metadata'] as { default: { pad: string } };
    assert.equal(padded.default.pad.length, pad);
  });
});

void describe('UDP receiver bounds', () => {
  void it('holds at most maxTraces traces and counts evictions while traces stream in', async () => {
    const viewer = await startTraceViewer({ udpPort: 0, web: false, maxTraces: 5, finishAfterMs: 50 });
    const sender = new Sender(viewer.udpPort);
    try {
      const ids: string[] = [];
      for (let i = 0; i < 40; i++) {
        const traceId = newTraceId();
        ids.push(traceId);
        await sender.send({ trace_id: traceId, id: newId(), name: `t${i}`, start_time: 1700000000 + i, end_time: 1700000000.5 + i });
      }
      await eventually(() => viewer.stats().documents === 40, 'all 40 documents');
      const stats = viewer.stats();
      assert.equal(stats.traces, 5);
      assert.equal(stats.evictions, 35);
      assert.deepEqual(viewer.store.listTraces().map((t) => t.id), ids.slice(-5).reverse());
    } finally {
      await sender.close();
      await viewer.close();
    }
  });

  void it('fails to start with a clear error when the UDP port is taken, and frees what it opened', async () => {
    const first = await startTraceViewer({ udpPort: 0, web: false });
    try {
      await assert.rejects(startTraceViewer({ udpPort: first.udpPort, httpPort: 0 }), /EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});

void describe('terminal output', () => {
  void it('prints each finished trace as a plain tree to a non-TTY stream', async () => {
    const chunks: string[] = [];
    const viewer = await startTraceViewer({ udpPort: 0, web: false, finishAfterMs: 30, output: { write: (text: string) => chunks.push(text) } });
    const sender = new Sender(viewer.udpPort);
    try {
      const t = twoServiceTrace({ status: 502 });
      await sender.sendAll([t.b, t.bDynamo, t.a]);
      await viewer.store.waitForTrace(t.traceId, 3000);
      await eventually(() => chunks.length > 0, 'printed tree');
      const text = chunks.join('');
      assert.ok(!text.includes('\u001b['), 'no ANSI escapes when not a TTY');
      assert.match(text, new RegExp(`trace ${t.traceId}`));
      assert.match(text, /^frontend {2}GET http:\/\/localhost:4567\/api\/activities\/home → 502 {2}182 ms {2}FAULT/m);
      assert.match(text, /^│ {2}└─ worker {2}POST http:\/\/127\.0\.0\.1:4568\/process → 502/m);
      assert.match(text, /DynamoDB {2}aws {2}PutItem/);
    } finally {
      await sender.close();
      await viewer.close();
    }
  });
});
