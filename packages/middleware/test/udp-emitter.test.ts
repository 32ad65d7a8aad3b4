import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startDaemonSink, validateSegmentDocument } from '@cruddur/fakes';
import { createTracer, DAEMON_HEADER, parseDaemonAddress, Subsegment, type SegmentDocument, type SubsegmentDocument } from '../src/internal.js';
import { assembleSegments, flattenSubsegments, SAMPLE_EVERYTHING } from '../src/testing/index.js';

test('each document is one datagram: the exact header line, then the JSON document', async (t) => {
  const sink = await startDaemonSink();
  t.after(() => sink.close());
  const tracer = createTracer({ daemonAddress: sink.address, samplingRules: SAMPLE_EVERYTHING, logLevel: 'silent' });
  t.after(() => tracer.shutdown());
  const segment = tracer.beginSegment({ name: 'api' });
  segment.setHttpRequest({ method: 'GET', url: 'http://localhost/x' });
  segment.setHttpResponse(200, 2);
  new Subsegment('child', segment).close();
  segment.close();
  const [received] = await sink.waitForDocuments(1);
  const raw = received!.datagram.raw;
  assert.equal(raw.subarray(0, 30).toString(), '{"format":"json","version":1}\n');
  assert.equal(DAEMON_HEADER, '{"format":"json","version":1}\n');
  const doc = JSON.parse(raw.subarray(30).toString()) as SegmentDocument;
  assert.equal(doc.id, segment.id);
  assert.deepEqual(received!.violations, []);
  assert.deepEqual(validateSegmentDocument(doc), []);
});

test('the validator used above rejects broken documents (negative controls)', () => {
  const good = { name: 'a', id: '0123456789abcdef', trace_id: '1-5759e988-bd862e3fe1be46a994272793', start_time: 1, end_time: 2 };
  assert.deepEqual(validateSegmentDocument(good), []);
  assert.notDeepEqual(validateSegmentDocument({ ...good, id: 'xyz' }), []);
  assert.notDeepEqual(validateSegmentDocument({ ...good, subsegments: [{ id: '0123456789abcdef', name: 'b', start_time: 1, end_time: 2, namespace: 'local' }] }), []);
  assert.notDeepEqual(validateSegmentDocument({ ...good, metadata: { default: 1 } }), []);
  assert.notDeepEqual(validateSegmentDocument({ ...good, end_time: undefined }), []);
  assert.notDeepEqual(validateSegmentDocument({ ...good, cause: { working_directory: '/', exceptions: [{ message: 'no id', type: 'Error' }] } }), []);
});

test('a segment with 1,000 subsegments carrying metadata streams under the limit and reassembles exactly once each', async (t) => {
  const sink = await startDaemonSink();
  t.after(() => sink.close());
  const tracer = createTracer({ daemonAddress: sink.address, samplingRules: SAMPLE_EVERYTHING, logLevel: 'silent' });
  t.after(() => tracer.shutdown());
  const segment = tracer.beginSegment({ name: 'bulk' });
  const ids = new Set<string>();
  let group: Subsegment | undefined;
  for (let i = 0; i < 1000; i++) {
    if (i % 100 === 0) {
      group?.close();
      group = new Subsegment(`group-${i / 100}`, segment);
      ids.add(group.id);
    }
    const sub = new Subsegment(`item-${i}`, group!);
    sub.addMetadata('payload', { i, text: 'x'.repeat(150 + (i % 7) * 40) }, 'bulk');
    sub.addAnnotation('index', i);
    sub.close();
    ids.add(sub.id);
  }
  group!.close();
  segment.close();
  await tracer.flush();
  const docs = await waitForQuiet(sink);
  for (const d of docs) {
    assert.ok(d.datagram.raw.length <= 64_000, `a datagram of ${d.datagram.raw.length} bytes`);
    assert.deepEqual(d.violations, [], JSON.stringify(d.violations));
  }
  assert.ok(docs.length > 1, 'the segment had to be split');
  const { segments, orphans } = assembleSegments(docs.map((d) => d.document as SegmentDocument | SubsegmentDocument));
  assert.deepEqual(orphans, []);
  assert.equal(segments.length, 1);
  const seen = flattenSubsegments(segments[0]!).map((s) => s.id);
  assert.equal(seen.length, 1010, 'every subsegment exactly once');
  assert.deepEqual(new Set(seen), ids);
});

test('one subsegment whose own metadata exceeds the limit is sent with its metadata dropped, never over the limit', async (t) => {
  const sink = await startDaemonSink();
  t.after(() => sink.close());
  const tracer = createTracer({ daemonAddress: sink.address, samplingRules: SAMPLE_EVERYTHING, logLevel: 'silent' });
  t.after(() => tracer.shutdown());
  const segment = tracer.beginSegment({ name: 'huge' });
  const sub = new Subsegment('blob', segment);
  sub.addMetadata('blob', 'é'.repeat(40_000));
  sub.close();
  segment.close();
  const docs = await waitForQuiet(sink);
  assert.equal(docs.length, 2);
  for (const d of docs) assert.ok(d.datagram.raw.length <= 64_000);
  const blob = docs.map((d) => d.document as SubsegmentDocument).find((d) => d.name === 'blob')!;
  assert.match(String(blob.metadata?.default?.truncated), /metadata dropped/);
});

test('AWS_XRAY_DAEMON_ADDRESS: both forms, host names and IPv6', async (t) => {
  assert.deepEqual(parseDaemonAddress('127.0.0.1:3000'), { udp: { host: '127.0.0.1', port: 3000 }, tcp: { host: '127.0.0.1', port: 3000 } });
  assert.deepEqual(parseDaemonAddress('tcp:daemon:2000 udp:udp-daemon:2001'), { udp: { host: 'udp-daemon', port: 2001 }, tcp: { host: 'daemon', port: 2000 } });
  assert.deepEqual(parseDaemonAddress('udp:[::1]:2000 tcp:127.0.0.1:2000').udp, { host: '::1', port: 2000 });
  for (const bad of ['localhost', 'host:99999', 'tcp:a:1', 'udp:a:1 tcp:b', '::1:2000', 'ho st:1']) {
    assert.throws(() => parseDaemonAddress(bad), (err: Error) => err.name === 'DaemonAddressError' && err.message.includes(JSON.stringify(bad)), bad);
  }
  const sink = await startDaemonSink();
  t.after(() => sink.close());
  const byName = createTracer({ daemonAddress: `localhost:${sink.port}`, samplingRules: SAMPLE_EVERYTHING, logLevel: 'silent' });
  t.after(() => byName.shutdown());
  byName.beginSegment({ name: 'by-name' }).close();
  const [doc] = await sink.waitForDocuments(1);
  assert.equal((doc!.document as SegmentDocument).name, 'by-name');

  const sink6 = await startDaemonSink({ host: '::1' }).catch(() => undefined);
  if (!sink6) return t.skip('no IPv6 loopback here');
  t.after(() => sink6.close());
  const v6 = createTracer({ daemonAddress: `[::1]:${sink6.port}`, samplingRules: SAMPLE_EVERYTHING, logLevel: 'silent' });
  t.after(() => v6.shutdown());
  v6.beginSegment({ name: 'over-ipv6' }).close();
  const [doc6] = await sink6.waitForDocuments(1);
  assert.equal((doc6!.document as SegmentDocument).name, 'over-ipv6');
});

test('an unreachable or unresolvable daemon never throws into the caller', async () => {
  const errors: string[] = [];
  const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m: string) => void errors.push(m) };
  const tracer = createTracer({ daemonAddress: 'no-such-host.invalid:2000', samplingRules: SAMPLE_EVERYTHING, logger });
  for (let i = 0; i < 5; i++) assert.doesNotThrow(() => tracer.beginSegment({ name: 'x' }).close());
  await tracer.flush();
  await tracer.shutdown();
  assert.equal(errors.filter((e) => e.includes('cannot resolve')).length, 1);
});

async function waitForQuiet(sink: Awaited<ReturnType<typeof startDaemonSink>>): Promise<typeof sink.documents> {
  let last = -1;
  while (sink.documents.length !== last) {
    last = sink.documents.length;
    await new Promise((r) => setTimeout(r, 100));
  }
  return sink.documents;
}
