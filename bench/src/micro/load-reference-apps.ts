// Load run of the two reference services (bench, not test): the built Cruddur backend and worker
// as child processes, instrumented exactly as deployed (apps/telemetry), against dynalite, a
// counting UDP sink in its own process and a CloudWatch Logs fake, all on 127.0.0.1. It finds
// the highest request rate the machine sustains, holds 90 % of it for 60 s with autocannon, then
// stops both services with SIGTERM and checks: zero failed requests, a segment for every sampled
// request (the worker's too, for requests that crossed to it), an access log line for every
// request and none twice, and RSS over the run.
//
//   npx turbo run build --filter=@cruddur/backend... --filter=@cruddur/worker...
//   npm run bench:load -w @cruddur/bench -- [--seconds 60] [--mix api|health]
//
// `--mix api` (default): seven reads for one write (moderated by the worker) through DynamoDB;
// `--mix health`: the health check alone, which drives tracing and logging at the highest rate.
//
// The whole run is bounded: everything is killed after 5 minutes.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { freePort } from '@cruddur/fakes';
import autocannon, { type LoadRequest, type LoadResult } from 'autocannon';
import type { InfraReport } from './load-infra.js';
import type { SinkReport } from './load-udp-sink.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));
const SECONDS = Number(argument('--seconds') ?? 60);
// `api`: reads and writes through DynamoDB and the worker (dynalite bounds the rate); `health`:
// the health check alone, which drives the tracing and logging pipeline at the highest rate.
const MIX = argument('--mix') ?? 'api';
const SAMPLING_RATE = 0.1;
const TABLE = 'cruddur-messages';
const USERS = ['andrewbrown', 'bayko', 'worf', 'garek'];

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const children: ChildProcess[] = [];
const deadline = setTimeout(() => {
  console.error('load run: over 5 minutes, giving up');
  for (const child of children) child.kill('SIGKILL');
  process.exit(2);
}, 5 * 60_000);
deadline.unref();

/** Forks a TypeScript helper with IPC; resolves with its `ready` message. */
async function helper<T>(file: string): Promise<{ child: ChildProcess; ready: T; ask: <R>(message: string) => Promise<R> }> {
  const child = fork(join(HERE, file), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  const ready = await new Promise<T>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { ready: T }).ready));
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
  const ask = <R>(message: string): Promise<R> =>
    new Promise((resolve) => {
      child.once('message', (m) => resolve((m as { report: R }).report));
      child.send(message);
    });
  return { child, ready, ask };
}

function startService(name: string, script: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [join(ROOT, script)], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal === null) console.error(`${name} exited with ${code}: ${stderr.slice(-2_000)}`);
  });
  return child;
}

async function waitHealthy(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await delay(100);
  }
  throw new Error(`${url} never answered`);
}

/** Resident set size of a process, in MiB. */
function rssMiB(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

interface Tally {
  /** Trace id of every response, all phases. */
  responses: string[];
  /** Trace ids of sampled responses: all of them, and those of writes (which cross to the worker). */
  sampled: { all: string[]; write: string[] };
  statuses: Map<number, number>;
}

function requestMix(tally: Tally): LoadRequest[] {
  const seen = (kind: 'read' | 'write') => (status: number, _body: string, _context: unknown, headers: Record<string, string | string[]>) => {
    tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
    const name = Object.keys(headers).find((key) => key.toLowerCase() === 'x-amzn-trace-id');
    const header = name === undefined ? undefined : headers[name];
    const value = Array.isArray(header) ? header[0] : header;
    const match = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24});Sampled=([01])$/.exec(value ?? '');
    if (!match) return;
    tally.responses.push(match[1]!);
    if (match[2] !== '1') return;
    tally.sampled.all.push(match[1]!);
    if (kind === 'write') tally.sampled.write.push(match[1]!);
  };
  // `Sampled=?` asks each service to say in the response whether it sampled the request.
  const ask = { 'x-amzn-trace-id': 'Sampled=?' };
  // Seven reads for one write, the writes spread over the seeded users: a write is moderated by the
  // worker (the trace crosses both services) and adds rows that later reads and counts go through.
  return USERS.flatMap((user): LoadRequest[] => {
    const home: LoadRequest = { method: 'GET', path: '/api/activities/home', headers: ask, onResponse: seen('read') };
    const own: LoadRequest = { method: 'GET', path: `/api/activities/@${user}`, headers: ask, onResponse: seen('read') };
    const health: LoadRequest = { method: 'GET', path: '/api/health-check', headers: ask, onResponse: seen('read') };
    const write: LoadRequest = {
      method: 'POST',
      path: '/api/activities',
      headers: { ...ask, 'content-type': 'application/json', 'x-cruddur-user': user },
      body: JSON.stringify({ message: 'Load test: the cloud is still fun.', ttl: '1-hour' }),
      onResponse: seen('write'),
    };
    return [home, own, health, home, own, health, home, write];
  });
}

function run(url: string, tally: Tally, options: { seconds: number; connections: number; rate?: number; healthOnly?: boolean }): Promise<LoadResult> {
  const mix = requestMix(tally);
  // The health check alone: tracing, logging and Express without DynamoDB, for comparison.
  const requests = options.healthOnly ? mix.filter((r) => r.path === '/api/health-check').slice(0, 1) : mix;
  return Promise.resolve(autocannon({ url, connections: options.connections, duration: options.seconds, overallRate: options.rate, timeout: 10, requests }));
}

const percent = (from: number, to: number): string => `${(((to - from) / from) * 100).toFixed(1)} %`;
const failures = (r: LoadResult): number => r.errors + r.timeouts + r.non2xx + r.mismatches;

async function main(): Promise<void> {
  const loadStart = loadavg().map((n) => n.toFixed(1)).join(' ');
  for (const built of ['apps/cruddur-backend/dist/server.js', 'apps/worker/dist/server.js']) {
    if (!existsSync(join(ROOT, built))) throw new Error(`${built} is missing: npx turbo run build --filter=@cruddur/backend... --filter=@cruddur/worker...`);
  }
  const infra = await helper<{ dynamo: string; logs: string; rollbar: string }>('load-infra.ts');
  const sink = await helper<{ port: number }>('load-udp-sink.ts');
  const rules = join(mkdtempSync(join(tmpdir(), 'cruddur-load-')), 'sampling.json');
  writeFileSync(rules, JSON.stringify({ version: 2, rules: [], default: { fixed_target: 0, rate: SAMPLING_RATE } }));

  // Table and seed, through the backend's own (built) modules.
  const client = new DynamoDBClient({ endpoint: infra.ready.dynamo, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'bench' } });
  const { ensureTable } = (await import(join(ROOT, 'apps/cruddur-backend/dist/db/schema.js'))) as { ensureTable(c: DynamoDBClient, t: string): Promise<unknown> };
  const { seed } = (await import(join(ROOT, 'apps/cruddur-backend/dist/db/seed.js'))) as { seed(db: DynamoDBDocumentClient, t: string): Promise<unknown> };
  await ensureTable(client, TABLE);
  await seed(DynamoDBDocumentClient.from(client), TABLE);
  client.destroy();

  const [backendPort, workerPort] = [await freePort(), await freePort()];
  const common = {
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL_DYNAMODB: infra.ready.dynamo,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: infra.ready.logs,
    DDB_MESSAGE_TABLE: TABLE,
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${sink.ready.port}`,
    CRUDDUR_XRAY_CENTRALIZED_SAMPLING: 'false',
    CRUDDUR_XRAY_SAMPLING_RULES: rules,
    CRUDDUR_LOG_CONSOLE: 'off',
    CRUDDUR_LOG_STREAM: 'load',
    ROLLBAR_ACCESS_TOKEN: 'bench-token',
    ROLLBAR_ENDPOINT: infra.ready.rollbar,
  };
  const worker = startService('worker', 'apps/worker/dist/server.js', {
    ...common,
    PORT: String(workerPort),
    BACKEND_URL: `http://127.0.0.1:${backendPort}`,
    CRUDDUR_LOG_GROUP: '/cruddur/worker',
  });
  const backend = startService('backend', 'apps/cruddur-backend/dist/server.js', {
    ...common,
    PORT: String(backendPort),
    WORKER_URL: `http://127.0.0.1:${workerPort}`,
    CRUDDUR_LOG_GROUP: '/cruddur/backend',
  });
  const url = `http://127.0.0.1:${backendPort}`;
  await waitHealthy(`http://127.0.0.1:${workerPort}/health`);
  await waitHealthy(`${url}/api/health-check`);

  const tally: Tally = { responses: [], sampled: { all: [], write: [] }, statuses: new Map() };
  console.log('warm-up 5 s …');
  const healthMix = MIX === 'health';
  const warm = await run(url, tally, { seconds: 5, connections: 8, healthOnly: healthMix });
  console.log(`calibration 10 s (${MIX} mix, unthrottled, 16 connections) …`);
  const calibration = await run(url, tally, { seconds: 10, connections: 16, healthOnly: healthMix });
  const rate = Math.floor(calibration.requests.average * 0.9);
  let healthOnly: LoadResult | undefined;
  if (!healthMix) {
    console.log('the health check alone 5 s (unthrottled, 16 connections) …');
    healthOnly = await run(url, tally, { seconds: 5, connections: 16, healthOnly: true });
  }

  console.log(`load ${SECONDS} s (${MIX} mix) at ${rate} requests/s …`);
  const rss: Array<{ t: number; backend: number; worker: number }> = [];
  const started = Date.now();
  const sampler = setInterval(() => rss.push({ t: (Date.now() - started) / 1000, backend: rssMiB(backend.pid), worker: rssMiB(worker.pid) }), 1_000);
  rss.push({ t: 0, backend: rssMiB(backend.pid), worker: rssMiB(worker.pid) });
  const load = await run(url, tally, { seconds: SECONDS, connections: 32, rate, healthOnly: healthMix });
  clearInterval(sampler);
  rss.push({ t: (Date.now() - started) / 1000, backend: rssMiB(backend.pid), worker: rssMiB(worker.pid) });

  // SIGTERM, then each drains and flushes on its own: the backend first, so that the requests it
  // still holds can finish their calls to the worker.
  const stop = async (child: ChildProcess): Promise<{ code: number | null; ms: number }> => {
    const at = Date.now();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    return { code: await exited, ms: Date.now() - at };
  };
  const stopped = [await stop(backend), await stop(worker)];
  const codes = stopped.map((s) => s.code);
  await delay(500); // the last datagrams
  const received = await sink.ask<SinkReport>('report');
  const logged = await infra.ask<InfraReport>('report');

  const segmentsOf = (name: string): Set<string> => new Set(received.segments[name] ?? []);
  const backendSegments = segmentsOf('cruddur-backend');
  const workerSegments = segmentsOf('cruddur-worker');
  const sampled = tally.sampled.all;
  const missingBackend = sampled.filter((id) => !backendSegments.has(id)).length;
  const missingWorker = tally.sampled.write.filter((id) => !workerSegments.has(id)).length;
  const backendLines = logged.groups['/cruddur/backend'] ?? { events: 0, accessTraceIds: [], accessSegmentIds: 0, unparsable: 0 };
  const workerLines = logged.groups['/cruddur/worker'] ?? { events: 0, accessTraceIds: [], accessSegmentIds: 0, unparsable: 0 };
  const accessed = new Set(backendLines.accessTraceIds);
  const missingLines = tally.responses.filter((id) => !accessed.has(id)).length;
  const workerAccessed = new Set(workerLines.accessTraceIds);
  const movedToWorker = [...tally.sampled.write].filter((id) => !workerAccessed.has(id)).length;
  const duplicateLines = backendLines.accessTraceIds.length - backendLines.accessSegmentIds + (workerLines.accessTraceIds.length - workerLines.accessSegmentIds);
  const tenth = rss.find((r) => r.t >= 10) ?? rss[0]!;
  const last = rss.at(-1)!;
  const everyTen = rss.filter((r, i) => i === 0 || Math.floor(r.t / 10) !== Math.floor(rss[i - 1]!.t / 10));

  const lines = [
    `machine: ${process.platform} ${process.arch}, Node ${process.version}, ${availableParallelism()} cores, load average ${loadStart} at the start and ${loadavg().map((n) => n.toFixed(1)).join(' ')} at the end (other processes share these cores)`,
    `calibration: ${Math.round(calibration.requests.average)} requests/s unthrottled (16 connections); warm-up ${warm.requests.total} requests${healthOnly ? `; the health check alone (no DynamoDB): ${Math.round(healthOnly.requests.average)} requests/s` : ''}`,
    `load (${MIX} mix): ${SECONDS} s at a target of ${rate} requests/s, 32 connections → ${load.requests.total} requests, ${Math.round(load.requests.average)} requests/s, latency p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms, max ${load.latency.max} ms`,
    `failed requests: ${failures(load)} in the load phase (errors ${load.errors}, timeouts ${load.timeouts}, non-2xx ${load.non2xx}); ${failures(warm) + failures(calibration) + (healthOnly ? failures(healthOnly) : 0)} in warm-up and calibration; statuses ${JSON.stringify(Object.fromEntries(tally.statuses))}`,
    `segments: ${sampled.length} sampled requests (${SAMPLING_RATE * 100} %), ${missingBackend} without a backend segment; ${tally.sampled.write.length} sampled writes, ${missingWorker} without the worker's segment; sink: ${received.datagrams} datagrams, ${received.subsegments} independent subsegments, ${received.malformed} malformed, largest ${received.largest} bytes`,
    `log lines: ${tally.responses.length} responses, ${missingLines} without their backend access line; backend group ${backendLines.events} entries, worker group ${workerLines.events} entries, ${movedToWorker} sampled writes without the worker's access line, ${duplicateLines} duplicated, ${backendLines.unparsable + workerLines.unparsable} unparsable; Rollbar items ${logged.rollbarItems} ${JSON.stringify(logged.rollbarTitles)}`,
    `RSS every 10 s (MiB), backend: ${everyTen.map((r) => r.backend.toFixed(0)).join(' ')}; worker: ${everyTen.map((r) => r.worker.toFixed(0)).join(' ')}`,
    `RSS growth from 10 s to the end: backend ${percent(tenth.backend, last.backend)}, worker ${percent(tenth.worker, last.worker)}`,
    `RSS (MiB) backend: start ${rss[0]!.backend.toFixed(1)}, at 10 s ${tenth.backend.toFixed(1)}, end ${last.backend.toFixed(1)}, max ${Math.max(...rss.map((r) => r.backend)).toFixed(1)}; worker: start ${rss[0]!.worker.toFixed(1)}, at 10 s ${tenth.worker.toFixed(1)}, end ${last.worker.toFixed(1)}, max ${Math.max(...rss.map((r) => r.worker)).toFixed(1)}`,
    `shutdown: SIGTERM → backend exit code ${codes[0]} after ${stopped[0]!.ms} ms, then worker exit code ${codes[1]} after ${stopped[1]!.ms} ms`,
  ];
  console.log(`\n${lines.join('\n')}`);

  infra.child.send('close');
  sink.child.send('close');
  const ok = failures(load) === 0 && missingBackend === 0 && missingWorker === 0 && missingLines === 0 && duplicateLines === 0 && codes.every((c) => c === 0);
  console.log(ok ? '\nOK' : '\nNOT OK');
  process.exitCode = ok ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(err);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
});
