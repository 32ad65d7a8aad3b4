// Two X-Amzn-Trace-Id headers on one request: Node joins them with ", " in `req.headers`; the
// first one is the caller's context and wins, on Express and on Fastify, over a real socket.
import assert from 'node:assert/strict';
import { connect, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import express from 'express';
import fastify from 'fastify';
import { parseTraceHeader, type SegmentDocument } from '../src/index.js';
import { xray as expressXray } from '../src/express/index.js';
import { xray as fastifyXray } from '../src/fastify/index.js';
import { createTestTracer, type InMemoryEmitter } from '../src/testing/index.js';
import type { Tracer } from '../src/core/tracer.js';

const FIRST = { root: '1-5759e988-bd862e3fe1be46a994272793', parent: '53995c3f42cd8ad8' };
const SECOND = { root: '1-5759e989-0123456789abcdef01234567', parent: 'aaaaaaaaaaaaaaaa' };

/** Sends a GET with the raw header lines given, and returns the response head. */
function rawGet(port: number, headerLines: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('end', () => resolve(received));
    socket.on('error', reject);
    socket.write(['GET /hello HTTP/1.1', 'Host: 127.0.0.1', ...headerLines, 'Connection: close', '', ''].join('\r\n'));
  });
}

function responseTraceHeader(response: string): string | undefined {
  return /^x-amzn-trace-id: *(.*)$/im.exec(response)?.[1]?.trim();
}

type Start = (tracer: Tracer) => Promise<{ port: number; close(): Promise<void> }>;

const servers: Record<string, Start> = {
  express: async (tracer) => {
    const app = express();
    app.use(expressXray({ tracer, name: 'api' }));
    app.get('/hello', (_req, res) => void res.send('hi'));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((done) => server.once('listening', done));
    return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((done) => server.close(() => done())) };
  },
  fastify: async (tracer) => {
    const app = fastify();
    await app.register(fastifyXray, { tracer, name: 'api' });
    app.get('/hello', () => 'hi');
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
  },
};

async function segments(tracer: Tracer, emitter: InMemoryEmitter): Promise<SegmentDocument[]> {
  await tracer.flush();
  return emitter.documents.map((d) => d.document as SegmentDocument);
}

for (const [framework, start] of Object.entries(servers)) {
  test(`${framework}: of two X-Amzn-Trace-Id headers the first wins (trace, parent and sampling decision)`, async (t) => {
    const { tracer, emitter } = createTestTracer();
    const server = await start(tracer);
    t.after(() => server.close());

    const sampled = await rawGet(server.port, [
      `X-Amzn-Trace-Id: Root=${FIRST.root};Parent=${FIRST.parent};Sampled=1`,
      `X-Amzn-Trace-Id: Root=${SECOND.root};Parent=${SECOND.parent};Sampled=0`,
    ]);
    assert.match(sampled, /^HTTP\/1\.1 200/);
    assert.equal(responseTraceHeader(sampled), `Root=${FIRST.root}`);
    const [doc] = await segments(tracer, emitter);
    assert.equal(doc?.trace_id, FIRST.root);
    assert.equal(doc?.parent_id, FIRST.parent);

    // The first header's Sampled=0 is honoured even though the second asks for sampling.
    const before = emitter.documents.length;
    const unsampled = await rawGet(server.port, [
      `X-Amzn-Trace-Id: Root=${SECOND.root};Parent=${SECOND.parent};Sampled=0`,
      `X-Amzn-Trace-Id: Root=${FIRST.root};Parent=${FIRST.parent};Sampled=1`,
    ]);
    assert.equal(responseTraceHeader(unsampled), `Root=${SECOND.root}`);
    assert.deepEqual((await segments(tracer, emitter)).slice(before), []);
  });
}

test('parseTraceHeader: a comma-joined or repeated value is read from its first member only', () => {
  const first = `Root=${FIRST.root};Parent=${FIRST.parent};Sampled=1`;
  const second = `Root=${SECOND.root};Parent=${SECOND.parent};Sampled=0;Lineage=a87bd80c:1`;
  const expected = { root: FIRST.root, parent: FIRST.parent, sampled: '1', extra: [] };
  assert.deepEqual(parseTraceHeader(`${first}, ${second}`), expected);
  assert.deepEqual(parseTraceHeader(`${first},${second}`), expected);
  assert.deepEqual(parseTraceHeader([first, second]), expected);
  assert.deepEqual(parseTraceHeader([`${first}, ${second}`]), expected);
  // A first member without a usable root starts a new trace: the second is not a fallback.
  assert.deepEqual(parseTraceHeader(`Sampled=1, ${second}`), { sampled: '1', extra: [] });
  assert.deepEqual(parseTraceHeader(`, ${second}`), { extra: [] });
});
