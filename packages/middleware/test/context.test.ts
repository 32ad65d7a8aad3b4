import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { capture, getCurrentSegment, getCurrentSubsegment, SegmentNotFoundError, Tracer, type SegmentDocument, type SubsegmentDocument } from '../src/index.js';
import { createTestTracer, flattenSubsegments } from '../src/testing/index.js';

test('capture closes a sync subsegment on return and on throw, recording the error', () => {
  const { tracer, emitter } = createTestTracer();
  const segment = tracer.beginSegment({ name: 'api' });
  tracer.run(segment, () => {
    assert.equal(capture('ok', () => 42), 42);
    assert.throws(() => capture('fails', () => { throw new RangeError('bad'); }), RangeError);
  });
  segment.close();
  const [ok, fails] = (emitter.documents[0]!.document as SegmentDocument).subsegments!;
  assert.ok(ok!.end_time !== undefined && ok!.fault === undefined);
  assert.equal(fails!.fault, true);
  assert.equal((fails!.cause as { exceptions: Array<{ type: string }> }).exceptions[0]!.type, 'RangeError');
});

test('capture closes an async subsegment when its promise settles', async () => {
  const { tracer, emitter } = createTestTracer();
  const segment = tracer.beginSegment({ name: 'api' });
  await tracer.run(segment, async () => {
    const value = await capture('later', async () => {
      await sleep(5);
      assert.equal(getCurrentSubsegment()?.name, 'later');
      return 'v';
    });
    assert.equal(value, 'v');
    await assert.rejects(capture('rejects', async () => { await sleep(1); throw new Error('async boom'); }), /async boom/);
  });
  segment.close();
  const subs = (emitter.documents[0]!.document as SegmentDocument).subsegments!;
  assert.deepEqual(subs.map((s) => s.name), ['later', 'rejects']);
  assert.ok(subs[0]!.end_time! - subs[0]!.start_time >= 0.004);
  assert.equal(subs[1]!.fault, true);
});

test('200 concurrent requests with nested captures, Promise.all, timers, emitters and streams keep exactly their own subsegments', async () => {
  const { tracer, emitter } = createTestTracer();
  const jitter = (): Promise<void> => sleep(Math.floor(Math.random() * 4));

  async function handle(i: number): Promise<void> {
    const segment = tracer.beginSegment({ name: `req-${i}` });
    await tracer.run(segment, async () => {
      await capture(`r${i}-outer`, async () => {
        await jitter();
        await Promise.all([
          capture(`r${i}-a`, async () => {
            await jitter();
            await capture(`r${i}-a-inner`, jitter);
          }),
          capture(`r${i}-b`, async () => {
            await jitter();
          }),
        ]);
        await new Promise<void>((resolve) => setTimeout(() => capture(`r${i}-timer`, () => resolve()), Math.random() * 3));
        const bus = new EventEmitter();
        const heard = once(bus, 'ping');
        setImmediate(() => bus.emit('ping'));
        await heard;
        capture(`r${i}-after-event`, () => undefined);
        for await (const chunk of Readable.from(['x', 'y'])) {
          await capture(`r${i}-chunk-${String(chunk)}`, jitter);
        }
      });
    });
    segment.close();
  }

  await Promise.all(Array.from({ length: 200 }, (_, i) => handle(i)));
  assert.equal(emitter.documents.length, 200);
  for (const { document } of emitter.documents) {
    const doc = document as SegmentDocument;
    const i = doc.name.slice(4);
    const names = flattenSubsegments(doc).map((s: SubsegmentDocument) => s.name).sort();
    assert.deepEqual(names, [`r${i}-a`, `r${i}-a-inner`, `r${i}-after-event`, `r${i}-b`, `r${i}-chunk-x`, `r${i}-chunk-y`, `r${i}-outer`, `r${i}-timer`].sort(), doc.name);
    const outer = doc.subsegments![0]!;
    assert.equal(outer.name, `r${i}-outer`);
    assert.equal(outer.subsegments!.find((s) => s.name === `r${i}-a`)!.subsegments![0]!.name, `r${i}-a-inner`);
    assert.equal(flattenSubsegments(doc).every((s) => s.end_time !== undefined), true);
  }
});

test('outside a request: LOG_ERROR reports once with advice, RUNTIME_ERROR throws, IGNORE_ERROR is silent, capture still runs', () => {
  const logged: string[] = [];
  const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m: string) => void logged.push(m) };
  const logTracer = new Tracer({ contextMissing: 'LOG_ERROR', logger, emitter: { send: () => undefined } }, {});
  assert.equal(logTracer.getCurrentSegment(), undefined);
  logTracer.getCurrentSegment();
  assert.equal(logged.length, 1);
  assert.match(logged[0]!, /no segment in the current context/);
  assert.match(logged[0]!, /capture\(\)/);
  assert.equal(logTracer.capture('x', (sub) => sub), undefined);
  logTracer.capture('y', () => undefined);
  assert.equal(logged.length, 2, 'one report per kind of call, not one per call');

  const strict = new Tracer({ contextMissing: 'RUNTIME_ERROR', emitter: { send: () => undefined } }, {});
  assert.throws(() => strict.addAnnotation('k', 1), SegmentNotFoundError);

  const quiet = new Tracer({ contextMissing: 'IGNORE_ERROR', logger, emitter: { send: () => undefined } }, {});
  quiet.setUser('nobody');
  assert.equal(logged.length, 2);
});

test('the strategy is read from AWS_XRAY_CONTEXT_MISSING', () => {
  const strict = new Tracer({ emitter: { send: () => undefined } }, { AWS_XRAY_CONTEXT_MISSING: 'RUNTIME_ERROR' });
  assert.throws(() => strict.getCurrentSegment(), SegmentNotFoundError);
});

test('module-level helpers use the tracer of the current entity', () => {
  const { tracer, emitter } = createTestTracer();
  const segment = tracer.beginSegment({ name: 'api' });
  tracer.run(segment, () => {
    assert.equal(getCurrentSegment(), segment);
    capture('via-default-export', () => undefined);
  });
  segment.close();
  assert.equal((emitter.documents[0]!.document as SegmentDocument).subsegments![0]!.name, 'via-default-export');
});

test('explicit begin/end works for code that cannot use a callback', () => {
  const { tracer, emitter } = createTestTracer();
  const segment = tracer.beginSegment({ name: 'api' });
  const sub = tracer.run(segment, () => tracer.beginSubsegment('manual'))!;
  tracer.run(sub, () => capture('inside', () => undefined));
  sub.close();
  segment.close();
  const doc = emitter.documents[0]!.document as SegmentDocument;
  assert.equal(doc.subsegments![0]!.subsegments![0]!.name, 'inside');
});
