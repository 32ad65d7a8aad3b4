import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
// The table definition is owned by the backend (schema-load); the worker only writes into it.
import { ensureTable } from '../../cruddur-backend/src/db/schema.js';
import { quietTracer } from '../../cruddur-backend/test/harness.js';
import { createApp } from '../src/app.js';
import { type Logger, type WorkerDeps } from '../src/deps.js';

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

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** In-process DynamoDB (dynalite) with the table created. */
export async function startDynamo(): Promise<{
  client: DynamoDBClient;
  db: DynamoDBDocumentClient;
  stop: () => Promise<void>;
}> {
  const server = dynalite({ createTableMs: 0 });
  const port = await listen(server);
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await ensureTable(client, TABLE);
  const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    client,
    db,
    stop: async () => {
      client.destroy();
      await close(server);
    },
  };
}

/** A stand-in for the backend's `GET /api/users/@:handle/short`. */
export async function startFakeBackend(
  users: Record<string, { uuid: string; display_name: string }>,
): Promise<{ url: string; requests: string[]; stop: () => Promise<void> }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const match = /^\/api\/users\/@([^/]+)\/short$/.exec(req.url ?? '');
    const handle = match?.[1] ? decodeURIComponent(match[1]) : undefined;
    const user = handle ? users[handle] : undefined;
    res.setHeader('content-type', 'application/json');
    if (!user || !handle) {
      res.statusCode = 404;
      res.end(JSON.stringify(['user_not_found']));
      return;
    }
    res.end(JSON.stringify({ uuid: user.uuid, handle, display_name: user.display_name }));
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, requests, stop: () => close(server) };
}

/** A URL on which nothing listens. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  const port = await listen(server);
  await close(server);
  return `http://127.0.0.1:${port}`;
}

export async function startWorker(
  db: DynamoDBDocumentClient,
  backendUrl: string,
  logger: Logger = memoryLogger(),
  tableName = TABLE,
  options: Pick<WorkerDeps, 'now' | 'internalToken' | 'tracer' | 'reporter'> = {},
): Promise<{ url: string; stop: () => Promise<void> }> {
  const app = createApp({ db, tableName, backendUrl, logger, backendTimeoutMs: 2000, ...options, tracer: options.tracer ?? quietTracer() });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: address, stop: () => app.close() };
}

export async function post(
  baseUrl: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(new URL(path, baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

export async function get(baseUrl: string, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(new URL(path, baseUrl));
  return { status: res.status, body: await res.json() };
}

export function putItem(db: DynamoDBDocumentClient, item: Record<string, unknown>): Promise<unknown> {
  return db.send(new PutCommand({ TableName: TABLE, Item: item }));
}

export async function queryPk(db: DynamoDBDocumentClient, pk: string): Promise<Record<string, unknown>[]> {
  const out = await db.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}
