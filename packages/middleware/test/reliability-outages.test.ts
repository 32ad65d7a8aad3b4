// Every backend of the observability stack failing at the same time under a fully instrumented
// Express service: the X-Ray daemon is not there, CloudWatch Logs refuses connections and Rollbar
// accepts connections but never answers. The service must answer every request as usual, hold a
// bounded amount of memory, give each hung report up after its timeout (counted, not retried),
// and deliver again, without a restart, once they are back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startCloudWatchLogsServer, startDaemonSink, startRollbarServer } from '@cruddur/fakes';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createTracer } from '../src/index.js';
import { xray, xrayErrorHandler } from '../src/express/index.js';
import { createLogger } from '../src/logger/index.js';
import { createErrorReporter, rollbarErrorHandler } from '../src/rollbar/index.js';
import { SAMPLE_EVERYTHING } from '../src/testing/index.js';
import { assertAcceptable, inParallel, listen, request, waitUntil, watchDiagnostics } from './support/reliability-kit.js';

const BUFFER_CAP = 150;

test('daemon gone, CloudWatch Logs refusing and Rollbar hanging at once: requests are answered without waiting, memory is bounded, hung reports are given up and counted, and delivery resumes when they return', async (t) => {
  const diagnostics = watchDiagnostics();
  t.after(() => diagnostics.stop());
  const probe = await startDaemonSink();
  const daemonPort = probe.port;
  await probe.close();
  const logs = await startCloudWatchLogsServer();
  const rollbar = await startRollbarServer();
  t.after(async () => {
    await logs.close();
    await rollbar.close();
  });
  await logs.goDown();
  rollbar.failNext('hang', 1_000);

  const tracer = createTracer({ daemonAddress: `127.0.0.1:${daemonPort}`, samplingRules: SAMPLE_EVERYTHING, centralizedSampling: false, logLevel: 'silent' });
  t.after(() => tracer.shutdown());
  const logger = createLogger(
    {
      service: 'outages',
      tracer,
      console: 'off',
      diagnosticLevel: 'silent',
      cloudwatch: {
        logGroup: '/cruddur/outages',
        logStream: 'all-down',
        endpoint: logs.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
        flushIntervalMs: 50,
        retryBaseMs: 20,
        maxRetryDelayMs: 100,
        maxBufferedEvents: BUFFER_CAP,
      },
    },
    {},
  );
  t.after(() => logger.shutdown(1_000));
  const reporter = createErrorReporter(
    { accessToken: 'outage-token', endpoint: rollbar.itemUrl, environment: 'test', captureUncaught: false, captureUnhandledRejections: false, maxPending: 5, requestTimeoutMs: 2_000, diagnosticLevel: 'silent' },
    {},
  );
  t.after(() => reporter.close(500));

  const app = express();
  app.use(xray({ tracer, name: 'outages' }));
  app.get('/ok/:i', (req, res) => {
    logger.info('handled', { i: Number(req.params.i) });
    res.json({ ok: true });
  });
  app.get('/boom/:i', (req) => {
    throw new Error(`boom ${req.params.i}`);
  });
  app.use(xrayErrorHandler());
  app.use(rollbarErrorHandler({ reporter }));
  app.use((_err: unknown, _req: Request, res: Response, _next: NextFunction) => void res.status(500).json({ error: 'internal_error' }));
  const server = await listen(app);
  t.after(() => server.close());

  // Everything is down: 300 requests, one in ten failing.
  const timed = await inParallel(300, 10, async (i) => {
    const answer = await request(server.port, i % 10 === 0 ? `/boom/${i}` : `/ok/${i}`);
    return { status: answer.status, boom: i % 10 === 0 };
  });
  for (const r of timed) assert.equal(r.status, r.boom ? 500 : 200);
  // Causal, not timed: every answer came back while reports were still hanging on Rollbar, so no
  // request waited for its report (a request that did would have waited out the 2 s timeout).
  assert.ok(reporter.stats().pending > 0, 'the requests were answered while their reports still hung');

  const cw = logger.cloudwatch!.stats();
  assert.ok(cw.peakBuffered <= BUFFER_CAP, `${cw.peakBuffered} entries buffered`);
  assert.ok(cw.dropped > 0, 'entries beyond the cap are dropped and counted');
  // Rollbar: at most five reports hang at a time (the cap), each given up after 2 s, which
  // frees its place; whatever comes while five hang is dropped at once. All 30 are accounted for.
  await waitUntil(() => reporter.stats().pending === 0, 'the hung reports to be given up', 6_000);
  const reports = reporter.stats();
  assert.equal(reports.failed + reports.dropped, 30, JSON.stringify(reports));
  assert.ok(reports.failed >= 5, JSON.stringify(reports));
  assert.equal(reports.delivered, 0);
  assert.ok(diagnostics.matching(/no answer from Rollbar within 2000 ms/).length >= 1, 'the timeout is reported');
  assert.equal(rollbar.items.length, 0);

  // Everything returns: the same process delivers again.
  const sink = await startDaemonSink({ port: daemonPort });
  t.after(() => sink.close());
  await logs.comeBack();
  rollbar.clearFaults();
  // What the full buffer held goes out first (entries arriving while it is full are dropped, by design).
  await waitUntil(() => logger.cloudwatch!.stats().buffered === 0, 'the buffered entries to be delivered', 5_000);
  const back = await inParallel(20, 5, (i) => request(server.port, i % 10 === 0 ? `/boom/back-${i}` : `/ok/${1_000 + i}`));
  for (const [i, answer] of back.entries()) assert.equal(answer.status, i % 10 === 0 ? 500 : 200);
  assert.equal(await reporter.flush(5_000), true);
  assert.equal(rollbar.items.length, 2, 'new reports are delivered');
  await tracer.flush();
  const ids = back.map((a) => a.traceId!);
  await waitUntil(() => ids.every((id) => sink.documents.some((d) => (d.document as { trace_id: string }).trace_id === id)), 'the segments after recovery');
  assertAcceptable(sink.documents.map((d) => d.document));
  await waitUntil(() => logs.eventsFor('/cruddur/outages', 'all-down').some((e) => e.message.includes('"i":1017')), 'the log lines after recovery', 5_000);
  // Each entry is unique (its own timestamp, trace and segment ids): none arrived twice.
  const delivered = logs.eventsFor('/cruddur/outages', 'all-down').map((e) => e.message);
  assert.equal(new Set(delivered).size, delivered.length, 'no entry delivered twice');
});
