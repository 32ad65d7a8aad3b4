// The OTLP exporter against a local OTLP/HTTP receiver that decodes with the official
// opentelemetry-proto definitions (@cruddur/fakes' OTLP sink): what arrives for real requests of a
// traced Express service, and what happens when the endpoint misbehaves.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import express from 'express';
import { startDaemonSink, startOtlpSink, type OtlpSpan as ReceivedSpan } from '@cruddur/fakes';
import { addAnnotation, addMetadata, capture, Diagnostics, OtlpConfigError, OtlpTraceExporter, setUser, Tracer, type DiagnosticEvent, type DiagnosticLogger } from '../src/internal.js';
import { xray, xrayErrorHandler } from '../src/express/index.js';
import { SAMPLE_EVERYTHING } from '../src/testing/index.js';
import { send } from './support/http-client.js';

interface Service {
  port: number;
  tracer: Tracer;
  exporter: OtlpTraceExporter;
  diagnostics: DiagnosticEvent[];
  close(): Promise<void>;
}

/** A traced Express service exporting to `endpoint` (batches of `batch`, no waiting unless asked). */
async function startService(endpoint: string, exporterOptions: ConstructorParameters<typeof OtlpTraceExporter>[0] = {}): Promise<Service> {
  const diagnostics: DiagnosticEvent[] = [];
  const logger = recordInto(diagnostics);
  const exporter = new OtlpTraceExporter({ endpoint, scheduleDelayMs: 20, ...exporterOptions }, { diagnostics: new Diagnostics(logger, 'debug'), env: {}, random: () => 0 });
  const tracer = new Tracer({ name: 'otlp-service', emitter: exporter, samplingRules: SAMPLE_EVERYTHING, centralizedSampling: false, logger, logLevel: 'debug' }, {});
  const app = express();
  app.use(xray({ tracer }));
  app.get('/api/users/:id', async (req, res) => {
    addAnnotation('feed', 'home');
    addAnnotation('count', 3);
    addAnnotation('ratio', 0.5);
    addAnnotation('fresh', true);
    addMetadata('query', { limit: 10, tags: ['a'] });
    addMetadata('cache', 'miss', 'store');
    setUser('andrewbrown');
    await capture('load-user', async () => {
      await new Promise((resolve) => setTimeout(resolve, 2));
    });
    res.json({ id: req.params.id });
  });
  app.get('/missing', (_req, res) => void res.status(404).json(['not_found']));
  app.get('/throttled', (_req, res) => void res.status(429).send('slow down'));
  app.get('/boom', () => {
    throw new TypeError('the database said no');
  });
  app.get('/n/:i', (req, res) => void res.json({ i: req.params.i }));
  app.use(xrayErrorHandler());
  app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(500).json(['internal']));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    port: (server.address() as AddressInfo).port,
    tracer,
    exporter,
    diagnostics,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await tracer.shutdown();
    },
  };
}

/** A diagnostics logger that keeps every event, for asserting on what was reported. */
function recordInto(events: DiagnosticEvent[]): DiagnosticLogger {
  return {
    debug: (message) => void events.push({ level: 'debug', message }),
    info: (message) => void events.push({ level: 'info', message }),
    warn: (message) => void events.push({ level: 'warn', message }),
    error: (message) => void events.push({ level: 'error', message }),
  };
}

function attr(span: ReceivedSpan, key: string): unknown {
  return span.attributes[key];
}

function byName(spans: readonly ReceivedSpan[], name: string): ReceivedSpan {
  const span = spans.find((s) => s.name === name);
  assert.ok(span, `a span named ${name} among ${spans.map((s) => s.name).join(', ')}`);
  return span;
}

test('a traced request arrives as a server span and an internal child, mapped field by field', async (t) => {
  const sink = await startOtlpSink();
  const service = await startService(sink.tracesUrl);
  t.after(async () => {
    await service.close();
    await sink.close();
  });

  const reply = await send(service.port, '/api/users/42?token=secret', { headers: { 'user-agent': 'test-agent', 'x-forwarded-for': '203.0.113.9' } });
  assert.equal(reply.status, 200);
  const spans = await sink.waitForSpans(2);
  const server = byName(spans, 'GET /api/users/:id');
  const child = byName(spans, 'load-user');

  // Ids: the X-Ray trace id without its dashes; the segment id is the span id.
  const [, epoch, random] = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/.exec(reply.traceId!)!;
  assert.equal(server.traceId, epoch! + random!);
  assert.equal(child.traceId, server.traceId);
  assert.equal(child.parentSpanId, server.spanId);
  assert.equal(server.parentSpanId, undefined);
  assert.equal(server.kind, 2, 'SERVER');
  assert.equal(child.kind, 1, 'INTERNAL');

  // Semantic-convention HTTP attributes; no query string anywhere.
  assert.equal(attr(server, 'http.request.method'), 'GET');
  assert.equal(attr(server, 'url.path'), '/api/users/42');
  assert.equal(attr(server, 'url.scheme'), 'http');
  assert.equal(attr(server, 'http.route'), '/api/users/:id');
  assert.equal(attr(server, 'http.response.status_code'), 200);
  assert.equal(server.attributeTypes['http.response.status_code'], 'int');
  assert.equal(attr(server, 'client.address'), '203.0.113.9');
  assert.equal(attr(server, 'user_agent.original'), 'test-agent');
  assert.ok(!JSON.stringify(spans).includes('secret'), 'the query string never leaves');

  // Annotations keep their types and are listed for indexing; metadata per namespace as JSON.
  assert.equal(attr(server, 'feed'), 'home');
  assert.equal(attr(server, 'count'), 3);
  assert.equal(server.attributeTypes.count, 'int');
  assert.equal(attr(server, 'ratio'), 0.5);
  assert.equal(server.attributeTypes.ratio, 'double');
  assert.equal(attr(server, 'fresh'), true);
  assert.deepEqual([...(attr(server, 'aws.xray.annotations') as string[])].sort(), ['count', 'feed', 'fresh', 'ratio', 'route']);
  assert.deepEqual(JSON.parse(attr(server, 'aws.xray.metadata.default') as string), { query: { limit: 10, tags: ['a'] } });
  assert.deepEqual(JSON.parse(attr(server, 'aws.xray.metadata.store') as string), { cache: 'miss' });
  assert.equal(attr(server, 'enduser.id'), 'andrewbrown');

  // Times: the span's nanoseconds are the segment's seconds, to the microsecond.
  const start = BigInt(server.startTimeUnixNano);
  const end = BigInt(server.endTimeUnixNano);
  assert.ok(end > start);
  assert.equal(start % 1000n, 0n, 'microsecond precision, no invented digits');
  assert.ok(BigInt(child.startTimeUnixNano) >= start && BigInt(child.endTimeUnixNano) <= end);

  // Resource: the service name is the segment name; the producer is named.
  assert.equal(server.resource['service.name'], 'otlp-service');
  assert.equal(server.resource['telemetry.sdk.language'], 'nodejs');
  assert.equal(server.resource['telemetry.sdk.name'], '@cruddur/middleware');
  assert.equal(server.scope.name, '@cruddur/middleware');

  // One request, protobuf, gzip.
  const request = sink.requests[0]!;
  assert.equal(request.contentType, 'application/x-protobuf');
  assert.equal(request.contentEncoding, 'gzip');
});

test('status and flags: 404 leaves a server span unset, 429 and 500 carry their codes, an exception becomes an event', async (t) => {
  const sink = await startOtlpSink();
  const service = await startService(sink.tracesUrl);
  t.after(async () => {
    await service.close();
    await sink.close();
  });
  assert.equal((await send(service.port, '/missing')).status, 404);
  assert.equal((await send(service.port, '/throttled')).status, 429);
  assert.equal((await send(service.port, '/boom')).status, 500);
  const spans = await sink.waitForSpans(3);
  const missing = spans.find((s) => attr(s, 'http.response.status_code') === 404)!;
  const throttled = spans.find((s) => attr(s, 'http.response.status_code') === 429)!;
  const boom = spans.find((s) => attr(s, 'http.response.status_code') === 500)!;
  assert.equal(missing.status?.code ?? 0, 0, 'a 4xx is the client’s problem: unset on the server span');
  assert.equal(throttled.status?.code ?? 0, 0);
  assert.equal(boom.status?.code, 2, 'ERROR');
  assert.equal(boom.status?.message, 'the database said no');
  const event = boom.events.find((e) => e.name === 'exception');
  assert.ok(event, 'an exception event');
  assert.equal(event.attributes['exception.type'], 'TypeError');
  assert.equal(event.attributes['exception.message'], 'the database said no');
  const stack = event.attributes['exception.stacktrace'] as string;
  assert.match(stack, /^TypeError: the database said no\n {4}at /);
  assert.match(stack, /otlp-exporter\.test\.ts:\d+/);
});

test('the X-Ray daemon and an OTLP endpoint fed at once: the same trace, the same ids', async (t) => {
  const sink = await startOtlpSink();
  const daemon = await startDaemonSink();
  const exporter = new OtlpTraceExporter({ endpoint: sink.tracesUrl, scheduleDelayMs: 10 }, { env: {} });
  const env = { AWS_XRAY_DAEMON_ADDRESS: daemon.address };
  const tracer = new Tracer({ emitter: [exporter], samplingRules: SAMPLE_EVERYTHING, centralizedSampling: false, logLevel: 'silent' }, env);
  // …and the same through the environment: OTEL_TRACES_EXPORTER=otlp,xray.
  const fromEnv = new Tracer(
    { samplingRules: SAMPLE_EVERYTHING, centralizedSampling: false, logLevel: 'silent' },
    { ...env, OTEL_TRACES_EXPORTER: 'otlp,xray', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_BSP_SCHEDULE_DELAY: '10' },
  );
  t.after(async () => {
    await tracer.shutdown();
    await fromEnv.shutdown();
    await sink.close();
    await daemon.close();
  });
  assert.equal(fromEnv.emitters.length, 2);
  const segment = fromEnv.beginSegment({ name: 'both-ways' });
  fromEnv.run(segment, () => capture('step', () => undefined));
  segment.close();
  const [documents, spans] = await Promise.all([daemon.waitForDocuments(1), sink.waitForSpans(2)]);
  const doc = documents[0]!.document as { trace_id: string; id: string; subsegments?: Array<{ id: string }> };
  assert.equal(doc.id, segment.id);
  const server = spans.find((s) => s.spanId === segment.id)!;
  assert.equal(server.traceId, doc.trace_id.slice(2, 10) + doc.trace_id.slice(11));
  assert.equal(spans.find((s) => s.name === 'step')?.spanId, doc.subsegments?.[0]?.id);
});

test('JSON without compression, as OTEL_EXPORTER_OTLP_PROTOCOL=http/json asks', async (t) => {
  const sink = await startOtlpSink();
  const exporter = new OtlpTraceExporter({ scheduleDelayMs: 10 }, { env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: sink.tracesUrl, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_COMPRESSION: 'none', OTEL_EXPORTER_OTLP_HEADERS: 'x-honeycomb-team=abc%20123,x-extra=1' } });
  const tracer = new Tracer({ emitter: exporter, samplingRules: SAMPLE_EVERYTHING, centralizedSampling: false, logLevel: 'silent' }, {});
  t.after(async () => {
    await tracer.shutdown();
    await sink.close();
  });
  const segment = tracer.beginSegment({ name: 'json-service' });
  segment.setHttpRequest({ method: 'POST', url: 'http://example.com:8080/things' });
  segment.setHttpResponse(201);
  segment.close();
  const [span] = await sink.waitForSpans(1);
  assert.equal(sink.requests[0]!.contentType, 'application/json');
  assert.equal(sink.requests[0]!.contentEncoding, undefined);
  assert.equal(sink.requests[0]!.headers['x-honeycomb-team'], 'abc 123');
  assert.equal(attr(span!, 'server.address'), 'example.com');
  assert.equal(attr(span!, 'server.port'), 8080);
  assert.equal(attr(span!, 'http.response.status_code'), 201);
  assert.equal(span!.resource['service.name'], 'json-service');
  // Span flags travel in JSON (the official protobuf definitions at hand predate field 16).
  assert.equal(span!.flags, 0x01, 'sampled, no parent');
});

test('503 and a dropped connection are retried; 429 waits for Retry-After; every span arrives exactly once', async (t) => {
  const sink = await startOtlpSink();
  const service = await startService(sink.tracesUrl, { maxExportBatchSize: 5 });
  t.after(async () => {
    await service.close();
    await sink.close();
  });
  sink.fail('status', { status: 503, count: 1 });
  sink.fail('reset', { count: 1 });
  sink.fail('status', { status: 429, retryAfter: '1', count: 1 });
  for (let i = 0; i < 5; i++) assert.equal((await send(service.port, `/n/${i}`)).status, 200);
  const spans = await sink.waitForSpans(5, 15_000);
  await service.exporter.flush();
  assert.equal(new Set(spans.map((s) => s.spanId)).size, 5, 'no span twice');
  assert.equal(sink.spans().length, 5);
  assert.equal(service.exporter.stats.exported, 5);
  assert.equal(service.exporter.stats.retries, 3);
  const times = sink.requests.map((r) => r.receivedAt);
  assert.ok(times[3]! - times[2]! >= 950, `the retry after 429 waited for Retry-After: 1 (waited ${times[3]! - times[2]!} ms)`);
  assert.equal(service.diagnostics.filter((d) => d.level === 'warn' && /not accepting spans/.test(d.message)).length, 1, 'reported once');
});

test('400 is not retried and reported with the endpoint’s message; partial success counts the rejected spans', async (t) => {
  const sink = await startOtlpSink();
  const service = await startService(sink.tracesUrl, { maxExportBatchSize: 2 });
  t.after(async () => {
    await service.close();
    await sink.close();
  });
  sink.fail('status', { status: 400, message: 'span name too long', count: 1 });
  sink.partialSuccess({ rejectedSpans: 1, errorMessage: 'timestamp out of range' }, 1);
  for (let i = 0; i < 4; i++) await send(service.port, `/n/${i}`);
  await service.exporter.flush();
  assert.equal(sink.attempts, 2, 'one request per batch: nothing retried');
  assert.equal(service.exporter.stats.rejected, 2 + 1);
  assert.equal(service.exporter.stats.exported, 1);
  const messages = service.diagnostics.map((d) => d.message);
  assert.ok(messages.some((m) => /HTTP 400: span name too long/.test(m)));
  assert.ok(messages.some((m) => /1 of 2 span\(s\) rejected \(timestamp out of range\)/.test(m)));
});

test('a refused API key (401) is reported once, clearly, and never retried', async (t) => {
  const sink = await startOtlpSink();
  const service = await startService(sink.tracesUrl, { maxExportBatchSize: 1 });
  t.after(async () => {
    await service.close();
    await sink.close();
  });
  sink.fail('status', { status: 401, message: 'unknown API key - check your credentials', count: 3 });
  for (let i = 0; i < 3; i++) await send(service.port, `/n/${i}`);
  await service.exporter.flush();
  assert.equal(sink.attempts, 3, 'one attempt per batch');
  assert.equal(service.exporter.stats.rejected, 3);
  const reports = service.diagnostics.filter((d) => /HTTP 401/.test(d.message));
  assert.equal(reports.length, 1);
  assert.equal(reports[0]!.level, 'error');
  assert.match(reports[0]!.message, /unknown API key.*x-honeycomb-team/s);
});

test('endpoint down, then back: requests are unaffected, the queue stays bounded, and what fits is delivered once after recovery', async (t) => {
  const sink = await startOtlpSink();
  const service = await startService(sink.tracesUrl, { maxQueueSize: 20, maxExportBatchSize: 10 });
  t.after(async () => {
    await service.close();
    await sink.close();
  });
  await sink.stop();
  for (let i = 0; i < 50; i++) assert.equal((await send(service.port, `/n/${i}`)).status, 200, 'the request never waits for the exporter');
  assert.ok(service.exporter.queued <= 20);
  assert.ok(service.exporter.stats.dropped >= 20, `dropped ${service.exporter.stats.dropped}`);
  const held = 50 - service.exporter.stats.dropped;
  await sink.start();
  const spans = await sink.waitForSpans(held, 20_000);
  await service.exporter.flush();
  assert.equal(spans.length, held);
  assert.equal(new Set(spans.map((s) => s.spanId)).size, held, 'exactly once');
  assert.equal(service.diagnostics.filter((d) => /queue is full/.test(d.message)).length, 1, 'drops reported once');
});

test('a subsegment still open when its segment ends is exported when it closes, or in progress at shutdown', async (t) => {
  const sink = await startOtlpSink();
  const exporter = new OtlpTraceExporter({ endpoint: sink.tracesUrl, scheduleDelayMs: 10 }, { env: {} });
  const tracer = new Tracer({ emitter: exporter, samplingRules: SAMPLE_EVERYTHING, centralizedSampling: false, logLevel: 'silent' }, {});
  t.after(() => sink.close());
  const segment = tracer.beginSegment({ name: 'fire-and-forget' });
  const late = tracer.beginSubsegment('late', { parent: segment })!;
  const never = tracer.beginSubsegment('never', { parent: segment })!;
  segment.close();
  await exporter.flush();
  late.close();
  await tracer.shutdown();
  const spans = sink.spans();
  assert.deepEqual(spans.map((s) => s.name).sort(), ['fire-and-forget', 'late', 'never']);
  assert.equal(attr(byName(spans, 'late'), 'aws.xray.inprogress'), undefined);
  const pending = byName(spans, 'never');
  assert.equal(attr(pending, 'aws.xray.inprogress'), true);
  assert.equal(pending.parentSpanId, segment.id);
  assert.ok(never.endTime === undefined, 'the entity itself is left open');
});

test('SigV4: requests are signed with the AWS SDK signer and verified by the endpoint; wrong credentials are refused once', async (t) => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  const sink = await startOtlpSink({ sigv4: { region: 'eu-west-1', service: 'xray', credentials } });
  t.after(() => sink.close());
  const good = new OtlpTraceExporter({ endpoint: sink.tracesUrl, sigv4: true, region: 'eu-west-1', credentials: async () => credentials, scheduleDelayMs: 10 }, { env: {} });
  await good.ready();
  const tracer = new Tracer({ emitter: good, samplingRules: SAMPLE_EVERYTHING, centralizedSampling: false, logLevel: 'silent' }, {});
  tracer.beginSegment({ name: 'signed' }).close();
  await tracer.shutdown();
  assert.equal(sink.requests.length, 1);
  assert.equal(sink.requests[0]!.signatureValid, true);
  assert.equal(sink.spans()[0]!.name, 'signed');

  const events: DiagnosticEvent[] = [];
  const badTracer = new Tracer(
    {
      emitter: new OtlpTraceExporter(
        { endpoint: sink.tracesUrl, sigv4: true, region: 'eu-west-1', credentials: async () => ({ ...credentials, secretAccessKey: 'wrong' }), scheduleDelayMs: 10 },
        { env: {}, diagnostics: new Diagnostics(recordInto(events), 'debug') },
      ),
      samplingRules: SAMPLE_EVERYTHING,
      centralizedSampling: false,
      logLevel: 'silent',
    },
    {},
  );
  badTracer.beginSegment({ name: 'forged' }).close();
  badTracer.beginSegment({ name: 'forged-again' }).close();
  await badTracer.shutdown();
  assert.equal(sink.requests.at(-1)!.signatureValid, false);
  assert.equal(events.filter((e) => /HTTP 403/.test(e.message)).length, 1);
});

test('start-up errors name the option and the value; unusable OTEL_* values are warned about and the default applies', () => {
  assert.throws(() => new OtlpTraceExporter({ endpoint: 'https://xray.amazonaws.com.example/v1/traces', sigv4: true }, { env: {} }), (err: Error) => err instanceof OtlpConfigError && /no region was found.*AWS_REGION/.test(err.message));
  assert.throws(() => new OtlpTraceExporter({ endpoint: 'localhost:4318' }, { env: {} }), (err: Error) => err instanceof OtlpConfigError && /endpoint is "localhost:4318"; expected an http:\/\/ or https:\/\/ URL/.test(err.message));
  assert.throws(() => new OtlpTraceExporter({ maxQueueSize: -3 }, { env: {} }), /maxQueueSize is -3; expected a whole number of spans ≥ 1/);
  const warned = (env: Record<string, string>): { endpoint: string; warnings: string[] } => {
    const warnings: string[] = [];
    const diagnostics = new Diagnostics({ debug: () => {}, info: () => {}, warn: (m) => void warnings.push(m), error: () => {} }, 'warn');
    const exporter = new OtlpTraceExporter({}, { env, diagnostics });
    void exporter.close();
    return { endpoint: exporter.endpoint, warnings };
  };
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, /OTEL_EXPORTER_OTLP_PROTOCOL is "grpc"; expected http\/protobuf or http\/json; using the default/],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' }, /OTEL_EXPORTER_OTLP_ENDPOINT is "localhost:4318"; expected an http:\/\/ or https:\/\/ URL.*; using the default/],
    [{ OTEL_EXPORTER_OTLP_HEADERS: 'x-honeycomb-team' }, /OTEL_EXPORTER_OTLP_HEADERS has the entry "x-honeycomb-team", not key=value; it is skipped/],
    [{ OTEL_BSP_MAX_QUEUE_SIZE: '-3' }, /OTEL_BSP_MAX_QUEUE_SIZE is "-3"; expected a whole number of spans ≥ 1; using the default/],
  ];
  for (const [env, message] of cases) {
    const { endpoint, warnings } = warned(env);
    assert.equal(warnings.length, 1, JSON.stringify(env));
    assert.match(warnings[0]!, message);
    assert.equal(endpoint, 'http://localhost:4318/v1/traces');
  }
  // A traces variable that cannot be used gives way to the general one.
  assert.equal(warned({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://x', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).endpoint, 'http://collector:4318/v1/traces');
  // The X-Ray endpoint's region comes from its host name; SigV4 is on by itself.
  const aws = new OtlpTraceExporter({ endpoint: 'https://xray.ap-southeast-2.amazonaws.com/v1/traces', credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }) }, { env: {} });
  assert.equal(aws.endpoint, 'https://xray.ap-southeast-2.amazonaws.com/v1/traces');
  void aws.close();
  // OTEL_EXPORTER_OTLP_ENDPOINT is a base: the signal path is appended.
  assert.equal(new OtlpTraceExporter({}, { env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://api.honeycomb.io' } }).endpoint, 'https://api.honeycomb.io/v1/traces');
  assert.equal(new OtlpTraceExporter({}, { env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/base/' } }).endpoint, 'http://collector:4318/base/v1/traces');
});
