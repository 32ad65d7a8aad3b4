// Steps 1 and 2: the Express and Fastify programs trace every request, print segments with the
// console emitter, and show up in the local trace view.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { startDaemonSink, type DaemonSink } from '@cruddur/fakes';
import type { SegmentDocument } from '@cruddur/middleware';
import {
  delay,
  postJson,
  request,
  SAMPLE_EVERYTHING,
  segments,
  startSnippet,
  stopAllSnippets,
  waitForSegment,
  type RunningSnippet,
} from './support.js';
import { userProject } from './user-project.js';

const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;

interface TraceSummary {
  id: string;
  entry: string;
  url?: string;
  status?: number;
  finished: boolean;
}

// The services of step 1 send to the trace view of step 2, which relays every datagram to the
// daemon stand-in (`--forward`): one run serves both steps.
let sink: DaemonSink;
let viewer: ChildProcessByStdio<null, Readable, Readable>;
let viewerOut = '';
let webUrl: string;
let backend: RunningSnippet;
let worker: RunningSnippet;

before(async () => {
  sink = await startDaemonSink();
  // `npx cruddur-traces`: the binary `npm install -D @cruddur/trace-viewer` put in the reader's project.
  const project = await userProject();
  viewer = spawn(path.join(project, 'node_modules', '.bin', 'cruddur-traces'), ['--udp-port', '0', '--http-port', '0', '--otlp-port', '0', '--finish-after', '200', '--no-color', '--forward', sink.address], {
    cwd: project,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let banner = '';
  viewer.stdout.setEncoding('utf8').on('data', (c: string) => (viewerOut += c));
  viewer.stderr.setEncoding('utf8').on('data', (c: string) => (banner += c));
  for (let i = 0; i < 600 && !banner.includes('Press Ctrl-C'); i++) await delay(50);
  const udp = /udp:\/\/(\S+)/.exec(banner)?.[1];
  webUrl = /web view\s+(\S+)/.exec(banner)?.[1] ?? '';
  assert.ok(udp && webUrl, `no banner from the trace view:\n${banner}`);
  const env = { AWS_XRAY_DAEMON_ADDRESS: udp, CRUDDUR_XRAY_SAMPLING_RULES: SAMPLE_EVERYTHING };
  // The Express program runs exactly as the pages say (tsx); the others are compiled once.
  [backend, worker] = await Promise.all([startSnippet('step1-express.ts', env, 'tsx'), startSnippet('step1-fastify.ts', env)]);
});

after(async () => {
  await stopAllSnippets();
  if (viewer && viewer.exitCode === null) {
    viewer.kill('SIGTERM');
    await once(viewer, 'exit');
  }
  await sink?.close();
});

describe('step 1: install the middleware', () => {
  test('Express: each request is a segment named cruddur-backend, and the response carries its trace id', async () => {
    const res = await request(`${backend.url}/api/activities/home`);
    assert.equal(res.status, 200);
    assert.match(res.traceId ?? '', TRACE_ID);
    const segment = await waitForSegment(sink, (d) => d.trace_id === res.traceId);
    assert.equal(segment.name, 'cruddur-backend');
    assert.equal(segment.http?.request?.method, 'GET');
    assert.equal(segment.http?.request?.url, `${backend.url}/api/activities/home`);
    assert.equal(segment.http?.response?.status, 200);
    assert.equal(segment.annotations?.route, '/api/activities/home');
    assert.equal(segment.error ?? segment.fault ?? segment.throttle, undefined);
  });

  test('Fastify: each request is a segment named cruddur-worker; /health opted out (no segment, no header)', async () => {
    const health = await request(`${worker.url}/health`);
    assert.equal(health.status, 200);
    assert.equal(health.headers.get('x-amzn-trace-id'), null);
    const res = await postJson(`${worker.url}/internal/moderate`, { message: 'Cloud is fun!' });
    assert.deepEqual(JSON.parse(res.text), { allowed: true, reasons: [] });
    const segment = await waitForSegment(sink, (d) => d.trace_id === res.traceId);
    assert.equal(segment.name, 'cruddur-worker');
    assert.equal(segment.http?.request?.method, 'POST');
    assert.equal(segment.annotations?.route, '/internal/moderate');
    assert.deepEqual(
      segments(sink).filter((d) => d.http?.request?.url?.endsWith('/health')),
      [],
    );
  });
});

describe('step 1: no daemon yet', () => {
  test('a request still answers; the service warns once on stderr that the daemon is not there', async () => {
    const held = createSocket('udp4');
    await new Promise<void>((resolve) => held.bind(0, '127.0.0.1', resolve));
    const nobody = `127.0.0.1:${held.address().port}`;
    await new Promise<void>((resolve) => held.close(() => resolve()));
    const app = await startSnippet('step1-express.ts', { AWS_XRAY_DAEMON_ADDRESS: nobody, CRUDDUR_XRAY_SAMPLING_RULES: SAMPLE_EVERYTHING });
    const warning = `[@cruddur/middleware] could not send a segment to the X-Ray daemon at ${nobody} (ECONNREFUSED`;
    for (let i = 0; i < 100 && !app.stderr().includes(warning); i++) {
      assert.equal((await request(`${app.url}/api/activities/home`)).status, 200);
      await delay(50);
    }
    await app.stop();
    assert.ok(app.stderr().includes(warning), `no warning on stderr:\n${app.stderr()}`);
    assert.equal(app.stderr().split(warning).length - 1, 1, 'warned once');
  });
});

describe('step 2: see your first segment', () => {
  test('CRUDDUR_XRAY_EMITTER=console prints each segment, with the fields the page describes', async () => {
    const app = await startSnippet('step1-express.ts', { CRUDDUR_XRAY_EMITTER: 'console', CRUDDUR_XRAY_SAMPLING_RULES: SAMPLE_EVERYTHING });
    const res = await request(`${app.url}/api/activities/home`, { headers: { 'user-agent': 'curl/8.5.0' } });
    let line: string | undefined;
    for (let i = 0; i < 100 && !line; i++) {
      line = app.stdout().split('\n').find((l) => l.startsWith('[xray] ') && l.includes(res.traceId ?? '-'));
      if (!line) await delay(50);
    }
    await app.stop();
    assert.ok(line, `no [xray] line for ${res.traceId} in:\n${app.stdout()}`);
    const doc = JSON.parse(line.slice('[xray] '.length)) as SegmentDocument;
    assert.equal(doc.trace_id, res.traceId);
    assert.match(doc.id, /^[0-9a-f]{16}$/);
    assert.equal(doc.name, 'cruddur-backend');
    assert.ok(doc.end_time !== undefined && doc.end_time >= doc.start_time);
    assert.equal(doc.http?.request?.user_agent, 'curl/8.5.0');
    assert.ok(doc.http?.request?.client_ip);
    assert.equal(doc.http?.response?.status, 200);
    assert.equal(doc.http?.response?.content_length, Buffer.byteLength(res.text));
    assert.equal(doc.annotations?.route, '/api/activities/home');
    assert.equal((doc.aws?.xray as { sdk?: string } | undefined)?.sdk, '@cruddur/middleware for Node.js');
  });

  test('the local trace view lists the trace and prints it as a tree', async () => {
    const res = await request(`${backend.url}/api/activities/home`);
    let listed: TraceSummary[] = [];
    for (let i = 0; i < 100 && !listed.some((t) => t.id === res.traceId && t.finished); i++) {
      await delay(100);
      listed = (await (await fetch(`${webUrl}api/traces`)).json()) as TraceSummary[];
    }
    const trace = listed.find((t) => t.id === res.traceId);
    assert.ok(trace?.finished, `the trace view did not finish ${res.traceId}: ${JSON.stringify(listed)}`);
    assert.equal(trace.entry, 'cruddur-backend');
    assert.equal(trace.status, 200);
    assert.equal(trace.url, `${backend.url}/api/activities/home`);
    for (let i = 0; i < 50 && !viewerOut.includes(`trace ${res.traceId}`); i++) await delay(50);
    assert.match(viewerOut, new RegExp(`trace ${res.traceId} {2}GET ${backend.url}/api/activities/home {2}200 .* 1 service`));
    assert.match(viewerOut, /^cruddur-backend {2}GET \S+ → 200 .* \{route=\/api\/activities\/home\}$/m);
  });
});
