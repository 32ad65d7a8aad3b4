import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { test } from 'node:test';
import { DIAGNOSTICS_CHANNEL, sanitizeName, Subsegment, type DiagnosticEvent, type SegmentDocument, type SubsegmentDocument } from '../src/internal.js';
import { createTestTracer } from '../src/testing/index.js';

function collectDiagnostics(): { events: DiagnosticEvent[]; stop(): void } {
  const events: DiagnosticEvent[] = [];
  const listener = (message: unknown): void => void events.push(message as DiagnosticEvent);
  subscribe(DIAGNOSTICS_CHANNEL, listener);
  return { events, stop: () => unsubscribe(DIAGNOSTICS_CHANNEL, listener) };
}

test('a closed segment is one document with the required fields and no in_progress', async () => {
  const { tracer, emitter } = createTestTracer();
  const segment = tracer.beginSegment({ name: 'api', parentId: '53995c3f42cd8ad8', traceId: '1-5759e988-bd862e3fe1be46a994272793' });
  segment.close();
  const doc = emitter.documents[0]!.document as SegmentDocument;
  assert.equal(emitter.documents.length, 1);
  assert.equal(doc.name, 'api');
  assert.match(doc.id, /^[0-9a-f]{16}$/);
  assert.equal(doc.trace_id, '1-5759e988-bd862e3fe1be46a994272793');
  assert.equal(doc.parent_id, '53995c3f42cd8ad8');
  assert.equal(typeof doc.start_time, 'number');
  assert.ok(doc.end_time! >= doc.start_time);
  assert.equal('in_progress' in doc, false);
  assert.deepEqual(doc.aws?.xray, { sdk: '@cruddur/middleware for Node.js', sdk_version: '0.1.0' });
  segment.close();
  await tracer.flush();
  assert.equal(emitter.documents.length, 1, 'closing twice sends once');
});

test('flags follow the status: 4xx error, 429 throttle and error, 5xx fault', () => {
  const { tracer } = createTestTracer();
  const cases: Array<[number, Partial<SegmentDocument>]> = [
    [200, {}],
    [404, { error: true }],
    [429, { error: true, throttle: true }],
    [503, { fault: true }],
  ];
  for (const [status, flags] of cases) {
    const s = tracer.beginSegment({ name: 'api' });
    s.setHttpResponse(status, 12);
    const doc = s.toJSON();
    assert.deepEqual({ error: doc.error, throttle: doc.throttle, fault: doc.fault }, { error: flags.error, throttle: flags.throttle, fault: flags.fault }, String(status));
    assert.deepEqual(doc.http?.response, { status, content_length: 12 });
  }
});

test('an open subsegment is in_progress without end_time; its complete form follows later as an independent document', () => {
  const { tracer, emitter } = createTestTracer();
  const segment = tracer.beginSegment({ name: 'api' });
  const sub = new Subsegment('slow', segment);
  segment.close();
  const first = emitter.documents[0]!.document as SegmentDocument;
  assert.equal(first.subsegments?.[0]?.in_progress, true);
  assert.equal(first.subsegments?.[0]?.end_time, undefined);
  sub.close();
  const second = emitter.documents[1]!.document as SubsegmentDocument;
  assert.equal(second.id, sub.id);
  assert.equal(second.type, 'subsegment');
  assert.equal(second.parent_id, segment.id);
  assert.equal(second.trace_id, segment.traceId);
  assert.equal('in_progress' in second, false);
});

test('exceptions carry a 16-hex id, type, message, relative stack frames and remote', () => {
  const { tracer } = createTestTracer();
  const segment = tracer.beginSegment({ name: 'api' });
  const err = new TypeError('boom');
  segment.addError(err, { remote: true });
  const cause = segment.toJSON().cause;
  assert.ok(cause && typeof cause === 'object');
  const ex = cause.exceptions[0]!;
  assert.match(ex.id, /^[0-9a-f]{16}$/);
  assert.equal(ex.type, 'TypeError');
  assert.equal(ex.message, 'boom');
  assert.equal(ex.remote, true);
  assert.equal(cause.working_directory, process.cwd());
  const frame = ex.stack![0]!;
  assert.match(frame.path, /^test\/segment\.test\.ts$/);
  assert.equal(typeof frame.line, 'number');
  assert.equal(segment.fault, true);
});

test('the same error recorded by a child and its parent is written once; the parent refers to its id', () => {
  const { tracer } = createTestTracer();
  const segment = tracer.beginSegment({ name: 'api' });
  const child = new Subsegment('db', segment);
  const err = new Error('db down');
  child.close(err);
  segment.addError(err, { fault: false });
  const childCause = child.toJSON().cause as { exceptions: Array<{ id: string }> };
  assert.equal(segment.toJSON().cause, childCause.exceptions[0]!.id);
  assert.equal(segment.fault, false, 'fault:false leaves the flag to the status');
});

test('thrown non-errors and hostile errors are still recorded', () => {
  const { tracer } = createTestTracer();
  const segment = tracer.beginSegment({ name: 'api' });
  segment.addError('plain string');
  const hostile = new Proxy(new Error('x'), { get: () => { throw new Error('getter'); } });
  segment.addError(hostile);
  const cause = segment.toJSON().cause as { exceptions: Array<{ type: string; message: string }> };
  assert.equal(cause.exceptions[0]!.message, 'plain string');
  assert.equal(cause.exceptions.length, 2);
});

test('exception messages are scrubbed of connection-string passwords and tokens', () => {
  const { tracer } = createTestTracer();
  const segment = tracer.beginSegment({ name: 'api' });
  segment.addError(new Error('connect postgres://app:hunter2@db:5432/x failed; token=abc123secret'));
  const text = JSON.stringify(segment.toJSON());
  assert.ok(!text.includes('hunter2') && !text.includes('abc123secret'), text);
});

test('annotations: invalid keys, values and the 51st annotation are not recorded, with one warning each', () => {
  const diag = collectDiagnostics();
  try {
    const { tracer } = createTestTracer();
    const segment = tracer.beginSegment({ name: 'api' });
    assert.equal(segment.addAnnotation('bad key!', 1), false);
    assert.equal(segment.addAnnotation('bad key!', 2), false);
    assert.equal(segment.addAnnotation('obj', {} as unknown as string), false);
    assert.equal(segment.addAnnotation('nan', Number.NaN), false);
    const sub = new Subsegment('child', segment);
    for (let i = 0; i < 50; i++) assert.equal((i % 2 ? segment : sub).addAnnotation(`k${i}`, i), true);
    assert.equal(segment.addAnnotation('k50', 'x'), false, 'the trace limit counts subsegments too');
    assert.equal(segment.addAnnotation('k1', 'overwrite'), true, 'overwriting an existing key is fine');
    const warnings = diag.events.filter((e) => e.level === 'warn').map((e) => e.message);
    assert.equal(warnings.filter((m) => m.includes('bad key!')).length, 1);
    assert.ok(warnings.some((m) => m.includes('obj')));
    assert.ok(warnings.some((m) => m.includes('at most 50')));
    assert.equal(segment.toJSON().annotations?.['bad key!'], undefined);
  } finally {
    diag.stop();
  }
});

test('metadata is copied into JSON under a namespace; unserialisable values and AWS. namespaces are refused', () => {
  const { tracer } = createTestTracer();
  const segment = tracer.beginSegment({ name: 'api' });
  const value = { now: 'x', n: 1, nested: { list: [1, 2] } };
  assert.equal(segment.addMetadata('user', value, 'cruddur'), true);
  value.n = 2;
  assert.equal(segment.addMetadata('plain', 'v'), true);
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  assert.equal(segment.addMetadata('circular', circular), false);
  assert.equal(segment.addMetadata('big', 10n), false);
  assert.equal(segment.addMetadata('getter', { get x() { throw new Error('nope'); } }), false);
  assert.equal(segment.addMetadata('k', 1, 'AWS.reserved'), false);
  const doc = segment.toJSON();
  assert.deepEqual(doc.metadata, { cruddur: { user: { now: 'x', n: 1, nested: { list: [1, 2] } } }, default: { plain: 'v' } });
  assert.doesNotThrow(() => JSON.stringify(doc));
});

test('annotations and metadata added after close() are refused with a warning, not silently lost', async () => {
  const diag = collectDiagnostics();
  try {
    const { tracer, emitter } = createTestTracer();
    const segment = tracer.beginSegment({ name: 'api' });
    const sub = new Subsegment('db', segment);
    assert.equal(sub.addAnnotation('before', 1), true);
    sub.close();
    assert.equal(sub.addAnnotation('late_sub', 1), false);
    assert.equal(sub.addMetadata('late', 'x'), false);
    segment.close();
    assert.equal(segment.addAnnotation('late', 'x'), false);
    assert.equal(segment.addAnnotation('late', 'y'), false);
    assert.equal(segment.addMetadata('late', { a: 1 }, 'app'), false);
    await tracer.flush();
    const doc = emitter.documents[0]!.document as SegmentDocument;
    assert.equal(doc.annotations, undefined);
    assert.equal(doc.metadata, undefined);
    assert.deepEqual(doc.subsegments?.[0]?.annotations, { before: 1 });
    const warnings = diag.events.filter((e) => e.level === 'warn' && e.message.includes('already closed')).map((e) => e.message);
    assert.equal(warnings.filter((m) => m.includes('"late"')).length, 1, 'one warning per key');
    assert.ok(warnings.some((m) => m.includes('"late_sub"') && m.includes('"db"')));
    assert.ok(warnings.some((m) => m.includes('"app.late"')));
  } finally {
    diag.stop();
  }
});

test('names are sanitised to the allowed charset and 200 characters', () => {
  assert.equal(sanitizeName('api.example.com:8080'), 'api.example.com:8080');
  assert.equal(sanitizeName('evil<script>*?;name'), 'evilscriptname');
  assert.equal(sanitizeName('a\r\nb'), 'a b');
  assert.equal(sanitizeName('x'.repeat(300)).length, 200);
  assert.equal(sanitizeName('$$$', 'fallback'), 'fallback');
  assert.equal(sanitizeName('café @home #1 = 50% + ok/path\\x'), 'café @home #1 = 50% + ok/path\\x');
});

test('unsampled segments carry ids but emit nothing', async () => {
  const { tracer, emitter } = createTestTracer();
  const segment = tracer.beginSegment({ name: 'api', sampled: false });
  new Subsegment('child', segment).close();
  segment.close();
  await tracer.flush();
  assert.equal(emitter.documents.length, 0);
  assert.match(segment.traceId, /^1-/);
  assert.equal(tracer.traceHeaderFor(segment), `Root=${segment.traceId};Parent=${segment.id};Sampled=0`);
});

test('the hand-written JSON text equals JSON.stringify of the document, escapes included', () => {
  const { tracer } = createTestTracer();
  const s = tracer.beginSegment({ name: 'a "quoted" \\ name', parentId: '0123456789abcdef' });
  s.setUser('bob "the builder"');
  s.origin = 'AWS::EC2::Instance';
  s.service = { version: '1' };
  s.setHttpRequest({ method: 'GET', url: 'http://x/y?"' });
  s.setHttpResponse(500, 3);
  s.addAnnotation('k', 'v\n"');
  s.addMetadata('m', { a: [1, 2], s: '\u2028' }, 'ns');
  const c = new Subsegment('child', s, 'remote');
  c.traced = true;
  c.addPrecursorId('aaaaaaaaaaaaaaaa');
  c.sql = { url: 'postgresql://h:5432/db' };
  c.addError(new Error('x'), { remote: true });
  new Subsegment('still open', c);
  c.close();
  assert.deepEqual(JSON.parse(s.toJsonText()), JSON.parse(JSON.stringify(s.toJSON())));
  assert.deepEqual(JSON.parse(c.toIndependentJsonText()), JSON.parse(JSON.stringify(c.toIndependentDocument())));
});

test('one error recorded in two traces is written in full in each: a reference never crosses traces', () => {
  const { tracer } = createTestTracer();
  const shared = new Error('memoised rejection'); // e.g. a cached promise that many requests await
  const unsampled = tracer.beginSegment({ name: 'api', sampled: false });
  new Subsegment('load', unsampled).close(shared);
  const first = tracer.beginSegment({ name: 'api' });
  first.addError(shared);
  const second = tracer.beginSegment({ name: 'api' });
  const child = new Subsegment('load', second);
  child.close(shared);
  second.addError(shared);
  const firstCause = first.toJSON().cause as { exceptions: Array<{ id: string; message: string }> };
  assert.equal(firstCause.exceptions[0]!.message, 'memoised rejection', 'not a reference to the unsampled trace');
  const childCause = child.toJSON().cause as { exceptions: Array<{ id: string }> };
  assert.notEqual(childCause.exceptions[0]!.id, firstCause.exceptions[0]!.id, 'a fresh exception in the second trace');
  assert.equal(second.toJSON().cause, childCause.exceptions[0]!.id, 'within a trace the reference form stays');
});

test('annotation and metadata names that collide with Object.prototype neither pollute it nor pass the cap', () => {
  const { tracer } = createTestTracer();
  const segment = tracer.beginSegment({ name: 'api' });
  assert.equal(segment.addMetadata('polluted', 1, '__proto__'), false);
  assert.equal(segment.addMetadata('__proto__', { polluted: 1 }), false);
  assert.equal(segment.addAnnotation('__proto__', 'x'), false);
  assert.equal(segment.addMetadata('polluted', 1, 'constructor'), true, 'an ordinary namespace name');
  assert.equal(segment.addMetadata('polluted', 1, 'toString'), true);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal((Object as unknown as Record<string, unknown>).polluted, undefined);
  assert.equal(typeof Object.prototype.toString, 'function');
  assert.deepEqual(JSON.parse(segment.toJsonText()).metadata, { constructor: { polluted: 1 }, toString: { polluted: 1 } });

  for (let i = 0; i < 50; i++) assert.equal(segment.addAnnotation(`a${i}`, i), true);
  for (const inherited of ['constructor', 'toString', 'valueOf', 'hasOwnProperty']) {
    assert.equal(segment.addAnnotation(inherited, 1), false, `${inherited} counts against the cap like any key`);
  }
  assert.equal(Object.keys(JSON.parse(segment.toJsonText()).annotations).length, 50);
});
