// One process, one trace context, whichever builds of the package it loads. A child process
// requires the Express integration from the CJS build and imports capture() from the ESM build;
// the request's segment must hold the subsegment that capture() opened, and the outgoing call
// made inside it — instrumented by both builds — must be recorded and sent its header once.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import type { SegmentDocument } from '../src/index.js';
import { flattenSubsegments } from '../src/testing/index.js';
import { DaemonSink } from './support/daemon-sink.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/dual-package/', import.meta.url));
const TRACE_ID = '1-5759e988-bd862e3fe1be46a994272793';

interface Report {
  builds: { cjs: string; esm: string };
  distinctClasses: boolean;
  sameDefaultTracer: boolean;
  cjsTracerIsEsmTracer: boolean;
  esmTracerIsCjsTracer: boolean;
  status: number;
  body: { segmentSeen: boolean; segmentIsSegment: boolean; traceId: string; text: string; subsegmentSeen: boolean; innerIsSubsegment: boolean };
  downstreamHeaders: string[];
}

function runChild(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['main.cjs'], { cwd: FIXTURE, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The environment without the developer's own tracing settings, so the child reads only ours. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(AWS_XRAY_|CRUDDUR_|NODE_OPTIONS$)/.test(key)) env[key] = value;
  }
  return env;
}

test('CJS Express middleware and ESM capture() share one context, one default tracer, one HTTP instrumentation and one record of announced log groups', { timeout: 240_000 }, async (t) => {
  // The child loads the built package (dist/), exactly as a user's process would.
  await promisify(execFile)('npm', ['run', 'build', '-w', '@cruddur/middleware'], { cwd: REPO });
  const sink = await DaemonSink.start();
  t.after(() => sink.close());

  const { code, stdout, stderr } = await runChild({
    ...cleanEnv(),
    AWS_XRAY_DAEMON_ADDRESS: sink.address,
    AWS_XRAY_CONTEXT_MISSING: 'RUNTIME_ERROR', // a lost context throws instead of logging
    CRUDDUR_XRAY_CENTRALIZED_SAMPLING: 'false',
    TEST_TRACE_HEADER: `Root=${TRACE_ID};Sampled=1`,
    // The AWS SDK (loaded by the loggers' CloudWatch transport) warns about Node.js 20 itself; the
    // child's stderr must otherwise stay empty.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  assert.equal(code, 0, stderr);
  assert.equal(stderr, '', 'no diagnostics: no missing context, no failed instrumentation');
  const report = JSON.parse(stdout) as Report;

  assert.match(report.builds.cjs, /dist\/cjs\/index\.js$/);
  assert.match(report.builds.esm, /dist\/esm\/index\.js$/);
  assert.equal(report.distinctClasses, true, 'both builds are really loaded');
  assert.equal(report.sameDefaultTracer, true);
  assert.equal(report.cjsTracerIsEsmTracer, true, 'instanceof Tracer holds across builds');
  assert.equal(report.esmTracerIsCjsTracer, true);
  assert.equal(report.status, 200, JSON.stringify(report.body));
  assert.deepEqual(report.body, { segmentSeen: true, segmentIsSegment: true, traceId: TRACE_ID, text: 'ok', subsegmentSeen: true, innerIsSubsegment: true });

  const segment = await sink.segmentOf(TRACE_ID);
  assert.deepEqual(sink.problems, []);
  assert.equal(segment.name, 'dual');
  const [work, ...others] = segment.subsegments ?? [];
  assert.equal(work?.name, 'esm-work', 'the ESM capture() landed in the segment the CJS middleware began');
  assert.deepEqual(others, []);
  const calls = flattenSubsegments(work!);
  assert.equal(calls.length, 1, 'the downstream call is recorded once although both builds installed the instrumentation');
  assert.equal(calls[0]!.namespace, 'remote');
  assert.deepEqual(report.downstreamHeaders, [`Root=${TRACE_ID};Parent=${calls[0]!.id};Sampled=1`]);
  assert.equal(sink.forTrace(TRACE_ID).length, 1, 'one document for the trace');
  assert.equal((segment as SegmentDocument).service?.runtime, 'node');
  assert.deepEqual(segment.aws?.cloudwatch_logs, [{ log_group: '/dual/cjs' }, { log_group: '/dual/esm' }], 'the log groups of both builds\' loggers');
});
