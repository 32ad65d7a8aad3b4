// The test support of both apps' suites (the worker's harness adds its own stand-ins to it).
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startDynalite } from '@cruddur/fakes';
import { createTestTracer } from '@cruddur/middleware/testing';
// The second service, started in-process from its sources so the suite exercises the real HTTP calls both ways.
import { createApp as createWorkerApp } from '../../worker/src/app.js';
import { createApp } from '../src/app.js';
import { type BackendDeps, type Logger } from '../src/deps.js';
import { ensureTable } from '../src/db/schema.js';
import { seed } from '../src/db/seed.js';

export const TABLE = 'cruddur-messages';

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  meta?: Record<string, unknown>;
}

export function memoryLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (message, meta) => lines.push({ level: 'info', message, meta }),
    warn: (message, meta) => lines.push({ level: 'warn', message, meta }),
    error: (message, meta) => lines.push({ level: 'error', message, meta }),
  };
}

/** Listens on 127.0.0.1:`port` (0 = any free port); resolves with the bound port. */
export function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Stops listening and drops open connections. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export interface Dynamo {
  client: DynamoDBClient;
  db: DynamoDBDocumentClient;
  endpoint: string;
  stop: () => Promise<void>;
}

/** dynalite in-process on 127.0.0.1:0, table created (not seeded). */
export async function startDynamo(): Promise<Dynamo> {
  const dynalite = await startDynalite();
  const { endpoint } = dynalite;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await ensureTable(client, TABLE);
  const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    client,
    db,
    endpoint,
    stop: async () => {
      client.destroy();
      await dynalite.close();
    },
  };
}

/** A URL on which nothing listens. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  const port = await listen(server);
  await close(server);
  return `http://127.0.0.1:${port}`;
}

export interface Response {
  status: number;
  body: unknown;
  headers: Headers;
}

export type Api = (
  method: string,
  path: string,
  options?: { body?: unknown; rawBody?: string; user?: string; headers?: Record<string, string> },
) => Promise<Response>;

export function apiClient(baseUrl: string): Api {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.user) headers['x-cruddur-user'] = options.user;
    let payload: string | undefined;
    if (options.rawBody !== undefined) payload = options.rawBody;
    else if (options.body !== undefined) payload = JSON.stringify(options.body);
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(new URL(path, baseUrl), { method, headers, body: payload });
    const text = await res.text();
    let body: unknown = text;
    if (res.headers.get('content-type')?.includes('application/json')) body = JSON.parse(text);
    return { status: res.status, body, headers: res.headers };
  };
}

export interface Stack {
  dynamo: Dynamo;
  backendUrl: string;
  workerUrl: string;
  api: Api;
  backendLog: ReturnType<typeof memoryLogger>;
  workerLog: ReturnType<typeof memoryLogger>;
  stop: () => Promise<void>;
}

/**
 * A tracer that keeps its segments in memory: what a service of a test stack traces with unless
 * the test gives its own, so no test sends to the default daemon address (127.0.0.1:2000), where a
 * developer's daemon or trace view would receive them.
 */
export function quietTracer(): NonNullable<BackendDeps['tracer']> {
  return createTestTracer().tracer;
}

/** The observability of one service in a test stack (segments kept in memory, no error reports, by default). */
export interface ServiceTelemetry {
  tracer?: BackendDeps['tracer'];
  reporter?: BackendDeps['reporter'];
}

export interface StackOptions {
  /** Shared secret of the internal calls, given to both services. */
  internalToken?: string;
  backend?: ServiceTelemetry;
  worker?: ServiceTelemetry;
  /** Request and business metrics of the backend. */
  metrics?: BackendDeps['metrics'];
}

/**
 * dynalite + table + seed, the worker and the backend on port 0, wired to
 * each other over real HTTP (the backend calls the worker, the worker calls
 * the backend back).
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dynamo = await startDynamo();
  await seed(dynamo.db, TABLE);

  // The worker needs the backend's URL and vice versa: listen the backend first.
  const backendLog = memoryLogger();
  const workerLog = memoryLogger();
  const backendServer = createServer();
  const backendPort = await listen(backendServer);
  const backendUrl = `http://127.0.0.1:${backendPort}`;

  const worker = createWorkerApp({
    db: dynamo.db,
    tableName: TABLE,
    backendUrl,
    logger: workerLog,
    internalToken: options.internalToken,
    tracer: options.worker?.tracer ?? quietTracer(),
    reporter: options.worker?.reporter,
  });
  const workerUrl = await worker.listen({ port: 0, host: '127.0.0.1' });

  const app = createApp({
    db: dynamo.db,
    tableName: TABLE,
    workerUrl,
    logger: backendLog,
    internalToken: options.internalToken,
    tracer: options.backend?.tracer ?? quietTracer(),
    reporter: options.backend?.reporter,
    metrics: options.metrics,
  });
  backendServer.on('request', app);

  return {
    dynamo,
    backendUrl,
    workerUrl,
    api: apiClient(backendUrl),
    backendLog,
    workerLog,
    stop: async () => {
      await close(backendServer);
      await worker.close();
      await dynamo.stop();
    },
  };
}

/** A backend alone (no worker behind `workerUrl`), on the given database. */
export async function startBackend(
  db: DynamoDBDocumentClient,
  workerUrl: string,
  tableName = TABLE,
): Promise<{ api: Api; log: ReturnType<typeof memoryLogger>; stop: () => Promise<void> }> {
  const log = memoryLogger();
  const server = createServer(createApp({ db, tableName, workerUrl, logger: log, workerTimeoutMs: 2000, tracer: quietTracer() }));
  const port = await listen(server);
  return { api: apiClient(`http://127.0.0.1:${port}`), log, stop: () => close(server) };
}

export async function queryPk(db: DynamoDBDocumentClient, pk: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

export async function scanAll(db: DynamoDBDocumentClient): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}
