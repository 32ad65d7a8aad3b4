import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type DaemonSink, startDaemonSink } from '../src/index.js';

const HEADER = '{"format":"json","version":1}';

function segmentJson(name: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    name,
    id: '70de5b6f19ff9a0a',
    trace_id: '1-581cf771-a006649127e371903a2de979',
    start_time: 1478293361.271,
    end_time: 1478293361.449,
    ...extra,
  });
}

void describe('startDaemonSink', () => {
  let sink: DaemonSink;
  let client: Socket;

  const send = (payload: string | Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      client.send(payload, sink.port, '127.0.0.1', (error) => (error ? reject(error) : resolve()));
    });

  before(async () => {
    sink = await startDaemonSink();
    client = createSocket('udp4');
  });
  after(async () => {
    client.close();
    await sink.close();
  });
  beforeEach(() => sink.clear());

  void it('binds an ephemeral port on 127.0.0.1 and asks the kernel for a large receive buffer', async () => {
    assert.equal(sink.host, '127.0.0.1');
    assert.ok(sink.port > 0);
    assert.equal(sink.address, `127.0.0.1:${sink.port}`);
    const probe = createSocket('udp4');
    await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', () => resolve()));
    const defaultSize = probe.getRecvBufferSize();
    probe.close();
    assert.ok(sink.receiveBufferBytes > defaultSize, `${sink.receiveBufferBytes} should exceed the default ${defaultSize}`);
  });

  void it('keeps the raw datagram and parses the document after the header, with the header in either spacing', async () => {
    const compact = `${HEADER}\n${segmentJson('compact')}`;
    await send(compact);
    await send(`{"format": "json", "version": 1}\n${segmentJson('spaced')}`);
    await send(`{"format":"JSON","version":1}\n${segmentJson('upper-case-format')}`);
    const documents = await sink.waitForDocuments(3);
    const names = documents.map((entry) => (entry.document as { name: string }).name).sort();
    assert.deepEqual(names, ['compact', 'spaced', 'upper-case-format']);
    const first = documents.find((entry) => (entry.document as { name: string }).name === 'compact');
    assert.ok(first);
    assert.deepEqual(first.datagram.raw, Buffer.from(compact));
    assert.equal(first.body, segmentJson('compact'));
    assert.deepEqual(first.header, { format: 'json', version: 1 });
    assert.deepEqual(first.violations, []);
    assert.equal(first.datagram.from.address, '127.0.0.1');
    assert.deepEqual(sink.malformed, { missingHeaderOrSegment: 0, invalidHeader: 0, invalidJson: 0 });
  });

  void it('splits at the first newline only, so a pretty-printed body spanning several lines still parses', async () => {
    const pretty = JSON.stringify(JSON.parse(segmentJson('multi-line')), null, 2);
    assert.ok(pretty.split('\n').length > 5);
    await send(`${HEADER}\n${pretty}`);
    const [entry] = await sink.waitForDocuments(1);
    assert.equal(entry?.body, pretty);
    assert.equal((entry?.document as { name: string }).name, 'multi-line');
  });

  void it('drops datagrams the daemon drops and counts them by reason', async () => {
    const bad = [
      segmentJson('no-header'),
      `${HEADER}\n`,
      `${HEADER}`,
      `{"format":"json","version":"1"}\n${segmentJson('string-version')}`,
      `{"format":"json","version":2}\n${segmentJson('version-2')}`,
      `{"format":"xml","version":1}\n${segmentJson('xml')}`,
      `{"version":1}\n${segmentJson('no-format')}`,
      `format=json\n${segmentJson('not-json-header')}`,
      `${HEADER}\n{"name":"truncated",`,
      `${HEADER}\nx`,
    ];
    for (const payload of bad) await send(payload);
    await send(`${HEADER}\n${segmentJson('good')}`);
    const [good] = await sink.waitForDocuments(1);
    // Datagrams on loopback arrive in order: once the good one is here, the bad ones were processed.
    assert.equal((good?.document as { name: string }).name, 'good');
    assert.equal(sink.documents.length, 1);
    assert.equal(sink.datagrams.length, bad.length + 1);
    assert.deepEqual(sink.malformed, { missingHeaderOrSegment: 3, invalidHeader: 5, invalidJson: 2 });
    assert.equal(sink.rejected.length, 10);
    assert.match(sink.rejected[3]?.detail ?? '', /version must be the number 1/);
  });

  void it('records a parseable but invalid document with the receiver violations', async () => {
    await send(`${HEADER}\n${segmentJson('bad id', { id: 'XYZ', namespace: 'local' })}`);
    await send(`${HEADER}\n[1,2]`);
    const documents = await sink.waitForDocuments(2);
    assert.ok(documents[0]?.violations.some((violation) => violation.startsWith('$.id:')));
    assert.ok(documents[0]?.violations.some((violation) => violation.startsWith('$.namespace:')));
    assert.match(documents[1]?.violations[0] ?? '', /must be a JSON object, got array/);
  });

  void it('receives a 64 KB datagram whole and a burst of datagrams without loss', async () => {
    const big = segmentJson('big', { metadata: { default: { blob: 'x'.repeat(64_000) } } });
    await send(`${HEADER}\n${big}`);
    const burst = Array.from({ length: 300 }, (_, index) => send(`${HEADER}\n${segmentJson(`burst-${index}`)}`));
    await Promise.all(burst);
    const documents = await sink.waitForDocuments(301, 5000);
    assert.equal(documents[0]?.body, big);
    assert.equal(new Set(documents.map((entry) => (entry.document as { name: string }).name)).size, 301);
  });

  void it('waits with a predicate and resolves with every matching document', async () => {
    const waiting = sink.waitForDocuments((entry) => (entry.document as { name: string }).name.startsWith('match'));
    await send(`${HEADER}\n${segmentJson('other')}`);
    await send(`${HEADER}\n${segmentJson('match-1')}`);
    const matching = await waiting;
    assert.deepEqual(
      matching.map((entry) => (entry.document as { name: string }).name),
      ['match-1'],
    );
  });

  void it('rejects a wait that times out with what did arrive', async () => {
    await send(`${HEADER}\n${segmentJson('lonely')}`);
    await sink.waitForDocuments(1);
    await send('garbage');
    await assert.rejects(sink.waitForDocuments(2, 150), (error: Error) => {
      assert.match(error.message, /timed out waiting for 2 documents within 150 ms/);
      assert.match(error.message, /received 1 document\(s\) \[lonely\]/);
      assert.match(error.message, /1 missing header or segment/);
      return true;
    });
  });

  void it('drops datagrams on request, and loses datagrams while down but comes back on the same port', async () => {
    sink.dropNext(2);
    await send(`${HEADER}\n${segmentJson('lost-1')}`);
    await send(`${HEADER}\n${segmentJson('lost-2')}`);
    await send(`${HEADER}\n${segmentJson('kept')}`);
    await sink.waitForDocuments(1);
    assert.equal(sink.dropped, 2);
    assert.deepEqual(
      sink.documents.map((entry) => (entry.document as { name: string }).name),
      ['kept'],
    );

    const port = sink.port;
    await sink.goDown();
    await send(`${HEADER}\n${segmentJson('while-down')}`);
    await sink.comeBack();
    assert.equal(sink.port, port);
    await send(`${HEADER}\n${segmentJson('after-restart')}`);
    const matching = await sink.waitForDocuments((entry) => (entry.document as { name: string }).name === 'after-restart');
    assert.equal(matching.length, 1);
    assert.ok(!sink.documents.some((entry) => (entry.document as { name: string }).name === 'while-down'));
  });
});

void describe('startDaemonSink lifecycle', () => {
  void it('rejects pending waits on close and frees the port', async () => {
    const sink = await startDaemonSink();
    const pending = sink.waitForDocuments(1, 10_000);
    await sink.close();
    await assert.rejects(pending, /closed/);
    const again = await startDaemonSink({ port: sink.port });
    assert.equal(again.port, sink.port);
    await again.close();
  });
});

void describe('startDaemonSink({ keep: false })', () => {
  void it('keeps nothing, counts datagrams, bytes, documents and spans, and hands each document over', async () => {
    const seen: unknown[] = [];
    const sink = await startDaemonSink({ keep: false, onDocument: (document) => seen.push(document) });
    const client = createSocket('udp4');
    try {
      const nested = segmentJson('with-children', { subsegments: [{ name: 'a', id: '1111111111111111', start_time: 1, end_time: 2, subsegments: [{ name: 'b', id: '2222222222222222', start_time: 1, end_time: 2 }] }] });
      const payloads = [`${HEADER}\n${segmentJson('alone')}`, `${HEADER}\n${nested}`, `${HEADER}\n{"broken`, 'no header at all'];
      for (const payload of payloads) {
        await new Promise<void>((resolve, reject) => client.send(payload, sink.port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
      }
      for (let i = 0; i < 100 && sink.stats.datagrams < payloads.length; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(sink.stats, {
        datagrams: 4,
        bytes: payloads.reduce((n, p) => n + Buffer.byteLength(p), 0),
        largest: Math.max(...payloads.map((p) => Buffer.byteLength(p))),
        documents: 2,
        entities: 4,
      });
      assert.deepEqual(sink.malformed, { missingHeaderOrSegment: 1, invalidHeader: 0, invalidJson: 1 });
      assert.deepEqual(
        seen.map((d) => (d as { name: string }).name),
        ['alone', 'with-children'],
      );
      assert.equal(sink.datagrams.length + sink.documents.length + sink.rejected.length, 0, 'nothing kept');
    } finally {
      client.close();
      await sink.close();
    }
  });

  void it('without onDocument it parses nothing: datagrams and bytes only', async () => {
    const sink = await startDaemonSink({ keep: false });
    const client = createSocket('udp4');
    try {
      const payloads = [`${HEADER}\n${segmentJson('alone')}`, 'no header at all'];
      for (const payload of payloads) {
        await new Promise<void>((resolve, reject) => client.send(payload, sink.port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
      }
      for (let i = 0; i < 100 && sink.stats.datagrams < payloads.length; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(sink.stats.datagrams, 2);
      assert.equal(sink.stats.bytes, payloads.reduce((n, p) => n + Buffer.byteLength(p), 0));
      assert.equal(sink.stats.documents, 0);
      assert.deepEqual(sink.malformed, { missingHeaderOrSegment: 0, invalidHeader: 0, invalidJson: 0 });
    } finally {
      client.close();
      await sink.close();
    }
  });
});
