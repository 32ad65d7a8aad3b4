// Secrets planted everywhere a request can carry them — headers, query strings, JSON bodies that
// the application logs, error messages with connection strings, an outgoing call's URL and
// headers, metadata — through a fully instrumented Express service (tracing over UDP, the logger
// on the console and CloudWatch Logs, Rollbar). Then every byte that left: each UDP datagram, each
// CloudWatch Logs request, each Rollbar request and everything printed, is searched for them.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { startCloudWatchLogsServer, startDaemonSink, startRollbarServer } from '@cruddur/fakes';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createTracer } from '../src/index.js';
import { xray, xrayErrorHandler } from '../src/express/index.js';
import { instrumentHttp } from '../src/http/index.js';
import { createLogger } from '../src/logger/index.js';
import { createErrorReporter, rollbarErrorHandler } from '../src/rollbar/index.js';
import { SAMPLE_EVERYTHING } from '../src/testing/index.js';
import { startRecordingServer } from './support/recording-server.js';
import { assertAcceptable, captureConsole, listen, request, waitUntil } from './support/reliability-kit.js';

/** A fresh secret per name: random, so a hit can only be a leak. */
function plant<N extends string>(names: readonly N[]): Record<N, string> {
  return Object.fromEntries(names.map((name) => [name, `${name}${randomBytes(10).toString('hex')}`])) as Record<N, string>;
}

test('planted secrets appear in no datagram, CloudWatch Logs request, Rollbar request or console line', async (t) => {
  const secret = plant([
    'bearer', 'basicPassword', 'cookieSession', 'cookieCsrf', 'apiKeyHeader', 'amzToken', 'authToken',
    'queryAccessToken', 'queryPassword', 'queryApiKey', 'queryClientSecret', 'querySession',
    'bodyPassword', 'bodyApiKey', 'bodyRefreshToken', 'metadataPassword', 'textBearer',
    'dsnPostgres', 'dsnRedis', 'errorPassword', 'errorToken', 'outgoingToken', 'outgoingAuth',
    'messageApiKey', 'urlCredentials', 'refererToken',
  ] as const);
  const awsKeyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
  const basic = Buffer.from(`admin:${secret.basicPassword}`).toString('base64');

  const sink = await startDaemonSink();
  const logs = await startCloudWatchLogsServer();
  const rollbar = await startRollbarServer();
  const downstream = await startRecordingServer();
  t.after(async () => {
    await sink.close();
    await logs.close();
    await rollbar.close();
    await downstream.close();
  });

  const printed = captureConsole();
  t.after(() => printed.restore());
  // Diagnostics at debug on the console: whatever the tracer says about its own trouble is scanned too.
  const tracer = createTracer({ name: 'secrets', daemonAddress: sink.address, samplingRules: SAMPLE_EVERYTHING, centralizedSampling: false, logLevel: 'debug' });
  t.after(() => tracer.shutdown());
  const http = instrumentHttp({ tracer });
  t.after(() => http.uninstall());
  const logger = createLogger(
    {
      service: 'secrets',
      tracer,
      console: 'json',
      cloudwatch: { logGroup: '/cruddur/secrets', logStream: 'scan', endpoint: logs.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' }, flushIntervalMs: 50 },
      diagnosticLevel: 'debug',
    },
    {},
  );
  t.after(() => logger.shutdown(1_000));
  const reporter = createErrorReporter({ accessToken: 'scan-token', endpoint: rollbar.itemUrl, environment: 'test', captureUncaught: false, captureUnhandledRejections: false, diagnosticLevel: 'debug' }, {});
  t.after(() => reporter.close(1_000));

  const app = express();
  app.use(xray({ tracer }));
  app.use(express.json());
  app.post('/api/login', async (req, res, next) => {
    try {
      // What applications do: log the request, record what they are doing, call out.
      logger.info('login attempt', { body: req.body as unknown, headers: req.headers, query: req.query });
      logger.warn(`retrying with Authorization: Bearer ${secret.textBearer}`);
      const body = req.body as { user: string; password: string };
      tracer.addMetadata('login', { user: body.user, password: body.password });
      tracer.addMetadata('config', { database: { host: 'db', password: secret.metadataPassword } });
      tracer.addAnnotation('user', body.user);
      await fetch(`${downstream.origin}/callback?token=${secret.outgoingToken}&page=1`, { headers: { authorization: `Bearer ${secret.outgoingAuth}` } });
      await fetch(`http://admin:${secret.urlCredentials}@127.0.0.1:${downstream.port}/with-credentials`).catch((err: unknown) => {
        logger.warn('call refused', { error: err });
      });
      throw new Error(
        `cannot connect to postgres://cruddur:${secret.dsnPostgres}@db:5432/app or redis://:${secret.dsnRedis}@cache:6379 ` +
          `(password=${secret.errorPassword} token: ${secret.errorToken} key ${awsKeyId})`,
      );
    } catch (err) {
      next(err);
    }
  });
  app.get('/api/profile', (_req, res) => {
    reporter.reportMessage(`profile viewed with api_key=${secret.messageApiKey}`, 'warning');
    res.json({ ok: true });
  });
  app.use(xrayErrorHandler());
  app.use(rollbarErrorHandler({ reporter }));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    logger.error('request failed', { method: req.method, path: req.originalUrl, error: err });
    res.status(500).json({ error: 'internal_error' });
  });
  const server = await listen(app);
  t.after(() => server.close());

  const headers = {
    authorization: `Bearer ${secret.bearer}`,
    'proxy-authorization': `Basic ${basic}`,
    cookie: `session=${secret.cookieSession}; csrftoken=${secret.cookieCsrf}`,
    'x-api-key': secret.apiKeyHeader,
    'x-amz-security-token': secret.amzToken,
    'x-auth-token': secret.authToken,
    referer: `https://app.example/callback?access_token=${secret.refererToken}`,
    'user-agent': 'scanner/1.0',
  };
  const query = `access_token=${secret.queryAccessToken}&password=${secret.queryPassword}&api_key=${secret.queryApiKey}&client_secret=${secret.queryClientSecret}&session_id=${secret.querySession}&page=2`;
  const login = await request(server.port, `/api/login?${query}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'andrew', password: secret.bodyPassword, credentials: { apiKey: secret.bodyApiKey }, nested: { refresh_token: secret.bodyRefreshToken } }),
  });
  const profile = await request(server.port, `/api/profile?${query}`, { headers });
  assert.equal(login.status, 500);
  assert.equal(profile.status, 200);

  // Everything delivered: both segments (and the outgoing calls), the log lines, both reports.
  assert.equal(await reporter.flush(5_000), true);
  assert.equal((await logger.flush(5_000)).complete, true);
  await tracer.flush();
  await waitUntil(() => [login.traceId, profile.traceId].every((id) => sink.documents.some((d) => (d.document as { trace_id: string }).trace_id === id)), 'both segments');
  assert.equal(rollbar.items.length, 2, 'the error and the message were reported');
  assertAcceptable(sink.documents.map((d) => d.document));

  const outputs: Record<string, string> = {
    'UDP datagrams': sink.datagrams.map((d) => d.raw.toString('utf8')).join('\n'),
    'CloudWatch Logs requests': logs.requests.map((r) => JSON.stringify(r.body)).join('\n'),
    'Rollbar requests': rollbar.requests.map((r) => r.raw).join('\n'),
    console: printed.text(),
  };
  // The scan is only worth something if each output carries the requests' content.
  assert.match(outputs['UDP datagrams']!, /callback/, 'the outgoing call was traced');
  assert.match(outputs['CloudWatch Logs requests']!, /login attempt/);
  assert.match(outputs['Rollbar requests']!, /cannot connect to postgres/);
  assert.match(outputs.console!, /login attempt/);
  for (const output of Object.values(outputs)) assert.match(output, /\[REDACTED\]/);

  const leaks: string[] = [];
  const planted: Record<string, string> = { ...secret, basicCredentials: basic, awsKeyId };
  for (const [where, text] of Object.entries(outputs)) {
    for (const [name, value] of Object.entries(planted)) if (text.includes(value)) leaks.push(`${name} in ${where}`);
  }
  assert.deepEqual(leaks, [], 'no planted secret left the process');
});
