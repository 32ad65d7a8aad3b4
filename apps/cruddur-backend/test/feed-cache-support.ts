// The stack of the home feed cache tests: a real redis-server (Debian's, on 127.0.0.1 with a
// throwaway directory: @cruddur/fakes' startRedisServer), dynalite seeded, the real worker
// (it moderates posts) and the backend with CRUDDUR_REDIS_URL's client, all on port 0. Segments
// stay in memory (an in-memory tracer): nothing is sent to a daemon.
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type TestContext } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { redisServerMissing, startDynalite, startRedisServer, type RedisServerHandle } from '@cruddur/fakes';
import { type SegmentDocument } from '@cruddur/middleware';
import { instrument } from '@cruddur/middleware/aws';
import { createTestTracer } from '@cruddur/middleware/testing';
import { createApp as createWorkerApp } from '../../worker/src/app.js';
import { createApp } from '../src/app.js';
import { connectTracedRedis, type TracedRedis } from '../src/cache/traced-redis.js';
import { ensureTable } from '../src/db/schema.js';
import { seed } from '../src/db/seed.js';
import { type Logger } from '../src/deps.js';

const TABLE = 'cruddur-messages';

/** Why the Redis tests cannot run here, or undefined when they can. */
export const noRedis = redisServerMissing();

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  meta?: Record<string, unknown>;
}

function recordingLogger(lines: LogLine[]): Logger {
  return {
    info: (message, meta) => lines.push({ level: 'info', message, meta }),
    warn: (message, meta) => lines.push({ level: 'warn', message, meta }),
    error: (message, meta) => lines.push({ level: 'error', message, meta }),
  };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export interface Traced {
  status: number;
  body: unknown;
  /** The request's segment, as the tracer emitted it. */
  segment: SegmentDocument;
}

export interface FeedCacheStack {
  redisServer: RedisServerHandle;
  redis: TracedRedis;
  log: LogLine[];
  /** A request to the backend as `user`, with the segment it produced. */
  call(method: 'GET' | 'POST', path: string, body?: unknown, user?: string): Promise<Traced>;
  /** Resolves once the client's connection state is `status`. */
  redisStatus(predicate: (status: string) => boolean): Promise<void>;
}

export async function startFeedCacheStack(t: TestContext): Promise<FeedCacheStack> {
  const [redisServer, dynalite] = await Promise.all([startRedisServer(), startDynalite()]);
  t.after(() => dynalite.close());
  t.after(() => redisServer.close());
  const client = instrument(
    new DynamoDBClient({ endpoint: dynalite.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
  );
  t.after(() => client.destroy());
  await ensureTable(client, TABLE);
  const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  await seed(db, TABLE);

  const { tracer, emitter } = createTestTracer({ name: 'cruddur-backend' });
  const log: LogLine[] = [];
  const logger = recordingLogger(log);
  const redis = connectTracedRedis(redisServer.url, { tracer, logger });
  t.after(() => redis.disconnect());

  const backend = createServer();
  const backendUrl = await listen(backend);
  // The worker gets a tracer of its own too: the default one would send to a daemon's default port.
  const worker = createWorkerApp({ db, tableName: TABLE, backendUrl, logger: recordingLogger([]), tracer: createTestTracer({ name: 'cruddur-worker' }).tracer });
  const workerUrl = await worker.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => worker.close());
  backend.on('request', createApp({ db, tableName: TABLE, workerUrl, logger, tracer, redis }));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        backend.close(() => resolve());
        backend.closeAllConnections();
      }),
  );

  const redisStatus = async (predicate: (status: string) => boolean): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (!predicate(redis.status)) {
      if (Date.now() > deadline) throw new Error(`Redis client still "${redis.status}" after 10 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await redisStatus((s) => s === 'ready');

  const call: FeedCacheStack['call'] = async (method, path, body, user = 'andrewbrown') => {
    const headers: Record<string, string> = { 'x-cruddur-user': user };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(backendUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const json: unknown = await res.json();
    const traceId = /Root=(1-[0-9a-f]{8}-[0-9a-f]{24})/.exec(res.headers.get('x-amzn-trace-id') ?? '')?.[1];
    if (!traceId) throw new Error(`${method} ${path}: no trace id in the response`);
    // The segment is emitted when the response has finished, which may be just after the client has it.
    const deadline = Date.now() + 5_000;
    for (;;) {
      const segment = emitter.segments.find((s) => s.trace_id === traceId && s.http?.request?.url?.endsWith(path));
      if (segment) return { status: res.status, body: json, segment };
      if (Date.now() > deadline) throw new Error(`${method} ${path}: no segment for trace ${traceId}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { redisServer, redis, log, call, redisStatus };
}
