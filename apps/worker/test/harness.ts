// The worker's stand-ins on top of the test support both apps share (../../cruddur-backend/test/harness.ts).
import { createServer } from 'node:http';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { close, listen, memoryLogger, quietTracer, TABLE } from '../../cruddur-backend/test/harness.js';
import { createApp } from '../src/app.js';
import { type Logger, type WorkerDeps } from '../src/deps.js';

export { deadUrl, type LogLine, memoryLogger, queryPk, startDynamo, TABLE } from '../../cruddur-backend/test/harness.js';

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
