import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { XRayClient } from '@aws-sdk/client-xray';
import { startXRayApiServer, type ReceivedTraceSegment, type XRayApiServer } from '@cruddur/fakes';
import { DirectXRayEmitter } from '../src/aws/direct-emitter.js';
import { Diagnostics, newEntityId, newTraceId, Tracer } from '../src/internal.js';

/** A regression that loops or hangs fails the test instead of stalling the run. */
const LIMIT = { timeout: 10_000 };

let server: XRayApiServer;
const clients: XRayClient[] = [];
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

/** The real SDK client pointed at the fake, one attempt per call so the emitter's own retries are what is tested. */
function xrayClient(): XRayClient {
  const client = new XRayClient({ endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  clients.push(client);
  return client;
}

function collectingDiagnostics(): { diagnostics: Diagnostics; messages: string[] } {
  const messages: string[] = [];
  const push = (m: string): void => void messages.push(m);
  return { diagnostics: new Diagnostics({ debug: () => {}, info: push, warn: push, error: push }, 'info'), messages };
}

/** A finished segment document with a fresh id. */
function segment(name = 'cruddur-backend'): { id: string; text: string } {
  const id = newEntityId();
  const start = Date.now() / 1000;
  return { id, text: JSON.stringify({ name, id, trace_id: newTraceId(), start_time: start, end_time: start + 0.01 }) };
}

/** Every document accepted by the fake, by id; asserts none was accepted twice. */
function acceptedOnce(received: readonly ReceivedTraceSegment[]): Set<string> {
  const ids = received.filter((s) => s.accepted).map((s) => s.id as string);
  const unique = new Set(ids);
  assert.equal(unique.size, ids.length, 'no document accepted twice');
  return unique;
}

before(async () => {
  server = await startXRayApiServer();
});

beforeEach(() => {
  server.clear();
  server.clearFaults();
  server.clearRejections();
});

after(async () => {
  for (const c of clients) c.destroy();
  await server.close();
});

void test('batches of at most 50 documents, each delivered once, on flush()', LIMIT, async () => {
  const emitter = new DirectXRayEmitter({ client: xrayClient(), flushIntervalMs: 60_000 });
  const docs = Array.from({ length: 120 }, () => segment());
  for (const d of docs) emitter.send(d.text);
  await emitter.flush();
  const sizes = server.requestsFor('TraceSegments').map((r) => ((r.body as { TraceSegmentDocuments: string[] }).TraceSegmentDocuments ?? []).length);
  assert.deepEqual(sizes, [50, 50, 20]);
  assert.deepEqual(acceptedOnce(server.segments), new Set(docs.map((d) => d.id)));
  assert.deepEqual(server.segments.flatMap((s) => s.violations), []);
  assert.deepEqual({ ...emitter.stats }, { sent: 120, rejected: 0, failed: 0, dropped: 0, retried: 0, calls: 3 });
  const signed = server.requestsFor('TraceSegments')[0]?.headers.authorization;
  assert.match(String(signed), /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/xray\/aws4_request/, 'SigV4 for service xray');
  await emitter.close();
});

void test('a partial batch leaves on the interval without flush()', LIMIT, async () => {
  const emitter = new DirectXRayEmitter({ client: xrayClient(), flushIntervalMs: 20 });
  const docs = [segment(), segment(), segment()];
  for (const d of docs) emitter.send(d.text);
  assert.equal(emitter.queued, 3, 'nothing leaves before the interval');
  await server.waitForSegments(3);
  assert.equal(server.requestsFor('TraceSegments').length, 1);
  await emitter.close();
});

void test('throttling and server errors are retried with back-off: every document arrives exactly once', LIMIT, async () => {
  const emitter = new DirectXRayEmitter({ client: xrayClient(), flushIntervalMs: 60_000, retryBaseMs: 5, maxConcurrency: 1 });
  server.failNext('TraceSegments', 'throttle', 2);
  server.failNext('TraceSegments', '500', 1);
  const docs = Array.from({ length: 75 }, () => segment());
  for (const d of docs) emitter.send(d.text);
  await emitter.flush();
  assert.deepEqual(
    server.requestsFor('TraceSegments').map((r) => r.status),
    [429, 429, 500, 200, 200],
  );
  assert.deepEqual(acceptedOnce(server.segments), new Set(docs.map((d) => d.id)));
  assert.equal(server.segments.length, 75, 'refused calls delivered nothing, so nothing arrived twice');
  assert.deepEqual({ ...emitter.stats }, { sent: 75, rejected: 0, failed: 0, dropped: 0, retried: 3, calls: 5 });
  await emitter.close();
});

void test('UnprocessedTraceSegments are logged with their error code and not re-sent when permanent', LIMIT, async () => {
  const { diagnostics, messages } = collectingDiagnostics();
  const emitter = new DirectXRayEmitter({ client: xrayClient(), flushIntervalMs: 60_000, diagnostics });
  const docs = [segment(), segment(), segment()];
  server.rejectSegment(docs[1]!.id, 'InvalidTraceId', 'Invalid segment. ErrorCode: InvalidTraceId');
  for (const d of docs) emitter.send(d.text);
  await emitter.flush();
  assert.equal(server.segments.length, 3, 'sent once');
  assert.deepEqual(acceptedOnce(server.segments), new Set([docs[0]!.id, docs[2]!.id]));
  assert.deepEqual({ ...emitter.stats }, { sent: 2, rejected: 1, failed: 0, dropped: 0, retried: 0, calls: 1 });
  assert.ok(
    messages.some((m) => m.includes(docs[1]!.id) && m.includes('InvalidTraceId')),
    `a message names the segment and the code: ${messages.join(' | ')}`,
  );
  await emitter.close();
});

void test('a throttling-type UnprocessedTraceSegments entry is re-sent once and then accepted', LIMIT, async () => {
  const client = xrayClient();
  // After the first call has been answered the fake stops rejecting, as a throttled service recovers.
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      server.clearRejections();
      return result;
    },
    { step: 'initialize', name: 'recoverAfterFirstCall' },
  );
  const emitter = new DirectXRayEmitter({ client, flushIntervalMs: 60_000 });
  const docs = [segment(), segment()];
  server.rejectSegment(docs[0]!.id, 'ThrottledException', 'Rate exceeded');
  for (const d of docs) emitter.send(d.text);
  await emitter.flush();
  assert.deepEqual(
    server.segments.map((s) => [s.id, s.accepted]),
    [
      [docs[0]!.id, false],
      [docs[1]!.id, true],
      [docs[0]!.id, true],
    ],
  );
  assert.deepEqual(acceptedOnce(server.segments), new Set(docs.map((d) => d.id)));
  assert.deepEqual({ ...emitter.stats }, { sent: 2, rejected: 0, failed: 0, dropped: 0, retried: 1, calls: 2 });
  await emitter.close();
});

void test('a transient code that persists is re-sent only once', LIMIT, async () => {
  const emitter = new DirectXRayEmitter({ client: xrayClient(), flushIntervalMs: 60_000, diagnostics: collectingDiagnostics().diagnostics });
  const doc = segment();
  server.rejectSegment(doc.id, 'ThrottledException', 'Rate exceeded');
  emitter.send(doc.text);
  await emitter.flush();
  assert.equal(server.segments.length, 2);
  assert.deepEqual({ ...emitter.stats }, { sent: 0, rejected: 1, failed: 0, dropped: 0, retried: 1, calls: 2 });
  await emitter.close();
});

void test('retries run out: the batch counts as failed and the error is reported once', LIMIT, async () => {
  const { diagnostics, messages } = collectingDiagnostics();
  const emitter = new DirectXRayEmitter({ client: xrayClient(), flushIntervalMs: 60_000, retryBaseMs: 1, maxRetries: 1, diagnostics });
  server.failNext('TraceSegments', 'throttle', 2);
  emitter.send(segment().text);
  emitter.send(segment().text);
  await emitter.flush();
  assert.deepEqual({ ...emitter.stats }, { sent: 0, rejected: 0, failed: 2, dropped: 0, retried: 1, calls: 2 });
  assert.equal(messages.filter((m) => m.includes('ThrottledException')).length, 1, messages.join(' | '));
  emitter.send(segment().text);
  await emitter.flush();
  assert.equal(emitter.stats.sent, 1, 'the next batch goes through');
  await emitter.close();
});

void test('the queue is bounded: extra documents are dropped and counted, send() never throws', LIMIT, async () => {
  const emitter = new DirectXRayEmitter({ client: xrayClient(), flushIntervalMs: 60_000, maxQueue: 5, diagnostics: collectingDiagnostics().diagnostics });
  for (let i = 0; i < 8; i++) emitter.send(segment().text);
  assert.equal(emitter.stats.dropped, 3);
  await emitter.close();
  assert.equal(server.segments.length, 5);
  emitter.send(segment().text);
  assert.equal(emitter.stats.dropped, 4, 'closed: dropped');
});

void test('options out of range are refused at construction', LIMIT, () => {
  assert.throws(() => new DirectXRayEmitter({ batchSize: 51 }), /batchSize is 51; expected an integer from 1 to 50/);
  assert.throws(() => new DirectXRayEmitter({ maxQueue: 0 }), /maxQueue/);
});

void test('creates its own client lazily from clientConfig; a tracer shuts it down with everything delivered', LIMIT, async () => {
  const emitter = new DirectXRayEmitter({ clientConfig: { endpoint: server.url, region: 'eu-west-1', credentials }, flushIntervalMs: 60_000 });
  const tracer = new Tracer({ emitter, name: 'cruddur-backend', logLevel: 'silent', samplingRules: { version: 2, rules: [], default: { fixed_target: 0, rate: 1 } } }, {});
  for (let i = 0; i < 3; i++) {
    const seg = tracer.beginSegment({ name: 'cruddur-backend' });
    tracer.run(seg, () => tracer.capture('work', () => undefined));
    seg.close();
  }
  await tracer.shutdown();
  assert.equal(server.segments.length, 3);
  assert.deepEqual(server.segments.flatMap((s) => s.violations), [], 'documents pass the receiver rules');
  const auth = String(server.requestsFor('TraceSegments')[0]?.headers.authorization);
  assert.match(auth, /\/eu-west-1\/xray\//);
});
