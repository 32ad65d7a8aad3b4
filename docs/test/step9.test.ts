// Step 9: OTLP. The backend (ours) and a service traced with the OpenTelemetry JS SDK report to the
// trace viewer's OTLP receiver and make one trace; the backend feeds the daemon and OTLP at once;
// a refused API key gives the one diagnostic the page shows; X-Ray's OTLP endpoint gets SigV4.
// Honeycomb and AWS themselves are stood in for by @cruddur/fakes' OTLP sink.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startDaemonSink, startOtlpSink, type DaemonSink, type OtlpSink } from '@cruddur/fakes';
import { startTraceViewer, type TraceNode, type TraceViewer } from '@cruddur/trace-viewer';
import { request, SAMPLE_EVERYTHING, startSnippet, stopAllSnippets, waitForSegment, type RunningSnippet } from './support.js';

/** The hex W3C/OTLP form of an X-Ray trace id. */
function w3c(traceId: string | undefined): string {
  return (traceId ?? '').slice(2).replace('-', '');
}

/** Every node of a tree, depth first. */
function nodes(roots: readonly TraceNode[]): TraceNode[] {
  return roots.flatMap((n) => [n, ...nodes(n.children)]);
}

/** A stand-in for the notifications service where only the backend is under test. */
async function staticNotifications(): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('[]');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

// Short batches, so the tests do not wait the 5 s default.
const FAST_BATCHES = { OTEL_BSP_SCHEDULE_DELAY: '100', CRUDDUR_XRAY_SAMPLING_RULES: SAMPLE_EVERYTHING };

after(stopAllSnippets);
describe('step 9: Honeycomb and X-Ray over OTLP', () => {
  let viewer: TraceViewer;
  let notifications: RunningSnippet;

  before(async () => {
    viewer = await startTraceViewer({ udpPort: 0, httpPort: 0, otlpPort: 0, finishAfterMs: 300, web: false });
    // tsx, as the page runs it: the OpenTelemetry packages resolve from the docs workspace.
    notifications = await startSnippet('step9-notifications.ts', { OTEL_EXPORTER_OTLP_ENDPOINT: viewer.otlpEndpoint ?? '' }, 'tsx');
  });
  after(async () => {
    await notifications?.stop();
    await viewer?.close();
  });

  test('locally: ours over OTLP, theirs with the OpenTelemetry SDK, one trace in the viewer', async () => {
    const backend = await startSnippet('step9-backend.ts', {
      ...FAST_BATCHES,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: viewer.otlpEndpoint ?? '',
      NOTIFICATIONS_URL: notifications.url,
    });
    try {
      const res = await request(`${backend.url}/api/activities/notifications`);
      assert.equal(res.status, 200);
      assert.equal((JSON.parse(res.text) as unknown[]).length, 1);
      assert.ok(res.traceId);

      const trace = await viewer.store.waitForTrace((t) => t.id === res.traceId && t.services.includes('cruddur-notifications'), 15_000);
      assert.deepEqual([...trace.services].sort(), ['cruddur-backend', 'cruddur-notifications']);
      assert.equal(trace.roots.length, 1, 'one tree: the OpenTelemetry service nests under our call to it');
      const [root] = trace.roots;
      assert.equal(root?.name, 'cruddur-backend');
      const call = root?.children.find((n) => n.namespace === 'remote');
      assert.equal(call?.http?.url, `${notifications.url}/api/notifications/andrewbrown`);
      const theirs = call?.children.find((n) => n.kind === 'segment');
      assert.equal(theirs?.name, 'cruddur-notifications', "the OTel server span's parent is our remote subsegment (W3C traceparent)");
      assert.deepEqual(
        theirs?.children.map((n) => n.name),
        ['load-notifications'],
      );
      // Everything came over OTLP; nothing over UDP.
      const stats = viewer.stats();
      assert.equal(stats.received, 0);
      assert.ok((stats.otlp?.spans ?? 0) >= 4, `OTLP spans: ${stats.otlp?.spans}`);
      assert.equal(nodes(trace.roots).length, 4);
    } finally {
      const exit = await backend.stop();
      assert.deepEqual(exit, { code: 143, signal: null });
    }
  });

  test('the daemon and OTLP at once (OTEL_TRACES_EXPORTER=otlp,xray): the same segment both ways', async () => {
    const daemon: DaemonSink = await startDaemonSink();
    const backend = await startSnippet('step9-backend.ts', {
      ...FAST_BATCHES,
      OTEL_TRACES_EXPORTER: 'otlp,xray',
      OTEL_EXPORTER_OTLP_ENDPOINT: viewer.otlpEndpoint ?? '',
      AWS_XRAY_DAEMON_ADDRESS: daemon.address,
      NOTIFICATIONS_URL: notifications.url,
    });
    try {
      const res = await request(`${backend.url}/api/activities/notifications`);
      assert.equal(res.status, 200);
      // The daemon path: a document the X-Ray daemon accepts (waitForSegment checks it).
      const segment = await waitForSegment(daemon, (d) => d.trace_id === res.traceId && d.name === 'cruddur-backend');
      // The OTLP path: the same trace, with the OpenTelemetry service in it.
      const trace = await viewer.store.waitForTrace((t) => t.id === res.traceId && t.services.includes('cruddur-notifications'), 15_000);
      const ours = trace.documents.find((d) => d.name === 'cruddur-backend' && d.parent_id === undefined);
      assert.equal(ours?.id, segment.id);
      assert.equal(ours?.trace_id, segment.trace_id);
      assert.deepEqual([...trace.services].sort(), ['cruddur-backend', 'cruddur-notifications']);
    } finally {
      await backend.stop();
      await daemon.close();
    }
  });
});

describe('step 9: what cannot run here, against stand-ins', () => {
  let stub: { url: string; server: Server };
  let sink: OtlpSink;
  before(async () => {
    stub = await staticNotifications();
  });
  after(async () => {
    await new Promise((resolve) => stub?.server.close(resolve));
    await sink?.close();
  });

  test('Honeycomb: the key goes in x-honeycomb-team; a refused key prints one diagnostic and is not retried', async () => {
    sink = await startOtlpSink();
    sink.fail('status', { status: 401, message: 'unknown API key - check your credentials', count: 5 });
    const backend = await startSnippet('step9-backend.ts', {
      ...FAST_BATCHES,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-honeycomb-team=not-a-key',
      NOTIFICATIONS_URL: stub.url,
    });
    try {
      for (let i = 0; i < 2; i++) assert.equal((await request(`${backend.url}/api/activities/notifications`)).status, 200);
      await sink.waitForRequests(1, 10_000);
      const [first] = sink.requests;
      assert.equal(first?.path, '/v1/traces');
      assert.equal(first?.headers['x-honeycomb-team'], 'not-a-key');
      assert.equal(first?.answeredStatus, 401);
      await backend.stop();
      const lines = backend.stderr().split('\n').filter((l) => l.includes('HTTP 401'));
      assert.equal(lines.length, 1, `one diagnostic, not one per batch:\n${backend.stderr()}`);
      assert.match(
        lines[0] ?? '',
        /^\[@cruddur\/middleware\] the OTLP endpoint http:\/\/127\.0\.0\.1:\d+\/v1\/traces answered HTTP 401: unknown API key - check your credentials — the credentials were refused: check the API key header in OTEL_EXPORTER_OTLP_HEADERS \(Honeycomb: x-honeycomb-team=<key>\) or the IAM permissions .*; \d+ span\(s\) dropped, not retried\. Further 401 answers are counted in stats\.rejected$/,
      );
      assert.ok(sink.requests.every((r) => r.answeredStatus === 401), 'a 401 is never retried into success');
    } finally {
      await backend.stop();
      await sink.close();
    }
  });

  test('X-Ray over OTLP: every request is SigV4-signed for service xray; wrong credentials give a 403 diagnostic', async () => {
    const credentials = { accessKeyId: 'AKIDWORKSHOPTEST', secretAccessKey: 'workshop-test-secret' };
    sink = await startOtlpSink({ sigv4: { region: 'eu-west-1', credentials } });
    const env = { ...FAST_BATCHES, AWS_REGION: 'eu-west-1', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: sink.tracesUrl };

    const good = await startSnippet('step9-xray-otlp.ts', { ...env, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey });
    const res = await request(`${good.url}/api/activities/home`);
    assert.equal(res.status, 200);
    const spans = await sink.waitForSpans((s) => s.traceId === w3c(res.traceId), 10_000);
    assert.equal(spans.length, 1);
    await good.stop();
    assert.ok(sink.requests.length > 0);
    for (const r of sink.requests) {
      assert.equal(r.signatureValid, true, r.error);
      assert.match(r.headers.authorization ?? '', /^AWS4-HMAC-SHA256 Credential=AKIDWORKSHOPTEST\/\d{8}\/eu-west-1\/xray\/aws4_request, /);
    }

    sink.reset();
    const bad = await startSnippet('step9-xray-otlp.ts', { ...env, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: 'not-the-secret' });
    await request(`${bad.url}/api/activities/home`);
    await sink.waitForRequests(1, 10_000);
    await bad.stop();
    assert.equal(sink.requests[0]?.answeredStatus, 403);
    assert.match(bad.stderr(), /answered HTTP 403: .*signature.* — the credentials were refused: .*IAM permissions \(X-Ray: xray:PutTraceSegments… and Transaction Search\)/);
  });
});
