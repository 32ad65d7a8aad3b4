// The processes around the measured servers: the counting sink, dynalite and the stub service
// (on the load generator's core), and the servers themselves (on their own core).
import { cleanEnv, startChild, type Child } from './child.js';
import type { DynamoApi } from './dynamo-service.js';
import type { Framework, ServerConfig, ServerReady, VariantId } from './protocol.js';
import type { ServerApi } from './server.js';
import type { StubApi } from './stub-service.js';
import type { SinkApi } from './udp-sink.js';

export const SERVER_CORE = 0;
export const HELPER_CORE = 1;

export type ServerChild = Child<ServerApi, ServerReady>;

export interface Infra {
  sink: Child<SinkApi, { pid: number }>;
  dynamo: Child<DynamoApi, { endpoint: string }>;
  stub: Child<StubApi, { url: string }>;
  /** The sink's receive buffer, as the kernel reports it (0 before the first socket). */
  receiveBufferBytes: number;
}

export async function startInfra(): Promise<Infra> {
  const [sink, dynamo, stub] = await Promise.all([
    startChild<SinkApi, { pid: number }>('udp sink', './udp-sink.ts', { core: HELPER_CORE }),
    startChild<DynamoApi, { endpoint: string }>('dynalite', './dynamo-service.ts', { core: HELPER_CORE }),
    startChild<StubApi, { url: string }>('stub service', './stub-service.ts', { core: HELPER_CORE }),
  ]);
  return { sink, dynamo, stub, receiveBufferBytes: 0 };
}

export async function stopInfra(infra: Infra): Promise<void> {
  await Promise.all([infra.sink.stop(), infra.dynamo.stop(), infra.stub.stop()]);
}

/** Starts one server with its own socket in the sink; `label` names that socket. */
export async function startServer(
  infra: Infra,
  framework: Framework,
  variant: VariantId,
  extra: Partial<ServerConfig> = {},
  execArgv: string[] = [],
): Promise<{ server: ServerChild; label: string }> {
  const label = `${framework}/${variant}${extra.memorySampleMs ? '/soak' : ''}`;
  const { port: daemonPort, receiveBufferBytes } = await infra.sink.rpc.call('open', label);
  infra.receiveBufferBytes = receiveBufferBytes;
  const config: ServerConfig = {
    framework,
    variant,
    daemonPort,
    dynamoEndpoint: infra.dynamo.ready.endpoint,
    stubUrl: infra.stub.ready.url,
    memorySampleMs: 0,
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
