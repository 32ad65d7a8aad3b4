import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDatagram, type ParsedDocument } from '../src/datagram.js';
import { TraceStore } from '../src/store.js';
import { walk } from '../src/tree.js';
import type { Trace, TraceNode } from '../src/types.js';
import { datagram, newId, newTraceId, twoServiceTrace, type Doc } from './fixtures.js';

function parsed(doc: Doc): ParsedDocument {
  const result = parseDatagram(datagram(doc));
  assert.ok(result.ok, `fixture must be valid: ${result.ok ? '' : result.detail}`);
  return result;
}

/** The tree as "name>child,child" lines, to compare shapes readably. */
function shape(trace: Trace): string[] {
  const lines: string[] = [];
  walk(trace.roots, (node, _parent, depth) => lines.push(`${'  '.repeat(depth)}${node.name}`));
  return lines;
}

function find(trace: Trace, name: string): TraceNode {
  let found: TraceNode | undefined;
  walk(trace.roots, (node) => {
    if (node.name === name && !found) found = node;
  });
  assert.ok(found, `node ${name}`);
  return found;
}

void describe('TraceStore reassembly', () => {
  void it('nests service B under the remote subsegment of service A that called it, in any arrival order', () => {
    const t = twoServiceTrace();
    const orders = [
      [t.a, t.b, t.bDynamo],
      [t.bDynamo, t.b, t.a],
      [t.b, t.bDynamo, t.a],
    ];
    for (const order of orders) {
      const store = new TraceStore();
      for (const doc of order) store.add(parsed(doc));
      const trace = store.getTrace(t.traceId);
      assert.ok(trace);
      assert.deepEqual(shape(trace), ['frontend', '  auth-check', '  worker', '    worker', '      validate', '      DynamoDB', '  render']);
      assert.equal(trace.roots.length, 1);
      const call = find(trace, 'worker');
      assert.equal(call.kind, 'subsegment');
      assert.equal(call.id, t.callId);
      assert.equal(call.children[0]?.kind, 'segment');
      assert.equal(find(trace, 'DynamoDB').service, 'worker', 'a subsegment belongs to its nearest segment');
      assert.deepEqual(trace.services, ['frontend', 'worker']);
      assert.equal(trace.method, 'GET');
      assert.equal(trace.url, 'http://localhost:4567/api/activities/home');
      assert.equal(trace.status, 200);
      assert.equal(trace.nodeCount, 7);
      store.close();
    }
  });

  void it('places independent subsegments that arrive before their parent, including children of subsegments', () => {
    const store = new TraceStore();
    const traceId = newTraceId();
    const rootId = newId();
    const midId = newId();
    const leafId = newId();
    const t0 = 1700000000;
    store.add(parsed({ type: 'subsegment', trace_id: traceId, parent_id: midId, id: leafId, name: 'leaf', start_time: t0 + 0.02, end_time: t0 + 0.03 }));
    store.add(parsed({ type: 'subsegment', trace_id: traceId, parent_id: rootId, id: midId, name: 'mid', start_time: t0 + 0.01, end_time: t0 + 0.04 }));
    let trace = store.getTrace(traceId)!;
    assert.deepEqual(shape(trace), ['mid', '  leaf'], 'without the segment, the subtree waits as an orphan root');
    assert.equal(find(trace, 'mid').service, undefined);
    store.add(parsed({ trace_id: traceId, id: rootId, name: 'api', start_time: t0, end_time: t0 + 0.05 }));
    trace = store.getTrace(traceId)!;
    assert.deepEqual(shape(trace), ['api', '  mid', '    leaf']);
    assert.equal(find(trace, 'leaf').service, 'api');
    assert.equal(trace.durationMs, 50);
    store.close();
  });

  void it('keeps a duplicate once and lets a complete document replace its in-progress version', () => {
    const store = new TraceStore();
    const traceId = newTraceId();
    const id = newId();
    const open = { trace_id: traceId, id, name: 'api', start_time: 1700000000, in_progress: true };
    const done = { trace_id: traceId, id, name: 'api', start_time: 1700000000, end_time: 1700000000.25 };
    assert.equal(store.add(parsed(open)), 'added');
    assert.equal(store.getTrace(traceId)!.inProgress, true);
    assert.equal(store.add(parsed(open)), 'duplicate');
    assert.equal(store.add(parsed(done)), 'replaced');
    assert.equal(store.add(parsed(done)), 'duplicate');
    assert.equal(store.add(parsed(open)), 'duplicate', 'a late in-progress copy never undoes the complete one');
    const trace = store.getTrace(traceId)!;
    assert.equal(trace.documents.length, 1);
    assert.equal(trace.inProgress, false);
    assert.equal(trace.durationMs, 250);
    assert.deepEqual(
      { duplicates: store.stats().duplicates, replaced: store.stats().replaced, documents: store.stats().documents },
      { duplicates: 3, replaced: 1, documents: 2 },
    );
    store.close();
  });

  void it('prefers a complete independent subsegment over the in-progress copy embedded in its segment', () => {
    const store = new TraceStore();
    const traceId = newTraceId();
    const rootId = newId();
    const subId = newId();
    store.add(parsed({
      trace_id: traceId, id: rootId, name: 'api', start_time: 1, end_time: 3,
      subsegments: [{ id: subId, name: 'slow', start_time: 1.5, in_progress: true }],
    }));
    assert.equal(store.getTrace(traceId)!.inProgress, true);
    store.add(parsed({ type: 'subsegment', trace_id: traceId, parent_id: rootId, id: subId, name: 'slow', start_time: 1.5, end_time: 2.5 }));
    const trace = store.getTrace(traceId)!;
    assert.equal(trace.inProgress, false);
    assert.equal(trace.nodeCount, 2);
    assert.equal(find(trace, 'slow').durationMs, 1000);
    store.close();
  });

  void it('survives documents that name each other as parents', () => {
    const store = new TraceStore();
    const traceId = newTraceId();
    const a = newId();
    const b = newId();
    store.add(parsed({ type: 'subsegment', trace_id: traceId, parent_id: b, id: a, name: 'a', start_time: 1, end_time: 2 }));
    store.add(parsed({ type: 'subsegment', trace_id: traceId, parent_id: a, id: b, name: 'b', start_time: 1, end_time: 2 }));
    store.add(parsed({ trace_id: traceId, id: newId(), parent_id: newId(), name: 'self', start_time: 1, end_time: 2 }));
    const trace = store.getTrace(traceId)!;
    assert.equal(trace.nodeCount, 3);
    assert.equal(shape(trace).length, 3, 'each node shown exactly once');
    store.close();
  });

  void it('builds the service map: services, untraced calls, call and error counts', () => {
    const store = new TraceStore();
    const t = twoServiceTrace({ status: 500 });
    for (const doc of [t.a, t.b, t.bDynamo]) store.add(parsed(doc));
    const map = store.getTrace(t.traceId)!.serviceMap;
    assert.deepEqual(
      map.nodes.map((n) => `${n.kind}:${n.name}:${n.count}:${n.errors}`).sort(),
      ['aws:DynamoDB:1:0', 'service:frontend:1:1', 'service:worker:1:1'],
    );
    assert.deepEqual(
      map.edges.map((e) => `${e.from}->${e.to}:${e.calls}:${e.errors}`).sort(),
      ['frontend->worker:1:1', 'worker->DynamoDB:1:0'],
    );
  });
});

void describe('TraceStore finishing', () => {
  void it('finishes a trace only when its root is complete, nothing is in progress, and it has been quiet', () => {
    const store = new TraceStore({ finishAfterMs: 1000, maxOpenMs: 60_000 });
    const finished: Trace[] = [];
    store.subscribe((event) => {
      if (event.type === 'finished') finished.push(event.trace);
    });
    const t = twoServiceTrace();
    store.add(parsed(t.b), 0);
    store.sweep(4000);
    assert.equal(finished.length, 0, 'B names a parent that is not here: A may still be sending');
    store.add(parsed(t.a), 4000);
    store.sweep(4500);
    assert.equal(finished.length, 0, 'still inside the quiet period');
    store.sweep(5000);
    assert.equal(finished.length, 1);
    assert.equal(finished[0]!.finished, true);
    assert.equal(finished[0]!.partial, false);
    assert.equal(store.getSummary(t.traceId)!.finished, true);

    store.add(parsed(t.bDynamo), 6000);
    assert.equal(store.getSummary(t.traceId)!.finished, false, 'a late document reopens the trace');
    store.sweep(7000);
    assert.equal(finished.length, 2);
    assert.equal(finished[1]!.nodeCount, 7);
    store.close();
  });

  void it('finishes a trace whose only segment names a missing parent after five quiet periods', () => {
    const store = new TraceStore({ finishAfterMs: 1000 });
    const t = twoServiceTrace();
    store.add(parsed(t.b), 0);
    store.sweep(4999);
    assert.equal(store.getSummary(t.traceId)!.finished, false);
    store.sweep(5000);
    const summary = store.getSummary(t.traceId)!;
    assert.equal(summary.finished, true);
    assert.equal(summary.partial, false);
    store.close();
  });

  void it('waits for in-progress documents, then gives up after maxOpenMs and marks the trace partial', () => {
    const store = new TraceStore({ finishAfterMs: 100, maxOpenMs: 10_000 });
    const traceId = newTraceId();
    store.add(parsed({ trace_id: traceId, id: newId(), name: 'api', start_time: 1, in_progress: true }), 0);
    store.sweep(5000);
    assert.equal(store.getSummary(traceId)!.finished, false);
    store.sweep(10_000);
    const summary = store.getSummary(traceId)!;
    assert.equal(summary.finished, true);
    assert.equal(summary.partial, true);
    store.close();
  });

  void it('waitForTrace resolves for traces already held and for traces still to come, and times out', async () => {
    const store = new TraceStore({ finishAfterMs: 20 });
    const first = twoServiceTrace();
    store.add(parsed(first.a));
    store.add(parsed(first.b));
    const byId = await store.waitForTrace(first.traceId, 2000);
    assert.equal(byId.id, first.traceId);
    assert.equal(byId.finished, true);

    const second = twoServiceTrace({ status: 500 });
    const waiting = store.waitForTrace((trace) => trace.hasFault, 2000);
    store.add(parsed(second.a));
    assert.equal((await waiting).id, second.traceId);

    const unfinished = store.waitForTrace((trace) => trace.services.includes('worker') && trace.status === 404, 2000, { finished: false });
    const third = twoServiceTrace({ status: 404 });
    store.add(parsed(third.b));
    store.add(parsed(third.a));
    assert.equal((await unfinished).id, third.traceId);

    await assert.rejects(store.waitForTrace('1-00000000-000000000000000000000000', 50), /within 50 ms/);

    const throwing = store.waitForTrace((trace) => {
      if (trace.status === 418) throw new Error('predicate bug');
      return false;
    }, 2000);
    const fourth = twoServiceTrace({ status: 418 });
    store.add(parsed(fourth.a));
    await assert.rejects(throwing, /predicate bug/);
    store.close();
  });
});

void describe('TraceStore bounds', () => {
  void it('keeps only the last maxTraces traces and counts evictions', () => {
    const store = new TraceStore({ maxTraces: 3 });
    const evicted: string[] = [];
    store.subscribe((event) => {
      if (event.type === 'evicted') evicted.push(event.traceId);
    });
    const ids = Array.from({ length: 5 }, () => newTraceId());
    ids.forEach((traceId, i) => store.add(parsed({ trace_id: traceId, id: newId(), name: `t${i}`, start_time: 1700000000 + i, end_time: 1700000001 + i })));
    assert.deepEqual(evicted, ids.slice(0, 2));
    assert.deepEqual(store.listTraces().map((t) => t.id), ids.slice(2).reverse(), 'newest first');
    assert.equal(store.getTrace(ids[0]!), undefined);
    assert.equal(store.stats().evictions, 2);
    assert.equal(store.stats().traces, 3);
    store.close();
  });

  void it('caps documents per trace and marks the trace truncated', () => {
    const store = new TraceStore({ maxDocumentsPerTrace: 2 });
    const traceId = newTraceId();
    const rootId = newId();
    store.add(parsed({ trace_id: traceId, id: rootId, name: 'api', start_time: 1, end_time: 2 }));
    store.add(parsed({ type: 'subsegment', trace_id: traceId, parent_id: rootId, id: newId(), name: 's1', start_time: 1, end_time: 2 }));
    assert.equal(store.add(parsed({ type: 'subsegment', trace_id: traceId, parent_id: rootId, id: newId(), name: 's2', start_time: 1, end_time: 2 })), 'dropped');
    const trace = store.getTrace(traceId)!;
    assert.equal(trace.documentCount, 2);
    assert.equal(trace.truncated, true);
    assert.equal(store.stats().documentsDropped, 1);
    store.close();
  });

  void it('evicts the oldest traces to stay within maxBytes', () => {
    const store = new TraceStore({ maxBytes: 2000 });
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const traceId = newTraceId();
      ids.push(traceId);
      store.add(parsed({ trace_id: traceId, id: newId(), name: 'api', start_time: 1 + i, end_time: 2 + i, metadata: { default: { pad: 'x'.repeat(400) } } }));
    }
    const stats = store.stats();
    assert.ok(stats.bytes <= 2000, `bytes ${stats.bytes}`);
    assert.ok(stats.traces >= 3 && stats.traces < 10);
    assert.ok(store.getTrace(ids[9]!), 'the newest trace is kept');
    assert.equal(store.getTrace(ids[0]!), undefined);
    store.close();
  });
});
