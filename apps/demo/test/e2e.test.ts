// End to end, exactly as the demo runs it: dynalite in-process, the trace viewer's receiver, a
// local Rollbar endpoint, and the built worker and backend as separate Node processes.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type SegmentDocument, type Trace } from '@cruddur/trace-viewer';
import { traceIdOf, type LogLine } from '../src/logs.js';
import { startStack, type Stack } from '../src/stack.js';
import { INDUCED_ERROR_PATH, sendStep, type TourResult, type TourStep } from '../src/tour.js';

/** A segment or subsegment as received, with the fields this test reads. */
interface Doc {
  id: string;
  name: string;
  trace_id?: string;
  parent_id?: string;
  type?: string;
  namespace?: string;
  fault?: boolean;
  error?: boolean;
  http?: { request?: { method?: string; url?: string }; response?: { status?: number } };
  aws?: { operation?: string; table_name?: string };
  cause?: { exceptions?: { type?: string; message?: string }[] };
  subsegments?: Doc[];
}

/** Every (sub)segment of a document, itself first, embedded subsegments depth first. */
function walk(doc: Doc): Doc[] {
  return [doc, ...(doc.subsegments ?? []).flatMap(walk)];
}

/** The top-level segments of a trace (not independent subsegments). */
function segments(trace: Trace): Doc[] {
  return (trace.documents as SegmentDocument[] as unknown as Doc[]).filter((d) => d.type !== 'subsegment');
}

/** The subsegments a segment holds, embedded or sent on their own. */
function subsegmentsOf(trace: Trace, segment: Doc): Doc[] {
  const docs = trace.documents as unknown as Doc[];
  const own = walk(segment).slice(1);
  const ids = new Set([segment.id, ...own.map((d) => d.id)]);
  // Independent subsegments name their parent; follow them until no new one joins.
  let added = true;
  const independent = docs.filter((d) => d.type === 'subsegment');
  while (added) {
    added = false;
    for (const doc of independent) {
      if (doc.parent_id && ids.has(doc.parent_id) && !ids.has(doc.id)) {
        for (const d of walk(doc)) {
          ids.add(d.id);
          own.push(d);
        }
        added = true;
      }
    }
  }
  return own;
}

function only<T>(items: T[], what: string): T {
  assert.equal(items.length, 1, `exactly one ${what}, got ${items.length}`);
  return items[0]!;
}

function urlOf(doc: Doc): string {
  return doc.http?.request?.url ?? '';
}

function dynamoOperations(trace: Trace, segment: Doc): string[] {
  return subsegmentsOf(trace, segment)
    .filter((d) => d.namespace === 'aws' && d.name === 'DynamoDB')
    .map((d) => d.aws?.operation ?? '?')
    .sort();
}

async function send(stack: Stack, step: Omit<TourStep, 'title' | 'shows'>): Promise<TourResult & { traceId: string }> {
  const result = await sendStep(stack.backendUrl, { title: step.path, shows: '', ...step });
  assert.equal(result.status, step.expectStatus, `${step.method} ${step.path}: ${JSON.stringify(result.body)}`);
  assert.ok(result.traceId, 'every response carries X-Amzn-Trace-Id with its Root');
  return { ...result, traceId: result.traceId };
}

void describe('the demo stack, end to end', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack({ backendPort: 0, workerPort: 0, tracesUdpPort: 0, tracesHttpPort: 0, rollbar: true, finishAfterMs: 200 });
  });

  after(async () => {
    await stack?.stop();
  });

  void test('a message to a new handle: one trace across backend → worker → backend, linked hop by hop, with its DynamoDB calls and logs', async (t) => {
    const message = `e2e ${Date.now()}: shall we talk about tracing?`;
    const res = await send(stack, { method: 'POST', path: '/api/messages', user: 'garek', body: { handle: 'worf', message }, expectStatus: 200 });
    const groupUuid = (res.body as { message_group_uuid?: string }).message_group_uuid;
    assert.match(groupUuid ?? '', /^[0-9a-f-]{36}$/);
    const traceId = res.traceId;

    const trace = await stack.traces.store.waitForTrace(traceId, 10_000);
    const segs = segments(trace);

    // One trace id for every document of the request, the one the response header names.
    for (const doc of trace.documents) assert.equal(doc.trace_id, traceId, `${doc.name} ${doc.id}`);
    assert.deepEqual([...new Set(segs.map((s) => s.name))].sort(), ['cruddur-backend', 'cruddur-worker']);

    const backend = only(
      segs.filter((s) => s.name === 'cruddur-backend' && s.parent_id === undefined),
      'backend entry segment',
    );
    assert.equal(backend.http?.request?.method, 'POST');
    assert.match(urlOf(backend), /\/api\/messages$/);
    assert.equal(backend.http?.response?.status, 200);

    const moderate = only(segs.filter((s) => s.name === 'cruddur-worker' && urlOf(s).endsWith('/internal/moderate')), 'worker moderate segment');
    const notify = only(segs.filter((s) => s.name === 'cruddur-worker' && urlOf(s).endsWith('/internal/notifications')), 'worker notifications segment');
    const nested = only(
      segs.filter((s) => s.name === 'cruddur-backend' && urlOf(s).endsWith('/api/users/@garek/short')),
      "backend's nested segment (the worker's call back)",
    );

    // Each hop: the callee's segment names the caller's HTTP subsegment as its parent.
    const backendCalls = subsegmentsOf(trace, backend).filter((d) => d.namespace === 'remote');
    const moderateCall = only(backendCalls.filter((d) => urlOf(d).endsWith('/internal/moderate')), 'backend → worker moderate call');
    const notifyCall = only(backendCalls.filter((d) => urlOf(d).endsWith('/internal/notifications')), 'backend → worker notifications call');
    const callBack = only(
      subsegmentsOf(trace, notify).filter((d) => d.namespace === 'remote' && urlOf(d).endsWith('/api/users/@garek/short')),
      'worker → backend users-short call',
    );
    assert.equal(moderate.parent_id, moderateCall.id, 'worker moderate segment → backend HTTP subsegment');
    assert.equal(notify.parent_id, notifyCall.id, 'worker notifications segment → backend HTTP subsegment');
    assert.equal(nested.parent_id, callBack.id, "backend's nested segment → worker HTTP subsegment");
    for (const call of [moderateCall, notifyCall, callBack]) assert.equal(call.http?.response?.status, 200, urlOf(call));

    // DynamoDB: every call is a subsegment naming the table and the operation.
    const dynamo = trace.documents.flatMap((d) => walk(d as unknown as Doc)).filter((d) => d.namespace === 'aws');
    assert.ok(dynamo.length >= 9, `DynamoDB subsegments: ${dynamo.length}`);
    for (const d of dynamo) {
      assert.equal(d.name, 'DynamoDB');
      assert.equal(d.aws?.table_name, stack.tableName, `${d.aws?.operation ?? '?'} table`);
      assert.ok(!d.fault && !d.error, `${d.aws?.operation ?? '?'} succeeded`);
    }
    // Backend: both users (GetItem), an existing group between them (Query), claim, message and
    // two member rows (PutItem). Worker: the notification (PutItem). Nested backend: the user.
    assert.deepEqual(dynamoOperations(trace, backend), ['GetItem', 'GetItem', 'PutItem', 'PutItem', 'PutItem', 'PutItem', 'Query']);
    assert.deepEqual(dynamoOperations(trace, notify), ['PutItem']);
    assert.deepEqual(dynamoOperations(trace, nested), ['GetItem']);
    assert.deepEqual(dynamoOperations(trace, moderate), []);

    // Logs: both services' lines for this request carry its trace id, each with its own segment.
    const isAccess = (line: LogLine, source: string, path: string): boolean =>
      line.source === source && line.entry?.log_type === 'access' && line.entry.path === path;
    await stack.waitForLogs((line) => traceIdOf(line) === traceId && isAccess(line, 'cruddur-backend', '/api/messages'), 5000);
    const lines = stack.logsForTrace(traceId);
    const accessSegment = (source: string, path: string): unknown => only(lines.filter((l) => isAccess(l, source, path)), `${source} access line for ${path}`).entry?.segment_id;
    assert.equal(accessSegment('cruddur-backend', '/api/messages'), backend.id);
    assert.equal(accessSegment('cruddur-worker', '/internal/moderate'), moderate.id);
    assert.equal(accessSegment('cruddur-worker', '/internal/notifications'), notify.id);
    assert.equal(accessSegment('cruddur-backend', '/api/users/@garek/short'), nested.id);
    assert.deepEqual([...new Set(lines.map((l) => l.source))].sort(), ['cruddur-backend', 'cruddur-worker']);

    // The sampling rules trace every request except the health checks the stack polled at start.
    assert.deepEqual(
      stack.traces.store.listTraces().filter((s) => /\/(api\/health-check|health)$/.test(s.url ?? '')),
      [],
    );

    // And the request did what it says: worf has the notification, written by the worker.
    const notifications = await send(stack, { method: 'GET', path: '/api/activities/notifications', user: 'worf', expectStatus: 200 });
    const note = (notifications.body as { type: string; handle: string; message_group_uuid?: string; message: string }[]).find((n) => n.message_group_uuid === groupUuid);
    assert.deepEqual(note && { type: note.type, handle: note.handle, message: note.message }, { type: 'message', handle: 'garek', message });

    // Two transports, one trace: the backend's segments came over UDP (the daemon protocol), the
    // worker's only over OTLP/HTTP. The viewer's OTLP receiver counted the worker's spans, and a
    // segment converted from a span has no `in_progress` and the OTLP resource in its metadata.
    const stats = stack.traces.stats();
    assert.ok(stats.received > 0, 'the backend sent datagrams');
    assert.ok(stats.otlp, 'the OTLP receiver runs');
    assert.ok(stats.otlp.spans >= 4, `OTLP spans: ${stats.otlp.spans}`);
    assert.equal(stats.otlp.rejectedSpans, 0);
    const raw = trace.documents as unknown as { name: string; type?: string; metadata?: { default?: Record<string, unknown> } }[];
    const fromOtlp = (d: { metadata?: { default?: Record<string, unknown> } }): boolean => d.metadata?.default?.['otel.resource.service.name'] !== undefined;
    for (const seg of raw.filter((d) => d.type !== 'subsegment')) {
      assert.equal(fromOtlp(seg), seg.name === 'cruddur-worker', `${seg.name}: ${seg.name === 'cruddur-worker' ? 'OTLP' : 'UDP'}`);
    }

    t.diagnostic(
      `trace ${traceId}: backend ${backend.id} → (${moderateCall.id}) worker ${moderate.id}; ` +
        `backend → (${notifyCall.id}) worker ${notify.id} → (${callBack.id}) backend ${nested.id}`,
    );
  });

  void test('an induced error: 500 naming the trace, a fault in it, an error log line and a Rollbar item with that trace id', async (t) => {
    const res = await send(stack, { method: 'GET', path: INDUCED_ERROR_PATH, expectStatus: 500 });
    assert.deepEqual(res.body, { error: 'internal_error', trace_id: res.traceId });

    const trace = await stack.traces.store.waitForTrace(res.traceId, 10_000);
    const backend = only(segments(trace), 'segment');
    assert.equal(backend.fault, true);
    assert.equal(backend.http?.response?.status, 500);
    const getItem = only(
      subsegmentsOf(trace, backend).filter((d) => d.namespace === 'aws'),
      'DynamoDB subsegment',
    );
    assert.equal(getItem.aws?.operation, 'GetItem');
    assert.equal(getItem.aws?.table_name, stack.tableName);
    assert.equal(getItem.error, true);
    assert.equal(getItem.cause?.exceptions?.[0]?.type, 'ValidationException');

    assert.ok(stack.rollbar);
    const [item] = await stack.rollbar.waitForItems((i) => (i.data.custom as { trace_id?: string } | undefined)?.trace_id === res.traceId, 5000);
    assert.ok(item);
    assert.equal(item.data.level, 'error');
    const custom = item.data.custom as { trace_id: string; segment_id: string };
    assert.equal(custom.segment_id, backend.id);
    const exception = (item.data.body as { trace_chain?: { exception?: { class?: string } }[] }).trace_chain?.[0]?.exception;
    assert.equal(exception?.class, 'ValidationException');

    const [errorLine] = await stack.waitForLogs((l) => traceIdOf(l) === res.traceId && l.entry?.level === 'error', 5000);
    assert.equal(errorLine?.source, 'cruddur-backend');
    assert.equal(errorLine?.entry?.segment_id, backend.id);
    t.diagnostic(`induced error ${res.traceId}: segment ${backend.id} fault; Rollbar custom.trace_id ${custom.trace_id}`);
  });

  void test('/rollbar/test: a warning at the local Rollbar endpoint with the trace id of the request', async () => {
    const res = await send(stack, { method: 'GET', path: '/rollbar/test', expectStatus: 200 });
    assert.ok(stack.rollbar);
    const [item] = await stack.rollbar.waitForItems((i) => (i.data.custom as { trace_id?: string } | undefined)?.trace_id === res.traceId, 5000);
    assert.equal(item?.data.level, 'warning');
  });

  void test('stop(): both services exit with code 0 and every port is released', async () => {
    const backendPort = Number(new URL(stack.backendUrl).port);
    const result = await stack.stop();
    assert.deepEqual(result, { backend: { code: 0, signal: null }, worker: { code: 0, signal: null } });
    assert.equal(await refused(backendPort), true, 'backend port closed');
    assert.equal(await refused(Number(new URL(stack.workerUrl).port)), true, 'worker port closed');
    assert.equal(await refused(Number(new URL(stack.dynamodbEndpoint).port)), true, 'dynalite closed');
    assert.equal(await refused(Number(new URL(stack.tracesUrl).port)), true, 'trace web view closed');
    assert.equal(await refused(stack.traces.otlpPort!), true, 'OTLP receiver closed');
    // A second stop is harmless.
    assert.deepEqual(await stack.stop(), result);
  });
});

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}
