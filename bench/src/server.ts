// One measured server: a framework, a variant, the hello-world and the realistic routes. Runs in
// its own process (pinned to its own core by the orchestrator) and reports its CPU time, memory
// and, for OpenTelemetry and the OTLP variants, what its exporter did, over IPC.
import type * as DynamoDB from '@aws-sdk/client-dynamodb';
import type * as LibDynamoDB from '@aws-sdk/lib-dynamodb';
import type express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MemorySample, ServerConfig, ServerReady, ServerStats, StatsRequest, VariantId } from './protocol.js';
import { DYNAMO_CLIENT_CONFIG, HELLO, realisticRoute, type RealisticDeps } from './realistic.js';
import { announceReady, serveRpc } from './rpc.js';
import { requireFromRoot, type FastifyApp, type Instrumentation, type Setup } from './variants/instrumentation.js';

const VARIANT_MODULES: Record<VariantId, () => Promise<{ setup: Setup }>> = {
  bare: () => import('./variants/bare.js'),
  ours: () => import('./variants/ours.js'),
  'ours-metrics': () => import('./variants/ours.js'),
  'ours-unsampled': () => import('./variants/ours.js'),
  official: () => import('./variants/official.js'),
  otel: () => import('./variants/otel.js'),
  'ours-otlp': () => import('./variants/ours.js'),
  'otel-otlp': () => import('./variants/otel.js'),
};

const config = JSON.parse(process.argv[2] ?? '') as ServerConfig;

// 1. The variant's instrumentation, before any framework or client is loaded.
const instrumentation: Instrumentation = await (await VARIANT_MODULES[config.variant]()).setup(config);

// 2. The DynamoDB client of the realistic route.
const { DynamoDBClient } = requireFromRoot('@aws-sdk/client-dynamodb') as typeof DynamoDB;
const { DynamoDBDocumentClient, GetCommand } = requireFromRoot('@aws-sdk/lib-dynamodb') as typeof LibDynamoDB;
const baseClient = new DynamoDBClient({ ...DYNAMO_CLIENT_CONFIG, endpoint: config.dynamoEndpoint });
const client = instrumentation.dynamo ? instrumentation.dynamo(baseClient) : baseClient;
const deps: RealisticDeps = { doc: DynamoDBDocumentClient.from(client), GetCommand, stubUrl: config.stubUrl };

// 3. The app.
async function startExpress(): Promise<{ server: Server; close: () => Promise<void> }> {
  const createApp = requireFromRoot('express') as typeof express;
  const app = createApp();
  instrumentation.expressBefore?.(app);
  app.get('/hello', (_req, res) => {
    res.json(HELLO);
  });
  app.get('/realistic', async (_req, res) => {
    res.json(await realisticRoute(deps));
  });
  for (let i = 0; i < config.extraRoutes; i++) {
    app.get(`/m/${i}`, (_req, res) => {
      res.json(HELLO);
    });
  }
  instrumentation.expressAfter?.(app);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function startFastify(): Promise<{ server: Server; close: () => Promise<void> }> {
  const fastify = requireFromRoot('fastify') as (options: { logger: boolean }) => FastifyApp;
  const app = fastify({ logger: false });
  await instrumentation.fastify?.(app);
  app.get('/hello', async () => HELLO);
  app.get('/realistic', async () => realisticRoute(deps));
  // Distinct route templates (not one template with a parameter): each is its own `Route`.
  for (let i = 0; i < config.extraRoutes; i++) app.get(`/m/${i}`, async () => HELLO);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    server: app.server,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}

const app = config.framework === 'express' ? await startExpress() : await startFastify();

// 4. Memory samples for the soak, from when it asks (the server may wait idle before).
const memorySamples: MemorySample[] = [];
let sampler: NodeJS.Timeout | undefined;
function sampleMemory(): void {
  if (config.memorySampleMs <= 0) throw new Error('this server was started without memorySampleMs');
  clearInterval(sampler);
  memorySamples.length = 0;
  const since = process.uptime();
  const take = (): void => {
    const m = process.memoryUsage();
    memorySamples.push({ t: process.uptime() - since, rss: m.rss, heapUsed: m.heapUsed });
  };
  take();
  sampler = setInterval(take, config.memorySampleMs).unref();
}

const runGc = (globalThis as { gc?: () => void }).gc;

async function stats(request: StatsRequest = {}): Promise<ServerStats> {
  // Flush first, so the exporter's work is counted in the run that produced the spans.
  const exported = instrumentation.exported ? await instrumentation.exported() : null;
  const metrics = instrumentation.metrics ? await instrumentation.metrics(request.flushMetrics === true) : null;
  if (request.gc && runGc) runGc();
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return {
    cpuUs: cpu.user + cpu.system,
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    heapTotal: memory.heapTotal,
    exportedSpans: exported?.count ?? null,
    exportedSample: exported?.sample ?? [],
    lostSpans: exported?.lost ?? null,
    metrics,
  };
}

async function stop(): Promise<void> {
  await app.close();
  baseClient.destroy();
  await instrumentation.shutdown?.();
}

export type ServerApi = {
  stats: typeof stats;
  sampleMemory: typeof sampleMemory;
  memory: () => MemorySample[];
  stop: typeof stop;
};

serveRpc({ stats, sampleMemory, memory: () => memorySamples, stop } satisfies ServerApi);
announceReady({ port: (app.server.address() as AddressInfo).port } satisfies ServerReady);
