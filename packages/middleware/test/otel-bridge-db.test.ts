// The OpenTelemetry bridge against real servers: the real @opentelemetry/instrumentation-pg and
// -ioredis, PostgreSQL and Redis from Debian (support/db-servers.ts), an Express request that
// queries both and makes an outgoing fetch. The documents go over UDP to the fakes' daemon sink,
// which validates them with the OpenTelemetry X-Ray receiver's rules. They reach it through the
// local trace viewer, relaying as `npx cruddur-traces --forward` does, whose tree is checked too.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { test, type TestContext } from 'node:test';
import { startDaemonSink } from '@cruddur/fakes';
import { renderTraceTree, startTraceViewer } from '@cruddur/trace-viewer';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import express from 'express';
import type * as PgModule from 'pg';
import type { Redis as RedisClient } from 'ioredis';
import { xray } from '../src/express/index.js';
import { instrumentHttp } from '../src/http/index.js';
import { Tracer, type SegmentDocument, type SubsegmentDocument } from '../src/index.js';
import { registerOtelBridge } from '../src/otel/index.js';
import { SAMPLE_EVERYTHING } from '../src/testing/index.js';
import { missingDatabases, startPostgres, startRedis } from './support/db-servers.js';

// The instrumentations hook `require` (their README's CommonJS setup): enabled first, then the
// drivers are required, which is what a CommonJS service does at start-up.
const pgInstrumentation = new PgInstrumentation();
const redisInstrumentation = new IORedisInstrumentation();
const require = createRequire(import.meta.url);
const pg = require('pg') as typeof PgModule;
const { Redis } = require('ioredis') as { Redis: typeof RedisClient };

const skip = missingDatabases();

function find(doc: SegmentDocument | SubsegmentDocument, predicate: (s: SubsegmentDocument) => boolean): SubsegmentDocument | undefined {
  for (const sub of doc.subsegments ?? []) {
    if (predicate(sub)) return sub;
    const deeper = find(sub, predicate);
    if (deeper) return deeper;
  }
  return undefined;
}

async function setup(t: TestContext) {
  const [postgres, redisServer, sink] = await Promise.all([startPostgres(t), startRedis(t), startDaemonSink()]);
  t.after(() => sink.close());
  const viewer = await startTraceViewer({ udpPort: 0, web: false, forward: sink.address, finishAfterMs: 200 });
  t.after(() => viewer.close());
  const tracer = new Tracer({ name: 'backend', samplingRules: SAMPLE_EVERYTHING, centralizedSampling: false, logLevel: 'silent', daemonAddress: viewer.daemonAddress }, {});
  t.after(() => tracer.shutdown());
  const bridge = registerOtelBridge({ tracer, annotationKeys: ['app.feed'] });
  t.after(() => bridge.unregister());
  const http = instrumentHttp({ tracer });
  t.after(() => http.uninstall());

  const pool = new pg.Pool({ host: '127.0.0.1', port: postgres.port, user: 'postgres', password: 'not-a-secret-but-never-sent', database: 'postgres', max: 2 });
  // The servers may stop before the clients (after-hooks run in registration order).
  pool.on('error', () => undefined);
  t.after(() => pool.end());
  const redis = new Redis({ host: '127.0.0.1', port: redisServer.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  await redis.connect();
  t.after(() => redis.quit());
  await pool.query('CREATE TABLE IF NOT EXISTS activities (id serial primary key, message text)');
  await pool.query("INSERT INTO activities (message) VALUES ($1)", ['hello']);

  const downstream: Server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => downstream.close(() => resolve())));
  const downstreamUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}/notify`;

  const app = express();
  app.use(xray({ tracer }));
  app.get('/api/feed', async (_req, res) => {
    const rows = await pool.query('SELECT id, message FROM activities WHERE message = $1 LIMIT 10', ['hello']);
    await redis.set('feed:home', JSON.stringify(rows.rows), 'EX', 60);
    const cached = await redis.get('feed:home');
    await fetch(downstreamUrl);
    res.json({ rows: rows.rows.length, cached: cached !== null });
  });
  app.get('/api/broken', async (_req, res) => {
    try {
      await pool.query('SELECT * FROM no_such_table WHERE id = 42');
    } catch {
      res.status(500).json({ failed: true });
    }
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (path: string): Promise<{ traceId: string; status: number }> => {
    const response = await fetch(base + path);
    await response.arrayBuffer();
    const traceId = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24})/.exec(response.headers.get('x-amzn-trace-id') ?? '')?.[1];
    assert.ok(traceId, 'the response carries the trace id');
    return { traceId, status: response.status };
  };
  const segmentOf = async (traceId: string): Promise<SegmentDocument> => {
    const [found] = await sink.waitForDocuments((d) => (d.document as SegmentDocument).trace_id === traceId && !(d.document as SubsegmentDocument).type, 5000);
    assert.deepEqual(found!.violations, [], 'the receiver accepts the segment');
    return found!.document as SegmentDocument;
  };
  return { call, segmentOf, sink, viewer, postgresPort: postgres.port, redisPort: redisServer.port, downstreamUrl };
}

test('Express → pg → Redis → fetch: one trace, database calls as subsegments, documents the receiver accepts', { skip }, async (t) => {
  assert.ok(pgInstrumentation.isEnabled() && redisInstrumentation.isEnabled());
  const { call, segmentOf, sink, viewer, postgresPort, redisPort, downstreamUrl } = await setup(t);
  const { traceId, status } = await call('/api/feed');
  assert.equal(status, 200);
  const segment = await segmentOf(traceId);
  assert.equal(segment.name, 'backend');

  const query = find(segment, (s) => s.sql?.sanitized_query?.startsWith('SELECT id') === true);
  assert.ok(query, `a pg query subsegment in ${JSON.stringify(segment.subsegments?.map((s) => s.name))}`);
  assert.equal(query.name, `postgres@127.0.0.1`);
  assert.equal(query.namespace, 'remote');
  assert.equal(query.sql?.database_type, 'postgresql');
  // instrumentation-pg 0.78 follows the stable conventions, which have no db.user.
  assert.ok(query.sql?.user === undefined || query.sql.user === 'postgres');
  assert.equal(query.sql?.sanitized_query, 'SELECT id, message FROM activities WHERE message = $1 LIMIT ?');
  assert.match(query.sql?.url ?? '', new RegExp(`^postgresql://(localhost|127\\.0\\.0\\.1):${postgresPort}/postgres$`));
  const text = JSON.stringify(segment);
  assert.doesNotMatch(text, /not-a-secret-but-never-sent/, 'no password anywhere');
  assert.doesNotMatch(text, /"hello"/, 'no query parameter anywhere');

  const redisCalls = (segment.subsegments ?? []).filter((s) => s.name === `redis@127.0.0.1`);
  assert.equal(redisCalls.length, 2, `set and get: ${JSON.stringify(segment.subsegments?.map((s) => s.name))}`);
  for (const sub of redisCalls) {
    assert.equal(sub.namespace, 'remote');
    assert.equal(sub.sql, undefined, 'Redis is not SQL: no sql block');
    assert.doesNotMatch(JSON.stringify(sub), /activities|feed:home/, 'no Redis keys or values');
    assert.equal((sub.metadata?.otel as Record<string, unknown>)['net.peer.port'] ?? (sub.metadata?.otel as Record<string, unknown>)['server.port'], redisPort);
  }
  assert.deepEqual(redisCalls.map((s) => (s.metadata?.otel as Record<string, unknown>)['db.operation.name']), ['set', 'get']);

  const outgoing = (segment.subsegments ?? []).filter((s) => s.http?.request?.url === downstreamUrl);
  assert.equal(outgoing.length, 1, 'the outgoing fetch is recorded once, by our own instrumentation');
  // Order of the tree: pg, then Redis, then the fetch, all children of the request's segment.
  const names = (segment.subsegments ?? []).map((s) => s.name);
  const firstPg = names.findIndex((n) => n.startsWith('postgres@'));
  assert.ok(firstPg >= 0 && firstPg < names.indexOf('redis@127.0.0.1') && names.indexOf('redis@127.0.0.1') < names.indexOf(outgoing[0]!.name), names.join(', '));
  assert.deepEqual(sink.rejected, []);
  for (const d of sink.documents) assert.deepEqual(d.violations, []);

  // The viewer's tree: every call a child of the request, in order, with what the viewer shows of it.
  const tree = renderTraceTree(await viewer.store.waitForTrace(traceId, 5000))
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((line) => line.replace(/ {2}\+?[\d.]+ ms/g, ''));
  assert.deepEqual(tree, [
    `backend  GET ${segment.http?.request?.url} → 200  {route=/api/feed}`,
    `├─ postgres@127.0.0.1  remote  ${query.sql?.url}`, // pg.connect: the viewer shows a statement, else the connection
    '├─ postgres@127.0.0.1  remote  SELECT id, message FROM activities WHERE message = $1 LIMIT ?',
    '├─ redis@127.0.0.1  remote',
    '├─ redis@127.0.0.1  remote',
    `└─ 127.0.0.1  remote  GET ${downstreamUrl} → 200`,
  ]);
});

test('a failing query: fault and cause on its subsegment, literals masked', { skip }, async (t) => {
  const { call, segmentOf } = await setup(t);
  const { traceId, status } = await call('/api/broken');
  assert.equal(status, 500);
  const segment = await segmentOf(traceId);
  const failed = find(segment, (s) => s.sql?.sanitized_query?.includes('no_such_table') === true);
  assert.ok(failed);
  assert.equal(failed.sql?.sanitized_query, 'SELECT * FROM no_such_table WHERE id = ?');
  assert.equal(failed.fault, true);
  const cause = failed.cause;
  assert.ok(cause && typeof cause === 'object');
  assert.match(cause.exceptions[0]?.message ?? '', /42P01/);
});
