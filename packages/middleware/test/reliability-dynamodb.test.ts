// DynamoDB throttling and DynamoDB down, through the real Cruddur backend (its Express app, its
// error handler) instrumented the way a user of the package does it: the built package,
// `instrument()` on the DynamoDB client, a test tracer. The app must answer a clear 503 naming the
// trace, the trace must show where it failed, and the app must recover on its own.
import assert from 'node:assert/strict';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RequestListener } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { startDynalite, validateSegmentDocument } from '@cruddur/fakes';
// The backend imports the built package; so does this file, so that both share one context.
import type { SegmentDocument, SubsegmentDocument } from '@cruddur/middleware';
import { instrument } from '@cruddur/middleware/aws';
import { createTestTracer, flattenSubsegments } from '@cruddur/middleware/testing';
import { startDynamoProxy, type DynamoProxy } from './support/dynamo-proxy.js';
import { send, type Reply } from './support/http-client.js';
import { listen, type Listening } from './support/reliability-kit.js';

// The backend's own sources, run by tsx like its tests run them. Imported by URL so that this
// package's typecheck stays within its own folder; the two functions used are typed here.
interface BackendModules {
  createApp(deps: { db: DynamoDBDocumentClient; tableName: string; workerUrl: string; logger: Record<'info' | 'warn' | 'error', (message: string) => void>; tracer: unknown }): RequestListener;
  ensureTable(client: DynamoDBClient, tableName: string): Promise<unknown>;
}
const BACKEND = new URL('../../../apps/cruddur-backend/src/', import.meta.url);
const { createApp } = (await import(new URL('app.ts', BACKEND).href)) as Pick<BackendModules, 'createApp'>;
const { ensureTable } = (await import(new URL('db/schema.ts', BACKEND).href)) as Pick<BackendModules, 'ensureTable'>;

const TABLE = 'cruddur-messages';
const THROTTLED = { status: 400, type: 'ProvisionedThroughputExceededException', message: 'The level of configured provisioned throughput for the table was exceeded' };
const TRACE_ID = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24})$/;

interface Backend {
  app: Listening;
  emitter: ReturnType<typeof createTestTracer>['emitter'];
  client: DynamoDBClient;
  errors: string[];
}

function dynamoClient(endpoint: string): DynamoDBClient {
  // Two attempts: the SDK's retry runs (aws.retries shows it) without slowing the suite.
  return new DynamoDBClient({ endpoint, region: 'us-east-1', maxAttempts: 2, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' } });
}

async function startBackend(endpoint: string): Promise<Backend> {
  const { tracer, emitter } = createTestTracer();
  const client = instrument(dynamoClient(endpoint));
  const errors: string[] = [];
  const logger = { info: () => undefined, warn: () => undefined, error: (message: string) => void errors.push(message) };
  const app = createApp({ db: DynamoDBDocumentClient.from(client), tableName: TABLE, workerUrl: 'http://127.0.0.1:9', logger, tracer });
  return { app: await listen(app), emitter, client, errors };
}

/** The response's trace id, asserted to be the one in the body, and the segment of that trace. */
function segmentOf(backend: Backend, reply: Reply): SegmentDocument {
  const root = TRACE_ID.exec(reply.traceHeader ?? '')?.[1];
  assert.ok(root, `a trace header: ${reply.traceHeader}`);
  assert.deepEqual(JSON.parse(reply.body), { error: 'service_unavailable', trace_id: root }, 'the body names the trace of the response header');
  const segment = backend.emitter.segments.find((s) => s.trace_id === root);
  assert.ok(segment, 'the segment was emitted');
  assert.deepEqual(validateSegmentDocument(segment), []);
  return segment;
}

function dynamoSubsegment(segment: SegmentDocument): SubsegmentDocument {
  const sub = flattenSubsegments(segment).find((s) => s.name === 'DynamoDB');
  assert.ok(sub, `a DynamoDB subsegment in ${JSON.stringify(segment)}`);
  return sub;
}

/**
 * An address for DynamoDB that stays this test's: while down, every connection is reset, as a
 * dead host's would be; once `up(port)`, connections are relayed to a DynamoDB there. Freeing a
 * port and binding it again later would let another test's server take it in between.
 */
async function switchableEndpoint(): Promise<{ url: string; up(port: number): void; close(): Promise<void> }> {
  let target: number | undefined;
  const server = createServer((socket) => {
    if (target === undefined) {
      socket.resetAndDestroy();
      return;
    }
    const upstream = connect(target, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    up: (port) => void (target = port),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let proxy: DynamoProxy;
let backend: Backend;
before(async () => {
  proxy = await startDynamoProxy();
  backend = await startBackend(proxy.endpoint);
  await ensureTable(backend.client, TABLE);
});
after(async () => {
  await backend.app.close();
  backend.client.destroy();
  await proxy.close();
});

test('DynamoDB throttling: 503 with Retry-After and the trace id; the segment is a fault whose cause is the throttled DynamoDB call; the next request succeeds', async () => {
  proxy.inject(THROTTLED, 2);
  const reply = await send(backend.app.port, '/api/activities/home');
  assert.equal(reply.status, 503);
  assert.equal(reply.headers['retry-after'], '1');
  const segment = segmentOf(backend, reply);
  assert.equal(segment.fault, true);
  assert.equal(segment.http?.response?.status, 503);
  const sub = dynamoSubsegment(segment);
  assert.deepEqual([sub.throttle, sub.error, sub.fault, sub.aws?.retries, sub.aws?.operation, sub.aws?.table_name], [true, true, undefined, 1, 'Query', TABLE]);
  assert.ok(typeof sub.cause === 'object', 'the DynamoDB call carries the exception');
  const exception = sub.cause.exceptions[0]!;
  assert.deepEqual([exception.type, exception.remote], ['ProvisionedThroughputExceededException', true]);
  assert.equal(segment.cause, exception.id, 'the segment refers to the remote exception by id instead of copying it');
  assert.deepEqual(backend.errors, ['dependency unavailable']);

  const next = await send(backend.app.port, '/api/activities/home');
  assert.equal(next.status, 200, 'throttling ended: nothing to restart');
});

test('DynamoDB down: 503 with the trace id, a fault with a remote cause and no response; the health check still answers; recovery once DynamoDB is back', async (t) => {
  const endpoint = await switchableEndpoint();
  const down = await startBackend(endpoint.url);
  t.after(async () => {
    await down.app.close();
    down.client.destroy();
    await endpoint.close();
  });

  const reply = await send(down.app.port, '/api/activities/home');
  assert.equal(reply.status, 503);
  const segment = segmentOf(down, reply);
  assert.equal(segment.fault, true);
  const sub = dynamoSubsegment(segment);
  assert.deepEqual([sub.fault, sub.http?.response], [true, undefined], 'no answer was received');
  assert.ok(typeof sub.cause === 'object');
  assert.equal(sub.cause.exceptions[0]?.remote, true);
  assert.equal((await send(down.app.port, '/api/health-check')).status, 200, 'routes that do not need DynamoDB are unaffected');

  // DynamoDB comes back on the same address: the same app and client work again.
  const revived = await startDynalite();
  t.after(() => revived.close());
  endpoint.up(revived.port);
  await ensureTable(down.client, TABLE);
  assert.equal((await send(down.app.port, '/api/activities/home')).status, 200);
});
