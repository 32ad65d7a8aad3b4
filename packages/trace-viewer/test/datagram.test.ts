import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_DATAGRAM_BYTES, MAX_NESTING, parseDatagram } from '../src/datagram.js';
import { datagram, newId, newTraceId, type Doc } from './fixtures.js';

function segment(extra: Doc = {}): Doc {
  return { trace_id: newTraceId(), id: newId(), name: 'api', start_time: 1700000000.5, end_time: 1700000000.6, ...extra };
}

function reasonOf(payload: Buffer): string {
  const result = parseDatagram(payload);
  return result.ok ? 'ok' : result.reason;
}

void describe('parseDatagram', () => {
  void it('accepts the header SDKs send and the spaced header the docs show', () => {
    const doc = segment();
    const compact = parseDatagram(datagram(doc));
    assert.ok(compact.ok);
    assert.equal(compact.kind, 'segment');
    assert.equal(compact.document['name'], 'api');
    const spaced = parseDatagram(Buffer.from(`{"format": "json", "version": 1}\n${JSON.stringify(doc)}`));
    assert.ok(spaced.ok);
    const upper = parseDatagram(Buffer.from(`{"format":"JSON","version":1}\n${JSON.stringify(doc)}`));
    assert.ok(upper.ok, 'format is compared case-insensitively, like the daemon');
  });

  void it('rejects bad headers', () => {
    const body = JSON.stringify(segment());
    for (const header of ['{"format":"json","version":2}', '{"format":"json","version":"1"}', '{"format":"xml","version":1}', 'json', '[1]', '']) {
      assert.equal(reasonOf(Buffer.from(`${header}\n${body}`)), 'bad_header', header);
    }
    assert.equal(reasonOf(Buffer.from(body)), 'bad_header', 'no newline at all');
  });

  void it('drops an empty body', () => {
    assert.equal(reasonOf(Buffer.from('{"format":"json","version":1}\n')), 'empty_body');
    assert.equal(reasonOf(Buffer.from('{"format":"json","version":1}\n  \n')), 'empty_body');
  });

  void it('rejects truncated JSON and non-object bodies', () => {
    const full = datagram(segment());
    assert.equal(reasonOf(full.subarray(0, full.length - 7)), 'invalid_json');
    assert.equal(reasonOf(datagram('x')), 'invalid_json');
    assert.equal(reasonOf(datagram('[{"name":"a"}]')), 'not_object');
    assert.equal(reasonOf(datagram('"segment"')), 'not_object');
    assert.equal(reasonOf(datagram('null')), 'not_object');
  });

  void it('requires name, id, trace_id and a numeric start_time', () => {
    for (const field of ['name', 'id', 'trace_id', 'start_time']) {
      const doc = segment();
      delete doc[field];
      assert.equal(reasonOf(datagram(doc)), 'missing_field', field);
    }
    assert.equal(reasonOf(datagram(segment({ start_time: '1700000000.5' }))), 'missing_field', 'start_time as a string');
    assert.equal(reasonOf(datagram(segment({ name: 42 }))), 'missing_field');
  });

  void it('checks id, parent_id and trace_id formats', () => {
    assert.equal(reasonOf(datagram(segment({ id: 'abc' }))), 'bad_id');
    assert.equal(reasonOf(datagram(segment({ id: 'zzzzzzzzzzzzzzzz' }))), 'bad_id');
    assert.equal(reasonOf(datagram(segment({ parent_id: '1234' }))), 'bad_id');
    assert.equal(reasonOf(datagram(segment({ trace_id: '1-5759e988-bd862e3fe1be46a99427279' }))), 'bad_trace_id');
    assert.equal(reasonOf(datagram(segment({ trace_id: '2-5759e988-bd862e3fe1be46a994272793' }))), 'bad_trace_id');
    assert.equal(reasonOf(datagram(segment({ trace_id: 'Root=1-5759e988-bd862e3fe1be46a994272793' }))), 'bad_trace_id');
  });

  void it('validates embedded subsegments too, as the collector does', () => {
    const good = segment({ subsegments: [{ id: newId(), name: 'child', start_time: 1, end_time: 2 }] });
    assert.equal(reasonOf(datagram(good)), 'ok');
    const badId = segment({ subsegments: [{ id: 'nope', name: 'child', start_time: 1, end_time: 2 }] });
    assert.equal(reasonOf(datagram(badId)), 'bad_id');
    const noName = segment({ subsegments: [{ id: newId(), start_time: 1 }] });
    assert.equal(reasonOf(datagram(noName)), 'missing_field');
    const notObject = segment({ subsegments: ['child'] });
    assert.equal(reasonOf(datagram(notObject)), 'missing_field');
  });

  void it('refuses nesting deeper than the limit without overflowing the stack', () => {
    let child: Doc = { id: newId(), name: 'leaf', start_time: 1, end_time: 2 };
    for (let i = 0; i < MAX_NESTING + 1; i++) child = { id: newId(), name: `n${i}`, start_time: 1, end_time: 2, subsegments: [child] };
    assert.equal(reasonOf(datagram(segment({ subsegments: [child] }))), 'too_deep');
    // A hostile document of nested arrays parses but is not an object.
    assert.equal(reasonOf(datagram('['.repeat(20000) + ']'.repeat(20000))), 'not_object');
  });

  void it('classifies independent subsegments and requires their parent_id', () => {
    const sub = segment({ type: 'subsegment', parent_id: newId() });
    const parsed = parseDatagram(datagram(sub));
    assert.ok(parsed.ok);
    assert.equal(parsed.kind, 'subsegment');
    const mixedCase = parseDatagram(datagram(segment({ type: 'Subsegment', parent_id: newId() })));
    assert.ok(mixedCase.ok && mixedCase.kind === 'subsegment');
    assert.equal(reasonOf(datagram(segment({ type: 'subsegment' }))), 'missing_field');
  });

  void it('accepts a datagram of exactly 64 KiB and refuses a larger one', () => {
    const doc = segment({ metadata: { default: { padding: '' } } });
    const base = datagram(doc).length;
    const padded = segment({ ...doc, metadata: { default: { padding: 'x'.repeat(MAX_DATAGRAM_BYTES - base) } } });
    const exact = datagram(padded);
    assert.equal(exact.length, MAX_DATAGRAM_BYTES);
    assert.equal(reasonOf(exact), 'ok');
    const over = Buffer.concat([exact.subarray(0, exact.length - 2), Buffer.from('x"}}}')]);
    assert.equal(over.length, MAX_DATAGRAM_BYTES + 3);
    assert.equal(reasonOf(over), 'too_large');
  });

  void it('never throws on arbitrary bytes', () => {
    for (let i = 0; i < 200; i++) {
      const bytes = Buffer.alloc(Math.floor(Math.random() * 300));
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(Math.random() * 256);
      if (i % 2 === 0) bytes.write('{"format":"json","version":1}\n');
      assert.equal(parseDatagram(bytes).ok, false);
    }
  });
});
