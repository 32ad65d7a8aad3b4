import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDatagram } from '../src/datagram.js';
import { renderTraceTree } from '../src/index.js';
import { TraceStore } from '../src/store.js';
import type { Trace } from '../src/types.js';
import { datagram, newId, newTraceId, twoServiceTrace, type Doc } from './fixtures.js';

function traceOf(docs: Doc[]): Trace {
  const store = new TraceStore();
  let traceId = '';
  for (const doc of docs) {
    const parsed = parseDatagram(datagram(doc));
    assert.ok(parsed.ok);
    traceId = parsed.traceId;
    store.add(parsed);
  }
  store.close();
  return store.getTrace(traceId)!;
}

void describe('renderTraceTree', () => {
  void it('draws the tree with names, HTTP, durations, offsets, flags and annotations', () => {
    const t = twoServiceTrace({ status: 429 });
    (t.a as { throttle?: boolean }).throttle = true;
    const text = renderTraceTree(traceOf([t.a, t.b, t.bDynamo]));
    const lines = text.trimEnd().split('\n');
    assert.match(lines[0]!, new RegExp(`^trace ${t.traceId} {2}GET http://localhost:4567/api/activities/home {2}429 {2}182 ms {2}2 services$`));
    assert.equal(
      lines[1],
      'frontend  GET http://localhost:4567/api/activities/home → 429  182 ms  ERROR  THROTTLE  {route=/api/activities/home user_handle=andrewbrown}',
    );
    assert.deepEqual(lines.slice(2), [
      '├─ auth-check  7.00 ms  +2.00 ms',
      '├─ worker  remote  POST http://127.0.0.1:4568/process → 429  138 ms  +12.0 ms',
      '│  └─ worker  POST http://127.0.0.1:4568/process → 429  127 ms  +18.0 ms',
      '│     ├─ validate  6.00 ms  +20.0 ms',
      '│     └─ DynamoDB  aws  PutItem  status 200  90.0 ms  +30.0 ms',
      '└─ render  23.0 ms  +155 ms',
    ]);
  });

  void it('colours only when asked', () => {
    const trace = traceOf([twoServiceTrace({ status: 500 }).a]);
    const plain = renderTraceTree(trace);
    const colored = renderTraceTree(trace, { color: true });
    assert.ok(!plain.includes('\u001b['));
    assert.ok(colored.includes('\u001b[31m500\u001b[39m'), 'a 5xx status in red');
    assert.ok(colored.includes('\u001b[1m\u001b[31mFAULT'), 'fault flag in bold red');
    // eslint-disable-next-line no-control-regex
    assert.equal(colored.replace(/\u001b\[\d+m/g, ''), plain, 'same text once colours are removed');
  });

  void it('neutralises terminal escape sequences hidden in documents', () => {
    const traceId = newTraceId();
    const text = renderTraceTree(
      traceOf([{ trace_id: traceId, id: newId(), name: 'evil\u001b[2J\u001b]0;owned\u0007', start_time: 1, end_time: 2, annotations: { k: 'v\r\nFAKE LINE' } }]),
    );
    assert.ok(!text.includes('\u001b'));
    assert.ok(!text.includes('\r'));
    assert.match(text, /evil\\x1b\[2J\\x1b\]0;owned\\x07/);
    assert.equal(text.trimEnd().split('\n').length, 2, 'a newline in a value cannot forge a line');
  });

  void it('shows in-progress nodes and roots whose parent never arrived', () => {
    const traceId = newTraceId();
    const rootId = newId();
    const text = renderTraceTree(
      traceOf([
        { trace_id: traceId, id: rootId, name: 'api', start_time: 1, in_progress: true },
        { type: 'subsegment', trace_id: traceId, id: newId(), parent_id: newId(), name: 'stray', start_time: 1.5, end_time: 1.6 },
      ]),
    );
    assert.match(text, /^api {2}in progress$/m);
    assert.match(text, /^\(no parent received\)\nstray {2}100 ms {2}\+500 ms$/m);
  });
});
