// Request and call metrics end to end: Express and Fastify apps with the metrics on, real
// requests over sockets, EMF lines through the logger's CloudWatch transport to the CloudWatch
// Logs fake, read back there as CloudWatch would extract them.
import assert from 'node:assert/strict';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startDynalite, type DynaliteHandle } from '@cruddur/fakes';
import express from 'express';
import fastify from 'fastify';
import { instrument } from '../src/aws/index.js';
import { xray, xrayErrorHandler } from '../src/express/index.js';
import { xray as xrayFastify } from '../src/fastify/index.js';
import { OTHER } from '../src/metrics/aggregate-table.js';
import { UNMATCHED_ROUTE } from '../src/metrics/request-metrics.js';
import { createTestTracer } from '../src/testing/index.js';
import { send } from './support/http-client.js';
import { datum, METRICS_STREAM, startMetricsRig, type MetricsRig } from './support/metrics-setup.js';

const UNSAMPLED = { 'X-Amzn-Trace-Id': 'Root=1-6b04a773-f929c5b0a80e8ee74c6fb200;Sampled=0' };

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('request metrics from Express', () => {
  let rig: MetricsRig;
  let server: Server;
  let port: number;
  const { tracer, emitter } = createTestTracer({ name: 'backend' });

  before(async () => {
    rig = await startMetricsRig();
    const app = express();
    app.use(xray({ tracer }));
    app.get('/api/activities/:handle', (_req, res) => {
      res.json([]);
    });
    app.get('/api/boom', () => {
      throw new Error('boom');
    });
    app.get('/api/slow-down', (_req, res) => {
      res.status(429).end();
    });
    app.use(xrayErrorHandler());
    app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).end();
    });
    server = createServer(app);
    port = await listen(server);
  });
  after(async () => {
    server.close();
    await rig.close();
  });

  it('aggregates per service, route template and method, sampled or not, into one document each, read back from CloudWatch', async () => {
    // act
    for (const handle of ['andrew', 'garek', 'worf']) assert.equal((await send(port, `/api/activities/${handle}`)).status, 200);
    for (let i = 0; i < 2; i++) await send(port, '/api/activities/quiet', { headers: UNSAMPLED });
    const boom = await send(port, '/api/boom');
    await send(port, '/api/slow-down');
    await send(port, '/nowhere/at/all');
    const flushed = await rig.metrics.flush(5_000);
    // assert
    assert.equal(flushed.complete, true);
    const data = await rig.server.waitForMetrics((d) => d.metricName === 'Requests' && d.dimensions.Route === '/api/activities/:handle');
    const all = rig.server.metricData;
    assert.deepEqual(rig.server.emfRejections, [], 'CloudWatch would extract every document');
    assert.ok(rig.server.eventsFor('/cruddur/backend', METRICS_STREAM).length >= 4, 'EMF lines in their own stream');
    assert.equal(rig.server.eventsFor('/cruddur/backend', 'test-stream').length, 0, 'not among the log entries');

    const route = { Service: 'backend', Route: '/api/activities/:handle', Method: 'GET' };
    assert.equal(datum(all, 'Requests', route)?.sum, 5, 'unsampled requests are counted too');
    const latency = datum(all, 'Latency', route)!;
    assert.equal(latency.unit, 'Milliseconds');
    assert.equal(latency.sampleCount, 5, 'one latency value per request, as Values/Counts');
    assert.ok(latency.values.length <= 100);
    assert.equal(datum(all, 'Faults', route)?.sum, 0, 'zeros are written, so alarms have data');
    assert.equal(datum(all, 'Faults', { Service: 'backend', Route: '/api/boom', Method: 'GET' })?.sum, 1);
    assert.equal(datum(all, 'Throttles', { Service: 'backend', Route: '/api/slow-down', Method: 'GET' })?.sum, 1);
    assert.equal(datum(all, 'Errors', { Service: 'backend', Route: '/api/slow-down', Method: 'GET' })?.sum, 1, 'a throttle is an error too');
    assert.equal(datum(all, 'Errors', { Service: 'backend', Route: UNMATCHED_ROUTE, Method: 'GET' })?.sum, 1, 'never the raw URL');
    assert.ok(!all.some((d) => Object.values(d.dimensions).includes('/nowhere/at/all')));
    const rollup = all.filter((d) => d.metricName === 'Requests' && Object.keys(d.dimensions).length === 1 && d.dimensions.Service === 'backend');
    assert.equal(rollup.reduce((n, d) => n + d.sum, 0), 8, 'the Service rollup counts every request');

    // The exemplar of the failing route is the failing request's trace, which exists.
    const boomDoc = datum(all, 'Requests', { Service: 'backend', Route: '/api/boom', Method: 'GET' })!.document as { Exemplar?: { TraceId: string; Reason: string; Status: number } };
    assert.equal(boomDoc.Exemplar?.TraceId, boom.traceId);
    assert.equal(boomDoc.Exemplar?.Reason, 'fault');
    assert.ok(emitter.segments.some((s) => s.trace_id === boomDoc.Exemplar?.TraceId), 'a real trace');
    const routeDoc = datum(all, 'Requests', route)!.document as { Exemplar?: { TraceId: string; Reason: string; LatencyMs: number } };
    assert.equal(routeDoc.Exemplar?.Reason, 'slowest');
    assert.ok(emitter.segments.some((s) => s.trace_id === routeDoc.Exemplar?.TraceId), 'the exemplar is a sampled trace, never the unsampled ones');
    assert.ok(data.length > 0);
  });

  it('starts every interval empty: a flush without traffic writes nothing', async () => {
    const before = rig.server.events.length;
    const flushed = await rig.metrics.flush(2_000);
    assert.equal(flushed.documents, 0);
    assert.equal(rig.server.events.length, before);
  });
});

describe('request metrics from Fastify, with the cardinality cap', () => {
  it('keeps at most maxDimensionSets aggregates and counts the rest under Other', async () => {
    // prepare
    const rig = await startMetricsRig({ maxDimensionSets: 5, service: 'worker' });
    const { tracer } = createTestTracer({ name: 'worker' });
    const app = fastify({ logger: false });
    await app.register(xrayFastify, { tracer });
    for (let i = 0; i < 12; i++) app.get(`/route-${i}/:id`, async () => ({ ok: true }));
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const port = Number(new URL(address).port);
    try {
      // act
      for (let i = 0; i < 12; i++) await send(port, `/route-${i}/x`);
      await rig.metrics.flush(5_000);
      await rig.server.waitForMetrics((d) => d.dimensions.Route === OTHER);
      // assert
      const requests = rig.server.metricData.filter((d) => d.metricName === 'Requests' && 'Route' in d.dimensions);
      assert.equal(requests.length, 6, '5 aggregates and the overflow one');
      assert.equal(datum(requests, 'Requests', { Service: OTHER, Route: OTHER, Method: OTHER })?.sum, 7);
      assert.equal(rig.metrics.stats().overflowed, 7);
      assert.ok(rig.problems.some((p) => /more than 5 distinct request dimension sets/.test(p)), 'one diagnostic says so');
      assert.deepEqual(rig.server.emfRejections, []);
    } finally {
      await app.close();
      await rig.close();
    }
  });

  it('flushes at shutdown and stops listening afterwards', async () => {
    const rig = await startMetricsRig({ service: 'worker' });
    const { tracer } = createTestTracer({ name: 'worker' });
    const app = fastify({ logger: false });
    await app.register(xrayFastify, { tracer });
    app.get('/health', async () => ({ ok: true }));
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const port = Number(new URL(address).port);
    try {
      await send(port, '/health');
      const result = await rig.metrics.shutdown(5_000);
      assert.equal(result.complete, true);
      assert.equal(datum(rig.server.metricData, 'Requests', { Service: 'worker', Route: '/health', Method: 'GET' })?.sum, 1, 'delivered before shutdown resolved');
      await send(port, '/health');
      assert.equal(rig.metrics.stats().requests, 1, 'no longer listening');
    } finally {
      await app.close();
      await rig.close();
    }
  });
});

describe('outgoing call metrics', () => {
  let rig: MetricsRig;
  let dynalite: DynaliteHandle;
  let downstream: Server;
  let downstreamPort: number;
  let appServer: Server;
  let port: number;
  const { tracer, emitter } = createTestTracer({ name: 'backend' });

  before(async () => {
    rig = await startMetricsRig();
    dynalite = await startDynalite({ host: '127.0.0.1', port: 0 });
    const client = instrument(new DynamoDBClient({ endpoint: dynalite.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }), { tracer });
    await client.send(new CreateTableCommand({ TableName: 'items', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
    downstream = createServer((req, res) => {
      res.statusCode = req.url === '/down' ? 503 : 200;
      res.end('ok');
    });
    downstreamPort = await listen(downstream);
    const app = express();
    app.use(xray({ tracer }));
    app.get('/api/fan-out', async (_req, res) => {
      await (await fetch(`http://127.0.0.1:${downstreamPort}/up`)).text();
      await new Promise<void>((resolve) => get(`http://127.0.0.1:${downstreamPort}/down`, (r) => r.resume().on('end', resolve)));
      await client.send(new PutItemCommand({ TableName: 'items', Item: { pk: { S: String(Math.random()) } } }));
      res.json({ ok: true });
    });
    appServer = createServer(app);
    port = await listen(appServer);
  });
  after(async () => {
    appServer.close();
    downstream.close();
    await dynalite.close();
    await rig.close();
  });

  it('counts HTTP calls per remote host and AWS operations per service and operation, sampled or not', async () => {
    const sampled = await send(port, '/api/fan-out');
    await send(port, '/api/fan-out', { headers: UNSAMPLED });
    await rig.metrics.flush(5_000);
    await rig.server.waitForMetrics((d) => d.metricName === 'Calls' && d.dimensions.RemoteOperation === 'PutItem');
    const all = rig.server.metricData;
    const host = { Service: 'backend', RemoteHost: `127.0.0.1:${downstreamPort}` };
    assert.equal(datum(all, 'Calls', host)?.sum, 4, 'fetch and node:http, sampled and unsampled');
    assert.equal(datum(all, 'CallFaults', host)?.sum, 2, 'the 503s');
    assert.equal(datum(all, 'CallLatency', host)?.sampleCount, 4);
    const dynamo = { Service: 'backend', RemoteService: 'DynamoDB', RemoteOperation: 'PutItem' };
    assert.equal(datum(all, 'Calls', dynamo)?.sum, 2, 'one per operation, sampled and unsampled');
    assert.ok(!all.some((d) => d.metricName === 'Calls' && d.dimensions.RemoteHost === new URL(dynalite.endpoint).host), 'SDK attempts are not counted again as HTTP calls');
    const exemplar = (datum(all, 'Calls', host)!.document as { Exemplar?: { TraceId: string; Reason: string } }).Exemplar;
    assert.equal(exemplar?.TraceId, sampled.traceId, 'the failing call of the sampled request');
    assert.equal(exemplar?.Reason, 'fault');
    assert.ok(emitter.segments.some((s) => s.trace_id === exemplar?.TraceId));
    assert.deepEqual(rig.server.emfRejections, []);
  });
});
