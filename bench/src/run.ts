// `npm run bench`: bare frameworks, @cruddur/middleware, the official X-Ray SDK and OpenTelemetry,
// side by side on one machine in one run. Servers run in their own processes on core 0; autocannon
// (this process), the counting sink, dynalite and the stub service share core 1. Prints the report
// and writes it to results/latest.md (quick mode: results/quick.md). Nothing here asserts timings.
// Runs on Node 24 unless --node= / CRUDDUR_BENCH_NODE says otherwise (node-choice.ts, imported
// first: it restarts this script under the chosen Node before anything else loads).
import { nodeChoice } from './node-choice.js';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { canPin, cleanEnv, pinSelf } from './child.js';
import { emissionBetween, HELPER_CORE, readSinks, SERVER_CORE, startInfra, startServer, stopInfra, type Infra, type ServerChild } from './infra.js';
import { load } from './load.js';
import { FRAMEWORKS, ONCE_IN_QUICK, ROUTES, VARIANTS, type Framework, type RouteId, type VariantId } from './protocol.js';
import { currentLoad, machineDetails, renderReport, type CellResult, type MetricsMemoryResult, type MicroResult, type Plan, type RunSample, type SoakResult } from './report.js';
import { sleep } from './stats.js';

function option(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

function listOption<T extends string>(name: string, all: readonly T[]): T[] {
  const value = option(name);
  if (value === undefined) return [...all];
  const picked = value.split(',').map((v) => v.trim());
  for (const v of picked) if (!all.includes(v as T)) throw new Error(`--${name}: unknown value ${v} (expected ${all.join(', ')})`);
  return picked as T[];
}

function numberOption(name: string, fallback: number): number {
  const value = option(name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: expected a positive number, got ${value}`);
  return n;
}

const quick = process.argv.includes('--quick');
const plan: Plan = {
  mode: quick ? 'quick' : 'full',
  // Five short rounds rather than three long ones: on a shared machine, noise comes in bursts.
  rounds: numberOption('rounds', quick ? 1 : 5),
  warmupSeconds: numberOption('warmup', quick ? 1 : 5),
  // Quick mode warms every server of a route at once (autocannon runs last at least a second each).
  warmupTogether: quick,
  seconds: numberOption('seconds', quick ? 1 : 6),
  connections: numberOption('connections', 10),
  soakWarmupRequests: quick ? 2_000 : 50_000,
  soakRequests: numberOption('soak', quick ? 20_000 : 1_000_000),
  frameworks: listOption('frameworks', FRAMEWORKS),
  variants: listOption('variants', VARIANTS),
  routes: listOption('routes', ROUTES),
  pinned: false,
};
if (!plan.variants.includes('bare')) plan.variants.unshift('bare');
/**
 * The variants a framework's servers run. Quick mode, unless --variants names them, runs the OTLP
 * variants (and their sink) and the metrics variant with the last framework only: once is enough
 * for a smoke run, and server start-up is most of its time.
 */
function variantsOf(framework: Framework): VariantId[] {
  if (!quick || option('variants') !== undefined || framework === plan.frameworks.at(-1)) return plan.variants;
  return plan.variants.filter((v) => !ONCE_IN_QUICK.has(v));
}
const skipSoak = process.argv.includes('--skip-soak');
/** The metrics memory row: Fastify + ours-metrics, requests spread over this many route templates. */
const METRICS_ROUTES = 10_000;
const metricsPasses = numberOption('metrics-passes', quick ? 1 : 5);
const skipMetricsMemory = skipSoak || process.argv.includes('--skip-metrics-memory');
const skipMicro = process.argv.includes('--skip-micro');

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const repoRoot = here('../../');
const out = option('out') ?? here(quick ? '../results/quick.md' : '../results/latest.md');

const runStarted = Date.now();

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** A phase heading, with the time since the start. */
function phase(line: string): void {
  log(`\n[${((Date.now() - runStarted) / 1000).toFixed(0).padStart(4)} s] ${line}`);
}

function checkBuild(): void {
  try {
    // The servers import the built package: say so early rather than failing in every child.
    execFileSync(process.execPath, ['-e', "import('@cruddur/middleware/express').then(() => process.exit(0), (e) => { console.error(e.message); process.exit(1) })"], {
      cwd: here('..'),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`@cruddur/middleware is not built (${stderr ?? String(err)}); run: npm run build -w @cruddur/middleware`);
  }
}

/** Whether packages/middleware/src has files newer than its build (someone edited it since). */
function staleBuild(): string | undefined {
  const pkg = `${repoRoot}packages/middleware/`;
  try {
    const built = statSync(`${pkg}dist/esm/index.js`).mtimeMs;
    const newer = (readdirSync(`${pkg}src`, { recursive: true }) as string[]).filter((f) => statSync(`${pkg}src/${f}`).mtimeMs > built);
    if (newer.length === 0) return undefined;
    return `packages/middleware/src has ${newer.length} file(s) newer than dist (e.g. ${newer.slice(0, 3).join(', ')}): this run measures the last build`;
  } catch {
    return undefined;
  }
}

async function verify(port: number, route: RouteId): Promise<string | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/${route}`, { signal: AbortSignal.timeout(10_000) });
    const body = await response.text();
    if (response.status !== 200) return `GET /${route} answered ${response.status}: ${body.slice(0, 200)}`;
    return undefined;
  } catch (err) {
    return `GET /${route} failed: ${String(err)}`;
  }
}

/** One measured run: counters before, load, a moment for the last datagrams, counters after. */
async function measure(infra: Infra, server: ServerChild, variant: VariantId, label: string, route: RouteId, round: number): Promise<RunSample & { lastDocuments: string[]; exportedSample: string[] }> {
  const before = await server.rpc.call('stats', {});
  const sinksBefore = await readSinks(infra, label);
  // The documents are described from the middle of the run: at its end autocannon drops the
  // requests in flight, and their late subsegments go out as independent documents.
  const midRun = sleep((plan.seconds * 1000) / 2).then(() => infra.sink.rpc.call('read'));
  const result = await load({ url: `http://127.0.0.1:${server.ready.port}/${route}`, connections: plan.connections, seconds: plan.seconds });
  const sinkMid = (await midRun)[label];
  await sleep(quick ? 100 : 300);
  const after = await server.rpc.call('stats', {});
  const sinksAfter = await readSinks(infra, label);
  return {
    round,
    load: result,
    cpuUsPerRequest: result.requests > 0 ? (after.cpuUs - before.cpuUs) / result.requests : Number.NaN,
    ...emissionBetween(variant, { server: before, sinks: sinksBefore }, { server: after, sinks: sinksAfter }),
    lastDocuments: sinkMid?.last ?? [],
    // In-process exporter: its own sample; OTLP: the last span names the sink decoded.
    exportedSample: after.exportedSample.length > 0 ? after.exportedSample : (sinksAfter.otlp?.last ?? []),
  };
}

/** `before`: something else starting (the soak server) that must be up before any load. */
async function benchFramework(infra: Infra, framework: Framework, before?: Promise<unknown>): Promise<CellResult[]> {
  const cells = new Map<string, CellResult>();
  const key = (route: RouteId, variant: VariantId): string => `${route}:${variant}`;
  const variants = variantsOf(framework);
  for (const route of plan.routes) {
    for (const variant of variants) cells.set(key(route, variant), { framework, route, variant, samples: [], lastDocuments: [], exportedSample: [] });
  }
  const fail = (variant: VariantId, routes: readonly RouteId[], error: string): void => {
    for (const route of routes) cells.get(key(route, variant))!.error ??= error;
  };

  phase(`${framework}: starting ${variants.length} servers`);
  const startedAt = Date.now();
  const started = await Promise.all(
    variants.map(async (variant) => {
      try {
        const server = await startServer(infra, framework, variant);
        log(`  ${variant} ready on port ${server.server.ready.port} after ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
        return { variant, ...server };
      } catch (err) {
        fail(variant, plan.routes, `did not start: ${String(err)}`);
        return undefined;
      }
    }),
  );
  const servers = started.filter((s) => s !== undefined);
  try {
    for (const { variant, server } of servers) {
      for (const route of plan.routes) {
        const problem = await verify(server.ready.port, route);
        if (problem) fail(variant, [route], problem);
      }
    }
    const active = (route: RouteId): typeof servers => servers.filter((s) => cells.get(key(route, s.variant))!.error === undefined);

    await before?.catch(() => undefined);
    phase(`${framework}: warm-up (${plan.warmupSeconds} s per route and variant${plan.warmupTogether ? ', all variants at once' : ''})`);
    for (const route of plan.routes) {
      const warm = (server: ServerChild): Promise<unknown> => load({ url: `http://127.0.0.1:${server.ready.port}/${route}`, connections: plan.connections, seconds: plan.warmupSeconds });
      if (plan.warmupTogether) await Promise.all(active(route).map(({ server }) => warm(server)));
      else for (const { server } of active(route)) await warm(server);
    }

    phase(`${framework}: ${plan.rounds} round${plan.rounds === 1 ? '' : 's'} of ${plan.seconds} s per variant and route`);
    for (let round = 1; round <= plan.rounds; round++) {
      for (const route of plan.routes) {
        for (const { variant, server, label } of active(route)) {
          const cell = cells.get(key(route, variant))!;
          try {
            const sample = await measure(infra, server, variant, label, route, round);
            const { lastDocuments, exportedSample, ...run } = sample;
            cell.samples.push(run);
            if (lastDocuments.length > 0) cell.lastDocuments = lastDocuments;
            if (exportedSample.length > 0) cell.exportedSample = exportedSample;
            log(
              `  ${framework} ${route.padEnd(9)} round ${round}  ${variant.padEnd(14)} ${Math.round(run.load.requestsPerSecond).toString().padStart(6)} req/s  ` +
                `p50 ${run.load.p50.toFixed(2)} ms  p99 ${run.load.p99.toFixed(2)} ms  ${run.cpuUsPerRequest.toFixed(1)} µs CPU/req  emitted ${run.emitted}` +
                (run.load.failures > 0 ? `  failures ${run.load.failures}` : ''),
            );
          } catch (err) {
            cell.error ??= `run failed: ${String(err)}`;
          }
        }
      }
    }
  } finally {
    await Promise.all(servers.map(({ server }) => server.stop()));
  }
  return [...cells.values()];
}

/** The soak's server: Express + ours, sampling its memory, with a GC the orchestrator can trigger. */
function startSoakServer(infra: Infra): ReturnType<typeof startServer> {
  return startServer(infra, 'express', 'ours', { memorySampleMs: quick ? 250 : 2_000 }, ['--expose-gc']);
}

async function soak(infra: Infra, starting: ReturnType<typeof startServer>): Promise<SoakResult> {
  phase(`memory soak: ${plan.soakRequests.toLocaleString('en-US')} requests through Express + @cruddur/middleware (100 %)`);
  const { server, label } = await starting;
  try {
    const url = `http://127.0.0.1:${server.ready.port}/hello`;
    // Bounded even if the server stops answering: at most 30 min (quick: 2 min) per phase.
    const maxSeconds = quick ? 120 : 1_800;
    await load({ url, connections: plan.connections, amount: plan.soakWarmupRequests, maxSeconds });
    const warm = await server.rpc.call('stats', { gc: true });
    const sinkBefore = (await infra.sink.rpc.call('read'))[label]?.datagrams ?? 0;
    await server.rpc.call('sampleMemory');
    const started = Date.now();
    const result = await load({ url, connections: plan.connections, amount: plan.soakRequests, maxSeconds });
    const seconds = (Date.now() - started) / 1000;
    await sleep(300);
    const final = await server.rpc.call('stats', { gc: true });
    const emitted = ((await infra.sink.rpc.call('read'))[label]?.datagrams ?? 0) - sinkBefore;
    const samples = await server.rpc.call('memory');
    log(`  ${result.requests} requests in ${seconds.toFixed(1)} s; heap after warm-up ${(warm.heapUsed / 1048576).toFixed(1)} MiB, final ${(final.heapUsed / 1048576).toFixed(1)} MiB`);
    return {
      warmupRequests: plan.soakWarmupRequests,
      requests: result.requests,
      failures: result.failures,
      seconds,
      emitted,
      warm: { rss: warm.rss, heapUsed: warm.heapUsed },
      final: { rss: final.rss, heapUsed: final.heapUsed },
      samples,
    };
  } finally {
    await server.stop();
  }
}

/** The metrics memory row's server: Fastify + ours-metrics with 10,000 more route templates. */
function startMetricsMemoryServer(infra: Infra): ReturnType<typeof startServer> {
  return startServer(infra, 'fastify', 'ours-metrics', { memorySampleMs: quick ? 100 : 500, extraRoutes: METRICS_ROUTES }, ['--expose-gc']);
}

/**
 * Requests on 10,000 distinct route templates through Fastify + ours with metrics on: a warm-up
 * pass over every route and a flush (the interval then starts empty), heap after a full GC; then
 * `metricsPasses` passes over the routes in one interval, heap after a full GC (the interval's
 * aggregates still held); then a flush, which counts the overflow.
 */
async function metricsMemory(starting: ReturnType<typeof startServer>): Promise<MetricsMemoryResult> {
  const requests = METRICS_ROUTES * metricsPasses;
  phase(`metrics memory: ${requests.toLocaleString('en-US')} requests over ${METRICS_ROUTES.toLocaleString('en-US')} route templates through Fastify + @cruddur/middleware + metrics`);
  const { server } = await starting;
  try {
    const url = `http://127.0.0.1:${server.ready.port}/`;
    const paths = Array.from({ length: METRICS_ROUTES }, (_, i) => `/m/${i}`);
    const maxSeconds = quick ? 120 : 600;
    const warmup = await load({ url, connections: plan.connections, amount: METRICS_ROUTES, maxSeconds, paths });
    const before = await server.rpc.call('stats', { gc: true, flushMetrics: true });
    await server.rpc.call('sampleMemory');
    const started = Date.now();
    const result = await load({ url, connections: plan.connections, amount: requests, maxSeconds, paths });
    const seconds = (Date.now() - started) / 1000;
    const after = await server.rpc.call('stats', { gc: true });
    const flushed = await server.rpc.call('stats', { gc: true, flushMetrics: true });
    const samples = await server.rpc.call('memory');
    const m0 = before.metrics;
    const m1 = flushed.metrics;
    if (!m0 || !m1) throw new Error('the metrics server reported no metrics');
    const overflowed = m1.overflowed - m0.overflowed;
    log(
      `  ${result.requests} requests in ${seconds.toFixed(1)} s; heap ${(before.heapUsed / 1048576).toFixed(1)} → ${(after.heapUsed / 1048576).toFixed(1)} MiB ` +
        `(after the flush ${(flushed.heapUsed / 1048576).toFixed(1)} MiB); ${overflowed} requests counted under Other`,
    );
    return {
      routes: METRICS_ROUTES,
      passes: metricsPasses,
      warmupRequests: warmup.requests,
      requests: result.requests,
      failures: warmup.failures + result.failures,
      seconds,
      recorded: m1.requests - m0.requests,
      overflowed,
      documents: m1.documents - m0.documents,
      chars: m1.chars - m0.chars,
      before: { rss: before.rss, heapUsed: before.heapUsed },
      after: { rss: after.rss, heapUsed: after.heapUsed },
      afterFlush: { rss: flushed.rss, heapUsed: flushed.heapUsed },
      samples,
    };
  } finally {
    await server.stop();
  }
}

// The micro-benchmarks that run after the load rounds, each in its own process on the server core.
const MICRO_BENCHMARKS = [
  { title: 'Core micro-benchmark', script: 'src/micro/core.bench.ts' },
  { title: 'OpenTelemetry bridge: CPU per span against capture() and the OTel SDK', script: 'src/micro/otel-bridge.bench.ts' },
] as const;

function micro(title: string, script: string): MicroResult {
  phase(`${title} (bench/${script})`);
  const args = ['--import', 'tsx', script, ...(quick ? ['--quick'] : [])];
  const [command, argv] = canPin ? ['taskset', ['-c', String(SERVER_CORE), process.execPath, ...args]] : [process.execPath, args];
  const result = { title, script: `bench/${script}` };
  try {
    const output = execFileSync(command, argv, { cwd: `${repoRoot}bench`, env: cleanEnv(), timeout: 300_000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { ...result, output: output.trimEnd() };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return { ...result, output: (e.stdout ?? '').trimEnd(), error: (e.stderr || e.message).trim().split('\n').slice(0, 5).join('\n') };
  }
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const loadAtStart = currentLoad();
  checkBuild();
  const warnings: string[] = [];
  const stale = staleBuild();
  if (stale) {
    log(`⚠ ${stale}`);
    warnings.push(stale);
  }
  plan.pinned = pinSelf(HELPER_CORE);
  log(`@cruddur/bench on Node ${process.version} (${nodeChoice()}) — ${plan.mode} mode: ${plan.rounds} round(s) of ${plan.seconds} s, ${plan.connections} connections, ` + `${plan.pinned ? 'servers on core 0, load and helpers on core 1' : 'no CPU pinning (taskset unavailable)'}`);

  const infra: Infra = await startInfra();
  const cells: CellResult[] = [];
  let soakResult: SoakResult | undefined;
  let metricsMemoryResult: MetricsMemoryResult | undefined;
  const microResults: MicroResult[] = [];
  try {
    // The soak server starts with the first servers: start-up is most of a quick run.
    const soakServer = skipSoak ? undefined : startSoakServer(infra);
    soakServer?.catch(() => undefined); // awaited (and reported) by the soak
    const metricsServer = skipMetricsMemory ? undefined : startMetricsMemoryServer(infra);
    metricsServer?.catch(() => undefined); // awaited (and reported) by the metrics memory row
    const starting = Promise.all([soakServer, metricsServer].map((s) => s?.catch(() => undefined)));
    for (const [i, framework] of plan.frameworks.entries()) cells.push(...(await benchFramework(infra, framework, i === 0 ? starting : undefined)));
    if (soakServer) {
      try {
        soakResult = await soak(infra, soakServer);
      } catch (err) {
        warnings.push(`the memory soak failed: ${String(err)}`);
      }
    }
    if (metricsServer) {
      try {
        metricsMemoryResult = await metricsMemory(metricsServer);
      } catch (err) {
        warnings.push(`the metrics memory row failed: ${String(err)}`);
      }
    }
  } finally {
    await stopInfra(infra);
  }
  if (!skipMicro) for (const { title, script } of MICRO_BENCHMARKS) microResults.push(micro(title, script));

  const elapsed = (Date.now() - startedAt) / 1000;
  const report = renderReport({
    plan,
    machine: machineDetails(repoRoot, infra.receiveBufferBytes, loadAtStart, nodeChoice()),
    cells,
    soak: soakResult,
    metricsMemory: metricsMemoryResult,
    micro: microResults,
    elapsedSeconds: elapsed,
    warnings,
  });
  mkdirSync(here('../results'), { recursive: true });
  writeFileSync(out, report);
  log(`\n${report}`);
  log(`written to ${out} (${elapsed.toFixed(0)} s)`);
}

await main();
