// The processes around the measured servers: the counting UDP and OTLP sinks, dynalite and the
// stub service (on the load generator's core), and the servers themselves (on their own core).
import { cleanEnv, startChild, type Child } from './child.js';
import type { DynamoApi } from './dynamo-service.js';
import type { OtlpSinkApi, OtlpSinkCount } from './otlp-sink.js';
import { OTLP_VARIANTS, type Framework, type ServerConfig, type ServerReady, type ServerStats, type VariantId } from './protocol.js';
import type { RunSample } from './report.js';
import type { ServerApi } from './server.js';
import type { StubApi } from './stub-service.js';
import type { SinkApi, SinkCount } from './udp-sink.js';

export const SERVER_CORE = 0;
export const HELPER_CORE = 1;

export type ServerChild = Child<ServerApi, ServerReady>;

export interface Infra {
  sink: Child<SinkApi, { pid: number }>;
  otlpSink: Child<OtlpSinkApi, { pid: number }>;
  dynamo: Child<DynamoApi, { endpoint: string }>;
  stub: Child<StubApi, { url: string }>;
  /** The sink's receive buffer, as the kernel reports it (0 before the first socket). */
  receiveBufferBytes: number;
}

export async function startInfra(): Promise<Infra> {
  const [sink, otlpSink, dynamo, stub] = await Promise.all([
    startChild<SinkApi, { pid: number }>('udp sink', './udp-sink.ts', { core: HELPER_CORE }),
    startChild<OtlpSinkApi, { pid: number }>('otlp sink', './otlp-sink.ts', { core: HELPER_CORE }),
    startChild<DynamoApi, { endpoint: string }>('dynalite', './dynamo-service.ts', { core: HELPER_CORE }),
    startChild<StubApi, { url: string }>('stub service', './stub-service.ts', { core: HELPER_CORE }),
  ]);
  return { sink, otlpSink, dynamo, stub, receiveBufferBytes: 0 };
}

export async function stopInfra(infra: Infra): Promise<void> {
  await Promise.all([infra.sink.stop(), infra.otlpSink.stop(), infra.dynamo.stop(), infra.stub.stop()]);
}

/** Starts one server with its own socket in the sink (and server in the OTLP sink); `label` names them. */
export async function startServer(
  infra: Infra,
  framework: Framework,
  variant: VariantId,
  extra: Partial<ServerConfig> = {},
  execArgv: string[] = [],
): Promise<{ server: ServerChild; label: string }> {
  const label = `${framework}/${variant}${extra.extraRoutes ? '/routes' : extra.memorySampleMs ? '/soak' : ''}`;
  const { port: daemonPort, receiveBufferBytes } = await infra.sink.rpc.call('open', label);
  infra.receiveBufferBytes = receiveBufferBytes;
  const otlpEndpoint = OTLP_VARIANTS.has(variant) ? (await infra.otlpSink.rpc.call('open', label)).endpoint : null;
  const config: ServerConfig = {
    framework,
    variant,
    daemonPort,
    otlpEndpoint,
    dynamoEndpoint: infra.dynamo.ready.endpoint,
    stubUrl: infra.stub.ready.url,
    memorySampleMs: 0,
    extraRoutes: 0,
    ...extra,
  };
  const server = await startChild<ServerApi, ServerReady>(`${label} server`, './server.ts', {
    core: SERVER_CORE,
    args: [JSON.stringify(config)],
    env: cleanEnv({ NODE_ENV: 'production' }),
    execArgv,
  });
  return { server, label };
}

/** Both sinks' counters for one server (undefined where it has no socket or endpoint). */
export interface SinkSnapshot {
  udp: SinkCount | undefined;
  otlp: OtlpSinkCount | undefined;
}

export async function readSinks(infra: Infra, label: string): Promise<SinkSnapshot> {
  const [udp, otlp] = await Promise.all([infra.sink.rpc.call('read'), infra.otlpSink.rpc.call('read')]);
  return { udp: udp[label], otlp: otlp[label] };
}

/**
 * What a server emitted between two snapshots, each taken after its `stats` call (which flushes
 * the variant's exporter): datagrams and their entities from the UDP sink, decoded spans and wire
 * bytes from the OTLP sink, or the in-process exporter's own span count (OpenTelemetry).
 */
export function emissionBetween(
  variant: VariantId,
  before: { server: ServerStats; sinks: SinkSnapshot },
  after: { server: ServerStats; sinks: SinkSnapshot },
): Omit<RunSample, 'round' | 'load' | 'cpuUsPerRequest'> {
  const lost = after.server.lostSpans !== null && before.server.lostSpans !== null ? after.server.lostSpans - before.server.lostSpans : null;
  if (OTLP_VARIANTS.has(variant)) {
    const delta = (pick: (c: OtlpSinkCount) => number): number => (after.sinks.otlp ? pick(after.sinks.otlp) : 0) - (before.sinks.otlp ? pick(before.sinks.otlp) : 0);
    const spans = delta((c) => c.spans);
    return { emitted: spans, emittedBytes: delta((c) => c.bytes), spans, exportRequests: delta((c) => c.requests), decodedBytes: delta((c) => c.decodedBytes), lost };
  }
  if (after.server.exportedSpans !== null && before.server.exportedSpans !== null) {
    const spans = after.server.exportedSpans - before.server.exportedSpans;
    return { emitted: spans, emittedBytes: null, spans, exportRequests: null, decodedBytes: null, lost };
  }
  const delta = (pick: (c: SinkCount) => number): number => (after.sinks.udp ? pick(after.sinks.udp) : 0) - (before.sinks.udp ? pick(before.sinks.udp) : 0);
  return { emitted: delta((c) => c.datagrams), emittedBytes: delta((c) => c.bytes), spans: delta((c) => c.spans), exportRequests: null, decodedBytes: null, lost };
}
