// Turns the measurements into the markdown report (printed and written to results/).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { OTLP_VARIANTS, VARIANT_LABELS, type Framework, type MemorySample, type RouteId, type VariantId } from './protocol.js';
import { median, sum } from './stats.js';
import type { LoadResult } from './load.js';

export interface Plan {
  mode: 'quick' | 'full';
  rounds: number;
  warmupSeconds: number;
  /** Warm up all the servers of a route at once (quick mode). */
  warmupTogether: boolean;
  seconds: number;
  connections: number;
  soakWarmupRequests: number;
  soakRequests: number;
  frameworks: Framework[];
  variants: VariantId[];
  routes: RouteId[];
  pinned: boolean;
}

export interface RunSample {
  round: number;
  load: LoadResult;
  /** Server process CPU time (user + system) during the run, per completed request. */
  cpuUsPerRequest: number;
  /** Datagrams the UDP sink counted (X-Ray variants), spans the in-process exporter received (OpenTelemetry), or spans the OTLP sink decoded. */
  emitted: number;
  /** Bytes on the wire: datagram payloads (UDP), or OTLP request heads and (gzipped) bodies; null for the in-process exporter. */
  emittedBytes: number | null;
  /** Spans sent: segments and subsegments in the datagrams, or decoded OTLP spans (in-process: the exporter's count). */
  spans: number | null;
  /** OTLP: export requests the sink answered; null for the others. */
  exportRequests: number | null;
  /** OTLP: request bodies after gunzip (the protobuf ExportTraceServiceRequest); null for the others. */
  decodedBytes: number | null;
  /** OTLP: spans the exporter dropped, was refused or failed to send; null for the others. */
  lost: number | null;
}

export interface CellResult {
  framework: Framework;
  route: RouteId;
  variant: VariantId;
  samples: RunSample[];
  /** The last datagrams the sink received from this variant. */
  lastDocuments: string[];
  /** OpenTelemetry and OTLP: names of the last spans exported. */
  exportedSample: string[];
  error?: string;
}

export interface SoakResult {
  warmupRequests: number;
  requests: number;
  failures: number;
  seconds: number;
  emitted: number;
  /** After the warm-up, after a full GC. */
  warm: { rss: number; heapUsed: number };
  /** At the end, after a full GC. */
  final: { rss: number; heapUsed: number };
  samples: MemorySample[];
}

/** The metrics memory row: requests over distinct route templates, metrics on. */
export interface MetricsMemoryResult {
  routes: number;
  passes: number;
  warmupRequests: number;
  requests: number;
  failures: number;
  seconds: number;
  /** Requests the request metrics recorded during the measured passes. */
  recorded: number;
  /** Requests counted under `Other` (the measured passes, counted at the final flush). */
  overflowed: number;
  /** EMF documents written at the final flush (and any interval flush during the passes). */
  documents: number;
  chars: number;
  /** After the warm-up pass and a flush (the interval starts empty), after a full GC. */
  before: { rss: number; heapUsed: number };
  /** After the measured passes, after a full GC, the interval's aggregates still held. */
  after: { rss: number; heapUsed: number };
  /** After the final flush and a full GC. */
  afterFlush: { rss: number; heapUsed: number };
  samples: MemorySample[];
}

/** One micro-benchmark's printed figures. */
export interface MicroResult {
  /** The report section's title. */
  title: string;
  /** The script, relative to the repository root. */
  script: string;
  output: string;
  error?: string;
}

export interface Machine {
  cpu: string;
  cpuCount: number;
  memory: string;
  os: string;
  node: string;
  date: string;
  commit: string;
  versions: string;
  receiveBuffer: string;
  /** 1, 5 and 15 minute load averages before anything started, and at the end. */
  loadAtStart: number[];
  loadAtEnd: number[];
}

/** Load averages now (call before the run starts, for {@link machineDetails}). */
export const currentLoad = (): number[] => loadavg();

function version(repoRoot: string, name: string, from = 'node_modules'): string {
  try {
    return (JSON.parse(readFileSync(`${repoRoot}${from}/${name}/package.json`, 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

export function machineDetails(repoRoot: string, receiveBufferBytes: number, loadAtStart: number[], nodeChoice: string): Machine {
  let commit = 'unknown';
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'packages/middleware'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    commit = `${sha}${dirty ? ' (packages/middleware has uncommitted changes)' : ''}`;
  } catch {
    // not a git checkout
  }
  const list = cpus();
  const names = [
    `@cruddur/middleware ${version(repoRoot, 'middleware', 'packages')}`,
    `express ${version(repoRoot, 'express')}`,
    `fastify ${version(repoRoot, 'fastify')}`,
    `aws-xray-sdk-core ${version(repoRoot, 'aws-xray-sdk-core')}`,
    `aws-xray-sdk-express ${version(repoRoot, 'aws-xray-sdk-express')}`,
    `aws-xray-sdk-fastify ${version(repoRoot, 'aws-xray-sdk-fastify', 'bench/node_modules')}`,
    `@opentelemetry/sdk-trace-node ${version(repoRoot, '@opentelemetry/sdk-trace-node')}`,
    `@opentelemetry/instrumentation-http ${version(repoRoot, '@opentelemetry/instrumentation-http')}`,
    `@opentelemetry/instrumentation-express ${version(repoRoot, '@opentelemetry/instrumentation-express')}`,
    `@fastify/otel ${version(repoRoot, '@fastify/otel')}`,
    `@opentelemetry/exporter-trace-otlp-proto ${version(repoRoot, '@opentelemetry/exporter-trace-otlp-proto')}`,
    `@opentelemetry/otlp-transformer ${version(repoRoot, '@opentelemetry/otlp-transformer')} (the OTLP sink's decoder)`,
    `@aws-sdk/client-dynamodb ${version(repoRoot, '@aws-sdk/client-dynamodb')}`,
    `autocannon ${version(repoRoot, 'autocannon')}`,
  ];
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cpuCount: list.length,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${type()} ${release()}`,
    // Which binary, and why: the orchestrator and every server it starts run on it.
    node: `${process.version} (${nodeChoice}; servers, load generator and micro-benchmark all on it)`,
    date: new Date().toISOString(),
    commit,
    versions: names.join(', '),
    loadAtStart,
    loadAtEnd: loadavg(),
    receiveBuffer: receiveBufferBytes > 0 ? `${(receiveBufferBytes / 2 ** 20).toFixed(0)} MiB (as reported by the kernel)` : 'n/a',
  };
}

const FRAMEWORK_TITLES: Record<Framework, string> = { express: 'Express 5', fastify: 'Fastify 5' };
const ROUTE_TITLES: Record<RouteId, string> = {
  hello: 'hello world (`GET /hello`, JSON)',
  realistic: 'realistic (`GET /realistic`: 2 × DynamoDB GetItem on dynalite + 1 fetch to a stub service)',
};

/** Variants that must emit: every one but bare and unsampled. */
function tracedVariant(variant: VariantId): boolean {
  return variant !== 'bare' && variant !== 'ours-unsampled';
}

/** What `emitted` counts for a variant. */
function emittedUnit(variant: VariantId): string {
  return variant === 'otel' || OTLP_VARIANTS.has(variant) ? 'spans' : 'datagrams';
}

interface Summary {
  rps: number;
  ratio: number;
  p50: number;
  p99: number;
  cpu: number;
  added: number;
  requests: number;
  emitted: number;
  bytes: number | null;
  spans: number | null;
  exportRequests: number | null;
  decodedBytes: number | null;
  lost: number | null;
  failures: number;
}

/** Sum over rounds, or null when any round did not measure it. */
function total(values: ReadonlyArray<number | null>): number | null {
  return values.every((v) => v !== null) ? sum(values as number[]) : null;
}

/** Medians over rounds; ratio and added CPU are medians of the per-round pairs with bare. */
function summarise(cell: CellResult, bare: CellResult | undefined): Summary | undefined {
  if (cell.samples.length === 0) return undefined;
  const ratios: number[] = [];
  const added: number[] = [];
  for (const s of cell.samples) {
    const b = bare?.samples.find((x) => x.round === s.round);
    if (!b) continue;
    ratios.push(s.load.requestsPerSecond / b.load.requestsPerSecond);
    added.push(s.cpuUsPerRequest - b.cpuUsPerRequest);
  }
  return {
    rps: median(cell.samples.map((s) => s.load.requestsPerSecond)),
    ratio: median(ratios),
    p50: median(cell.samples.map((s) => s.load.p50)),
    p99: median(cell.samples.map((s) => s.load.p99)),
    cpu: median(cell.samples.map((s) => s.cpuUsPerRequest)),
    added: median(added),
    requests: sum(cell.samples.map((s) => s.load.requests)),
    emitted: sum(cell.samples.map((s) => s.emitted)),
    bytes: total(cell.samples.map((s) => s.emittedBytes)),
    spans: total(cell.samples.map((s) => s.spans)),
    exportRequests: total(cell.samples.map((s) => s.exportRequests)),
    decodedBytes: total(cell.samples.map((s) => s.decodedBytes)),
    lost: total(cell.samples.map((s) => s.lost)),
    failures: sum(cell.samples.map((s) => s.load.failures)),
  };
}

interface DocumentShape {
  name?: string;
  subsegments?: DocumentShape[];
}

/** "segment + 3 subsegments (DynamoDB, DynamoDB, 127.0.0.1)" for one datagram. */
function describeDocument(datagram: string): string {
  const body = datagram.slice(datagram.indexOf('\n') + 1);
  let doc: DocumentShape & { type?: string };
  try {
    doc = JSON.parse(body) as DocumentShape & { type?: string };
  } catch {
    return 'unparseable datagram';
  }
  const names: string[] = [];
  const walk = (d: DocumentShape): void => {
    for (const s of d.subsegments ?? []) {
      names.push(s.name ?? '?');
      walk(s);
    }
  };
  walk(doc);
  const kind = doc.type === 'subsegment' ? 'independent subsegment' : 'segment';
  if (names.length === 0) return kind;
  return `${kind} + ${names.length} subsegment${names.length === 1 ? '' : 's'} (${names.join(', ')})`;
}

/** The distinct shapes among the last datagrams, most frequent first, with their counts. */
function describeDocuments(datagrams: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const d of datagrams) {
    const shape = describeDocument(d);
    counts.set(shape, (counts.get(shape) ?? 0) + 1);
  }
  const shapes = [...counts].sort((a, b) => b[1] - a[1]);
  if (shapes.length === 1) return shapes[0]![0];
  return shapes.map(([shape, n]) => `${n} of the last ${datagrams.length}: ${shape}`).join('; ');
}

const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–');
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function cellNotes(cell: CellResult, s: Summary): string[] {
  const notes: string[] = [];
  if (tracedVariant(cell.variant) && s.emitted === 0) notes.push('⚠ emitted nothing: not measuring tracing');
  if (cell.variant === 'ours-unsampled' && s.emitted > 0) notes.push('⚠ emitted while unsampled');
  if (s.lost !== null && s.lost > 0) notes.push(`⚠ the exporter lost ${fmt(s.lost)} spans (dropped, refused or failed)`);
  if (s.failures > 0) notes.push(`⚠ ${fmt(s.failures)} failed requests`);
  return notes;
}

function resultsTable(cells: CellResult[], framework: Framework, route: RouteId): string {
  const rows = cells.filter((c) => c.framework === framework && c.route === route);
  const bare = rows.find((c) => c.variant === 'bare');
  const lines = [
    `### ${FRAMEWORK_TITLES[framework]} — ${ROUTE_TITLES[route]}`,
    '',
    '| variant | req/s | × bare | p50 ms | p99 ms | CPU µs/req | added µs/req | emitted | per req | what was sent | notes |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|',
  ];
  for (const cell of rows) {
    const s = summarise(cell, bare);
    if (!s) {
      lines.push(`| ${VARIANT_LABELS[cell.variant]} | – | – | – | – | – | – | – | – | | ⚠ ${(cell.error ?? 'no data').replace(/\|/g, '\\|').replace(/\s+/g, ' ').slice(0, 300)} |`);
      continue;
    }
    const unit = emittedUnit(cell.variant);
    const spanNames = cell.exportedSample.length > 0 ? `spans, e.g. ${[...new Set(cell.exportedSample)].join(', ')}` : '';
    const sent =
      cell.variant === 'otel'
        ? spanNames
        : OTLP_VARIANTS.has(cell.variant)
          ? `${spanNames}${s.exportRequests ? ` (${fmt(s.exportRequests)} request${s.exportRequests === 1 ? '' : 's'}, protobuf + gzip)` : ''}`
          : `${describeDocuments(cell.lastDocuments)}${s.bytes !== null && s.emitted > 0 ? `, ${fmt(s.bytes / s.emitted)} B` : ''}`;
    const notes = cellNotes(cell, s);
    if (cell.error) notes.push(`⚠ ${cell.error.replace(/\s+/g, ' ').slice(0, 200)}`);
    lines.push(
      `| ${VARIANT_LABELS[cell.variant]} | ${fmt(s.rps)} | ${cell.variant === 'bare' ? '1.00' : fmt(s.ratio, 2)} | ${fmt(s.p50, 2)} | ${fmt(s.p99, 2)} | ` +
        `${fmt(s.cpu, 1)} | ${cell.variant === 'bare' ? '–' : fmt(s.added, 1)} | ${fmt(s.emitted)} ${unit} | ${fmt(s.emitted / s.requests, 2)} | ${sent.replace(/\|/g, '\\|')} | ${notes.join('; ')} |`,
    );
  }
  return lines.join('\n');
}

/**
 * Bytes on the wire per span, for the variants that put spans on a wire: X-Ray documents over UDP
 * (one datagram per segment, its subsegments inside) and OTLP/HTTP batches.
 */
function wireTable(cells: CellResult[], framework: Framework, route: RouteId): string | undefined {
  const rows = cells.filter((c) => c.framework === framework && c.route === route && c.variant !== 'bare' && c.variant !== 'otel');
  const lines = [
    `#### ${FRAMEWORK_TITLES[framework]} — ${route}: on the wire`,
    '',
    '| variant | transport | spans | spans / req | messages | spans / message | B on the wire / span | B before gzip / span |',
    '|---|---|--:|--:|--:|--:|--:|--:|',
  ];
  for (const cell of rows) {
    const s = summarise(cell, undefined);
    if (!s || s.spans === null || s.bytes === null || s.spans === 0) continue;
    const otlp = s.exportRequests !== null;
    const messages = otlp ? s.exportRequests! : s.emitted;
    const noun = `${otlp ? 'request' : 'datagram'}${messages === 1 ? '' : 's'}`;
    lines.push(
      `| ${VARIANT_LABELS[cell.variant]} | ${otlp ? 'OTLP/HTTP, protobuf + gzip' : 'UDP, X-Ray JSON'} | ${fmt(s.spans)} | ${fmt(s.spans / s.requests, 2)} | ` +
        `${fmt(messages)} ${noun} | ${fmt(s.spans / messages, 1)} | ${fmt(s.bytes / s.spans, 1)} | ${s.decodedBytes !== null ? fmt(s.decodedBytes / s.spans, 1) : '–'} |`,
    );
  }
  return lines.length > 4 ? lines.join('\n') : undefined;
}

/** The OTLP export targets, for every framework measured with both OTLP variants (hello route). */
function otlpTargetsTable(cells: CellResult[]): string | undefined {
  const lines = ['| target | measured | |', '|---|--:|---|'];
  for (const framework of ['express', 'fastify'] as const) {
    const rows = cells.filter((c) => c.framework === framework && c.route === 'hello');
    const bare = rows.find((c) => c.variant === 'bare');
    const get = (variant: VariantId): Summary | undefined => {
      const cell = rows.find((c) => c.variant === variant);
      return cell ? summarise(cell, bare) : undefined;
    };
    const ours = get('ours-otlp');
    const otel = get('otel-otlp');
    const udp = get('ours');
    const title = FRAMEWORK_TITLES[framework];
    if (ours) {
      const context = udp ? `; UDP path: ${fmt(udp.added, 1)} µs` : '';
      lines.push(`| ${title} hello, OTLP 100 %: ≤ 5 µs added CPU per sampled request | ${fmt(ours.added, 1)} µs${context} | ${ours.added <= 5 ? 'met' : '**missed**'} |`);
    }
    if (ours && otel) {
      const factor = otel.added / Math.max(ours.added, 0.1);
      lines.push(`| ${title} hello: OTel JS + OTLP proto exporter's added CPU ≥ 10 × ours (OTLP) | ${fmt(factor, 1)} × (${fmt(otel.added, 1)} vs ${fmt(ours.added, 1)} µs) | ${factor >= 10 ? 'met' : '**missed**'} |`);
    }
  }
  return lines.length > 2 ? lines.join('\n') : undefined;
}

function targetsTable(cells: CellResult[], soak: SoakResult | undefined): string {
  const get = (framework: Framework, route: RouteId, variant: VariantId): Summary | undefined => {
    const rows = cells.filter((c) => c.framework === framework && c.route === route);
    const cell = rows.find((c) => c.variant === variant);
    return cell ? summarise(cell, rows.find((c) => c.variant === 'bare')) : undefined;
  };
  const verdict = (ok: boolean | undefined): string => (ok === undefined ? 'n/a' : ok ? 'met' : '**missed**');
  const lines = ['| target | measured | |', '|---|--:|---|'];
  const row = (target: string, measured: string, ok: boolean | undefined): void => {
    lines.push(`| ${target} | ${measured} | ${verdict(ok)} |`);
  };
  const helloFloor: Record<Framework, number> = { express: 0.92, fastify: 0.7 };
  for (const framework of ['express', 'fastify'] as const) {
    const ours = get(framework, 'hello', 'ours');
    const unsampled = get(framework, 'hello', 'ours-unsampled');
    const official = get(framework, 'hello', 'official');
    const realistic = get(framework, 'realistic', 'ours');
    const title = FRAMEWORK_TITLES[framework];
    if (ours) {
      row(`${title} hello, 100 %: ≥ ${helloFloor[framework].toFixed(2)} × bare req/s`, fmt(ours.ratio, 2), ours.ratio >= helloFloor[framework]);
      row(`${title} hello, 100 %: ≤ 15 µs added CPU per request`, `${fmt(ours.added, 1)} µs`, ours.added <= 15);
      if (official) {
        const factor = official.added / Math.max(ours.added, 0.1);
        row(`${title} hello: official SDK's added CPU ≥ 10 × ours`, `${fmt(factor, 1)} × (${fmt(official.added, 1)} vs ${fmt(ours.added, 1)} µs)`, factor >= 10);
      }
    }
    if (unsampled) row(`${title} hello, unsampled: ≥ 0.98 × bare req/s`, `${fmt(unsampled.ratio, 2)} (${fmt(unsampled.added, 1)} µs added)`, unsampled.ratio >= 0.98);
    // The unsampled path's own target: the CPU a request the sampler declines adds on Fastify.
    if (unsampled && framework === 'fastify') row(`${title} hello, unsampled: ≤ 2 µs added CPU per request`, `${fmt(unsampled.added, 1)} µs`, unsampled.added <= 2);
    if (realistic) row(`${title} realistic, 100 %: ≥ 0.97 × bare req/s`, `${fmt(realistic.ratio, 2)} (${fmt(realistic.added, 1)} µs added)`, realistic.ratio >= 0.97);
  }
  if (soak) {
    const growth = soak.final.heapUsed / soak.warm.heapUsed - 1;
    row('Memory soak: final heap within 10 % of the heap after warm-up', `${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} %`, growth <= 0.1);
  }
  return lines.join('\n');
}

function soakSection(soak: SoakResult): string {
  const growth = soak.final.heapUsed / soak.warm.heapUsed - 1;
  const flat = growth <= 0.1;
  const lines = [
    `Express 5 + \`@cruddur/middleware\` at 100 % sampling, \`GET /hello\`: ${fmt(soak.warmupRequests)} warm-up requests, then ${fmt(soak.requests)} requests ` +
      `in ${fmt(soak.seconds, 0)} s (${fmt(soak.requests / soak.seconds)} req/s), ${fmt(soak.emitted)} datagrams counted by the sink` +
      `${soak.failures > 0 ? `, ⚠ ${fmt(soak.failures)} failed requests` : ''}.`,
    '',
    '| | RSS | heap used |',
    '|---|--:|--:|',
    `| after warm-up (after a full GC) | ${mib(soak.warm.rss)} | ${mib(soak.warm.heapUsed)} |`,
    `| end (after a full GC) | ${mib(soak.final.rss)} | ${mib(soak.final.heapUsed)} |`,
  ];
  if (soak.samples.length > 0) {
    const heaps = soak.samples.map((s) => s.heapUsed);
    const rss = soak.samples.map((s) => s.rss);
    lines.push(`| sampled during the soak (min – max, ${soak.samples.length} samples, no forced GC) | ${mib(Math.min(...rss))} – ${mib(Math.max(...rss))} | ${mib(Math.min(...heaps))} – ${mib(Math.max(...heaps))} |`);
  }
  lines.push('', `Verdict: **${flat ? 'flat' : 'not flat'}** — final heap ${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} % against the heap after warm-up (limit +10 %).`);
  if (soak.samples.length > 1) {
    const picks = 10;
    const step = Math.max(1, Math.floor(soak.samples.length / picks));
    const timeline = soak.samples.filter((_, i) => i % step === 0 || i === soak.samples.length - 1);
    lines.push('', 'Timeline (seconds since the soak began, after the warm-up → RSS / heap used, no forced GC):', '', '| t (s) | RSS | heap used |', '|--:|--:|--:|');
    for (const s of timeline) lines.push(`| ${fmt(s.t, 1)} | ${mib(s.rss)} | ${mib(s.heapUsed)} |`);
  }
  return lines.join('\n');
}

/** Added CPU of the metrics path: ours-metrics against ours, per round, for every framework and route measured with both. */
function metricsCpuTable(cells: CellResult[]): string | undefined {
  const lines = [
    '| framework — route | ours CPU µs/req | ours + metrics CPU µs/req | metrics added µs/req (vs ours) | rounds | target ≤ 1 µs (hello) |',
    '|---|--:|--:|--:|--:|---|',
  ];
  for (const framework of ['express', 'fastify'] as const) {
    for (const route of ['hello', 'realistic'] as const) {
      const rows = cells.filter((c) => c.framework === framework && c.route === route);
      const ours = rows.find((c) => c.variant === 'ours');
      const metrics = rows.find((c) => c.variant === 'ours-metrics');
      if (!ours || !metrics) continue;
      const base = summarise(ours, undefined);
      const s = summarise(metrics, ours);
      if (!base || !s) continue;
      const pairs = metrics.samples.filter((m) => ours.samples.some((o) => o.round === m.round)).length;
      const verdict = route === 'hello' ? (s.added <= 1 ? 'met' : '**missed**') : '–';
      lines.push(`| ${FRAMEWORK_TITLES[framework]} — ${route} | ${fmt(base.cpu, 1)} | ${fmt(s.cpu, 1)} | ${fmt(s.added, 2)} | ${pairs} | ${verdict} |`);
    }
  }
  return lines.length > 2 ? lines.join('\n') : undefined;
}

function metricsMemorySection(m: MetricsMemoryResult): string {
  const growth = m.after.heapUsed / m.before.heapUsed - 1;
  const expectedOverflow = Math.max(0, m.routes - 1000) * m.passes;
  const lines = [
    `Fastify 5 + \`@cruddur/middleware\` at 100 % + metrics (default \`maxDimensionSets\` 1,000, default flush interval, output discarded), ` +
      `${fmt(m.routes)} route templates registered (\`GET /m/0\` … \`/m/${m.routes - 1}\`, each its own \`Route\`). ` +
      `Warm-up: one pass over every route (${fmt(m.warmupRequests)} requests) and a flush, so the measured interval starts empty; ` +
      `then ${m.passes} pass${m.passes === 1 ? '' : 'es'} over the ${fmt(m.routes)} routes in one interval: ${fmt(m.requests)} requests in ${fmt(m.seconds, 1)} s, ` +
      `${fmt(m.recorded)} recorded by the request metrics${m.failures > 0 ? `, ⚠ ${fmt(m.failures)} failed requests` : ''}.`,
    '',
    '| | RSS | heap used |',
    '|---|--:|--:|',
    `| before (after the warm-up pass and a flush, full GC) | ${mib(m.before.rss)} | ${mib(m.before.heapUsed)} |`,
    `| after the passes (full GC; the interval's aggregates still held) | ${mib(m.after.rss)} | ${mib(m.after.heapUsed)} |`,
    `| after the final flush (full GC) | ${mib(m.afterFlush.rss)} | ${mib(m.afterFlush.heapUsed)} |`,
  ];
  if (m.samples.length > 0) {
    const heaps = m.samples.map((x) => x.heapUsed);
    const rss = m.samples.map((x) => x.rss);
    lines.push(`| sampled during the passes (min – max, ${m.samples.length} samples, no forced GC) | ${mib(Math.min(...rss))} – ${mib(Math.max(...rss))} | ${mib(Math.min(...heaps))} – ${mib(Math.max(...heaps))} |`);
  }
  lines.push(
    '',
    `Overflow: **${fmt(m.overflowed)}** requests counted under \`Other\` (expected ${fmt(expectedOverflow)}: every request beyond the first 1,000 routes of the interval); ` +
      `${fmt(m.documents)} EMF documents (${fmt(m.chars / 1024, 0)} KiB) written at the flush and discarded.`,
    '',
    `Verdict: heap after the passes ${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} % (${growth >= 0 ? '+' : ''}${fmt((m.after.heapUsed - m.before.heapUsed) / 1024, 0)} KiB) against before: ` +
      `**${growth <= 0.1 ? 'flat' : 'not flat'}** (limit +10 %; reported, never asserted).`,
  );
  return lines.join('\n');
}

function busyWarning(machine: Machine): string[] {
  const before = machine.loadAtStart[0] ?? 0;
  if (before < 0.5 * machine.cpuCount) return [];
  return [
    `⚠ **The machine was busy with other work when the run started** (load average ${before.toFixed(2)} on ${machine.cpuCount} CPUs, before any benchmark process existed). ` +
      'Other processes compete with the pinned server and load generator: absolute numbers are low and noisy, and ratios carry extra noise. Re-run on an idle machine before drawing conclusions.',
    '',
  ];
}

export interface ReportInput {
  plan: Plan;
  machine: Machine;
  cells: CellResult[];
  soak: SoakResult | undefined;
  /** The metrics memory row (absent with --skip-soak or --skip-metrics-memory). */
  metricsMemory?: MetricsMemoryResult | undefined;
  micro: MicroResult[];
  elapsedSeconds: number;
  /** Shown under the machine details. */
  warnings: string[];
}

export function renderReport({ plan, machine, cells, soak, metricsMemory, micro, elapsedSeconds, warnings }: ReportInput): string {
  const sections: string[] = [
    '# @cruddur/middleware — benchmarks',
    '',
    `Generated by \`npm run bench${plan.mode === 'quick' ? ':quick' : ''}\` (${plan.mode} mode${plan.mode === 'quick' ? ': a smoke run, numbers are not meaningful' : ''}) on ${machine.date}, in ${fmt(elapsedSeconds / 60, 1)} min. ` +
      'One machine, one run: compare rows with each other, not with other machines.',
    '',
    '## Machine',
    '',
    '| | |',
    '|---|---|',
    `| CPU | ${machine.cpu} × ${machine.cpuCount} |`,
    `| memory | ${machine.memory} |`,
    `| OS | ${machine.os} |`,
    `| Node.js | ${machine.node} |`,
    `| commit | ${machine.commit} |`,
    `| packages | ${machine.versions} |`,
    `| sink receive buffer | ${machine.receiveBuffer} |`,
    `| load average (1 / 5 / 15 min) | before the run: ${machine.loadAtStart.map((l) => l.toFixed(2)).join(' / ')}; at the end: ${machine.loadAtEnd.map((l) => l.toFixed(2)).join(' / ')} |`,
    '',
    ...busyWarning(machine),
    ...warnings.flatMap((w) => [`⚠ ${w}.`, '']),
    '## Method',
    '',
    `- Each server runs in its own process${plan.pinned ? ', pinned to core 0 (`taskset -c 0`)' : ' (no pinning: taskset unavailable)'}; ` +
      `autocannon${plan.pinned ? ', on core 1,' : ''} loads it over 127.0.0.1 with ${plan.connections} connections, no pipelining. ` +
      'dynalite, the stub service and the UDP and OTLP sinks each run in their own process' +
      `${plan.pinned ? ', also on core 1' : ''}.`,
    `- Per server: ${plan.warmupSeconds} s warm-up per route${plan.warmupTogether ? ' (all variants at once)' : ''}, then ${plan.rounds} round${plan.rounds === 1 ? '' : 's'} of ${plan.seconds} s per variant, ` +
      `variants interleaved (${plan.variants.join(', ')}, then again). Every server of a framework stays up for all its rounds.`,
    '- req/s, p50 and p99 are medians over the rounds. **× bare** and **added µs/req** are medians of the per-round comparisons with bare ' +
      '(bare servers vary run to run; only interleaved pairs are compared).',
    '- **CPU µs/req**: the server process\'s own `process.cpuUsage()` (user + system, all its threads) over the run, divided by completed requests.',
    '- **emitted**: X-Ray variants send UDP to a socket in a separate process (large receive buffer) that counts datagrams and bytes and discards them; ' +
      'OpenTelemetry uses a `BatchSpanProcessor` (default settings) with an in-process exporter that counts spans and discards them. ' +
      '"what was sent" describes the last 8 datagrams received (or the last spans exported), with the mean datagram size. A traced variant that emits nothing is flagged.',
    '- **OTLP variants**: the exporter sends OTLP/HTTP to an HTTP server in another process on the helper core (`src/otlp-sink.ts`) that answers 200 with an empty `ExportTraceServiceResponse`, ' +
      'gunzips and decodes every request with the generated definitions of `@opentelemetry/otlp-transformer` and counts requests, bytes and spans. ' +
      'Before the CPU counters are read, every exporter is flushed (`forceFlush()`, `exporter.flush()`), so the export work is counted in the run whose requests produced the spans. ' +
      '`@cruddur/middleware` OTLP: `createTracer({ emitter: new OtlpTraceExporter({ endpoint }) })`, every other setting the default (protobuf, gzip, batches of up to 512), same integrations as above. ' +
      'OpenTelemetry OTLP: the OpenTelemetry set-up below with `@opentelemetry/exporter-trace-otlp-proto` (`compression: gzip`) in its default `BatchSpanProcessor`.',
    '- `@cruddur/middleware`: the built package, `createTracer({ daemonAddress, samplingRules, centralizedSampling: false })`, `xray()` / the Fastify plugin, ' +
      '`instrumentHttp()` and `instrument(dynamoClient)`. Unsampled: rules with `rate: 0, fixed_target: 0`.',
    '- Official SDK: `aws-xray-sdk-express` `openSegment`/`closeSegment` or the `aws-xray-sdk-fastify` plugin, centralized sampling disabled, a local rule at 100 %, ' +
      'daemon address = the sink, `captureAWSv3Client` for DynamoDB. It has no fetch instrumentation, so the realistic route\'s fetch is not recorded.',
    '- OpenTelemetry: `NodeTracerProvider` with `AWSXRayIdGenerator` and `AWSXRayPropagator`, `instrumentation-http` plus `instrumentation-express` or `@fastify/otel`. ' +
      'DynamoDB calls appear as HTTP client spans; fetch (undici) is not instrumented by this set.',
    '- Frameworks and the AWS SDK are loaded with `require` after the variant\'s instrumentation, as in a CommonJS service.',
    '',
    '## Results',
  ];
  for (const framework of plan.frameworks) {
    for (const route of plan.routes) sections.push('', resultsTable(cells, framework, route));
  }
  const wire = plan.frameworks.flatMap((framework) => plan.routes.map((route) => wireTable(cells, framework, route))).filter((t) => t !== undefined);
  if (wire.length > 0) {
    sections.push(
      '',
      '### Spans on the wire',
      '',
      'Spans: segments and subsegments in the datagrams (the UDP sink parses each one), or spans in the OTLP requests (the OTLP sink decodes each one). ' +
        'Bytes: datagram payloads, or HTTP request line, headers and body as sent (gzipped; chunk framing, IP/UDP/TCP headers and responses not counted).',
    );
    for (const table of wire) sections.push('', table);
  }
  sections.push('', '## Targets (issue 8; reported, never asserted)', '', targetsTable(cells, soak));
  const otlpTargets = otlpTargetsTable(cells);
  if (otlpTargets) {
    sections.push(
      '',
      '### OTLP export (reported, never asserted)',
      '',
      'Issue: batching lifts the one-datagram-per-request floor of the UDP path; target ≤ 5 µs added CPU per sampled request with the OTLP exporter ' +
        '(protobuf, gzip, batches of hundreds), and ≥ 10 × less than the OpenTelemetry JS SDK with its OTLP proto exporter doing the same export to the same local sink. ' +
        'Added CPU is the median of the per-round differences with bare, every request sampled.',
      '',
      otlpTargets,
    );
  }
  const metricsCpu = metricsCpuTable(cells);
  if (metricsCpu || metricsMemory) {
    sections.push(
      '',
      '## Metrics (issue 17; reported, never asserted)',
      '',
      'Target: the metrics path adds ≤ 1 µs CPU per request on Fastify hello world (aggregation only, no I/O per request), and memory stays flat with 10,000 distinct routes ' +
        '(bounded cardinality, overflow counted). **ours + metrics** is the ours variant plus `createMetrics({ output: (line) => … })` from `@cruddur/middleware/metrics`: ' +
        'request and call metrics from the integrations, default flush interval (60 s), the documents counted and discarded. ' +
        'Added µs/req is the median of the per-round differences with ours (same run, interleaved).',
    );
    if (metricsCpu) sections.push('', metricsCpu);
    if (metricsMemory) sections.push('', '### 10,000 distinct routes', '', metricsMemorySection(metricsMemory));
  }
  if (soak) sections.push('', '## Memory soak', '', soakSection(soak));
  for (const result of micro) {
    sections.push('', `## ${result.title}`, '', `\`${result.script}\`, run in its own process on the server core:`, '', '```text', result.output, '```');
    if (result.error) sections.push('', `⚠ the micro-benchmark failed: ${result.error}`);
  }
  return `${sections.join('\n')}\n`;
}
