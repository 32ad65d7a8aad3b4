import assert from 'node:assert/strict';
import { once } from 'node:events';
import { get, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { test } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { startDaemonSink } from '@cruddur/fakes';
import { createTracer, type SegmentDocument, type SubsegmentDocument } from '../src/index.js';
import { xray } from '../src/express/index.js';
import xrayFastify from '../src/fastify/index.js';
import { instrumentHttp } from '../src/http/index.js';
import { flattenSubsegments, SAMPLE_EVERYTHING } from '../src/testing/index.js';

async function portOf(server: Server): Promise<number> {
  if (!server.listening) await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

test('A (Express) → fetch → B (Fastify) → node:http → C (Express): one trace, each parent_id is the caller\'s HTTP subsegment', async (t) => {
  const sink = await startDaemonSink();
  t.after(() => sink.close());
  const tracerFor = (name: string) =>
    createTracer({ name, daemonAddress: sink.address, samplingRules: SAMPLE_EVERYTHING, centralizedSampling: false, logLevel: 'silent' });
  const http = instrumentHttp();
  t.after(() => http.uninstall());

  const c = express();
  c.use(xray({ name: 'service-c', tracer: tracerFor('service-c') }));
  c.get('/c', (_req, res) => void res.json({ from: 'c' }));
  const cServer = c.listen(0, '127.0.0.1');
  t.after(() => void cServer.close());
  const cPort = await portOf(cServer);

  const b = Fastify();
  await b.register(xrayFastify, { name: 'service-b', tracer: tracerFor('service-b') });
  b.get('/b', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      get(`http://127.0.0.1:${cPort}/c`, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    return { from: 'b', c: JSON.parse(body) as unknown };
  });
  await b.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => b.close());
  const bPort = (b.server.address() as AddressInfo).port;

  const a = express();
  a.use(xray({ name: 'service-a', tracer: tracerFor('service-a') }));
  a.get('/a', async (_req, res) => {
    const response = await fetch(`http://127.0.0.1:${bPort}/b`);
    res.json({ from: 'a', b: await response.json() });
  });
  const aServer = a.listen(0, '127.0.0.1');
  t.after(() => void aServer.close());
  const aPort = await portOf(aServer);

  const response = await fetch(`http://127.0.0.1:${aPort}/a`);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { from: 'a', b: { from: 'b', c: { from: 'c' } } });
  const root = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24})$/.exec(response.headers.get('x-amzn-trace-id') ?? '')?.[1];
  assert.ok(root, 'A answers with its trace id');

  await sink.waitForDocuments(3);
  for (const d of sink.documents) assert.deepEqual(d.violations, []);
  const byName = new Map(sink.documents.map((d) => [(d.document as SegmentDocument).name, d.document as SegmentDocument]));
  const [segA, segB, segC] = ['service-a', 'service-b', 'service-c'].map((n) => byName.get(n)!);
  assert.ok(segA && segB && segC, 'one segment per service');
  for (const seg of [segA, segB, segC]) assert.equal(seg.trace_id, root);
  assert.equal(segA.parent_id, undefined);

  const callOf = (seg: SegmentDocument, port: number): SubsegmentDocument => {
    const call = flattenSubsegments(seg).find((s) => s.namespace === 'remote' && s.http?.request?.url === `http://127.0.0.1:${port}${port === bPort ? '/b' : '/c'}`);
    assert.ok(call, `${seg.name} recorded its call to port ${port}`);
    return call;
  };
  const aToB = callOf(segA, bPort);
  const bToC = callOf(segB, cPort);
  assert.equal(aToB.traced, true);
  assert.equal(bToC.traced, true);
  assert.equal(segB.parent_id, aToB.id, 'B continues the subsegment A opened for the fetch');
  assert.equal(segC.parent_id, bToC.id, 'C continues the subsegment B opened for node:http');
  assert.deepEqual(aToB.http?.response, { status: 200, content_length: aToB.http?.response?.content_length });
});
