// SIGTERM in the middle of traffic: a child process running a fully instrumented Express service
// (fixtures/reliability-shutdown-child.ts) must let every request in flight finish, then deliver
// the segments, log lines and error reports of all of them (the last ones included), and exit 0
// within a bounded time. Segments go both ways at once: to the daemon and, as OTLP spans, to an
// OTLP endpoint whose batches would only leave in ten minutes — only the shutdown flush sends them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { startCloudWatchLogsServer, startDaemonSink, startOtlpSink, startRollbarServer } from '@cruddur/fakes';
import { assertAcceptable, request, waitUntil } from './support/reliability-kit.js';

const CHILD = fileURLToPath(new URL('./fixtures/reliability-shutdown-child.ts', import.meta.url));
const SLOW = 30;
const FAILING = 10;

test('SIGTERM under load: in-flight requests drain, their segments (UDP and OTLP), log lines and error reports are all delivered, and the process exits 0 in bounded time', async (t) => {
  const sink = await startDaemonSink();
  const otlp = await startOtlpSink();
  const logs = await startCloudWatchLogsServer();
  const rollbar = await startRollbarServer();
  t.after(async () => {
    await sink.close();
    await otlp.close();
    await logs.close();
    await rollbar.close();
  });

  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, sink.address, logs.url, rollbar.itemUrl], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OTEL_TRACES_EXPORTER: 'xray,otlp', OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_BSP_SCHEDULE_DELAY: '600000' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  t.after(() => void child.kill('SIGKILL'));
  await waitUntil(() => /ready \d+\n/.test(stdout), `the child to listen (stderr: ${stderr})`, 15_000);
  const port = Number(/ready (\d+)/.exec(stdout)![1]);

  // Keep-alive connections, as a load balancer keeps them; every request sleeps 400 ms in the handler.
  const agent = new Agent({ keepAlive: true, maxSockets: SLOW + FAILING });
  t.after(() => agent.destroy());
  const replies = [
    ...Array.from({ length: SLOW }, (_, i) => request(port, `/slow/${i}?ms=400`, { agent })),
    ...Array.from({ length: FAILING }, (_, i) => request(port, `/fail/${i}?ms=400`, { agent })),
  ];
  // Wait until the service holds every request (none is anywhere near done), then stop it.
  await waitUntil(() => stdout.split('received\n').length - 1 >= SLOW + FAILING, 'the service to hold every request');
  const signalledAt = Date.now();
  child.kill('SIGTERM');

  const answered = await Promise.all(replies);
  const { code, signal, at } = await exited;
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, stderr);
  assert.ok(at - signalledAt < 3_000, `exited ${at - signalledAt} ms after SIGTERM`);
  assert.deepEqual(
    answered.map((r) => r.status),
    [...Array<number>(SLOW).fill(200), ...Array<number>(FAILING).fill(500)],
    'every request in flight was answered, none cut off',
  );
  const traceIds = answered.map((r) => r.traceId!);

  // Segments: every request's, all acceptable.
  const segmentTraces = new Set(sink.documents.map((d) => (d.document as { trace_id: string }).trace_id));
  assert.deepEqual(traceIds.filter((id) => !segmentTraces.has(id)), [], 'a segment for every request');
  assertAcceptable(sink.documents.map((d) => d.document));
  // The same segments as OTLP spans, delivered by the shutdown flush.
  const spanTraces = new Set(otlp.spans().filter((s) => s.kind === 2).map((s) => `1-${s.traceId.slice(0, 8)}-${s.traceId.slice(8)}`));
  assert.deepEqual(traceIds.filter((id) => !spanTraces.has(id)), [], 'a server span for every request');

  // Log lines: the handler's line and the access line of every request, and the shutdown line.
  const entries = logs.eventsFor('/cruddur/shutdown', 'child').map((e) => JSON.parse(e.message) as Record<string, unknown>);
  const done = entries.filter((e) => e.message === 'slow request done');
  assert.deepEqual(done.map((e) => e.i).sort((a, b) => Number(a) - Number(b)), Array.from({ length: SLOW }, (_, i) => i));
  assert.deepEqual(new Set(done.map((e) => e.trace_id)), new Set(traceIds.slice(0, SLOW)), 'each line carries its request trace id');
  const access = entries.filter((e) => e.log_type === 'access');
  assert.deepEqual(new Set(access.map((e) => e.trace_id)), new Set(traceIds));
  assert.equal(access.length, SLOW + FAILING, 'one access line per request, none twice');
  assert.ok(entries.some((e) => e.message === 'shutting down'));

  // Error reports: one per failing request, linked to its trace.
  const reported = rollbar.items.map((item) => (item.data as { custom?: { trace_id?: string } }).custom?.trace_id);
  assert.deepEqual(new Set(reported), new Set(traceIds.slice(SLOW)));
  assert.equal(rollbar.items.length, FAILING);
});
