// The whole Cruddur stack on the loopback, started the way `npm run demo` runs it: an embedded
// DynamoDB (dynalite, in memory) with the table and seed data, the trace viewer's receiver, an
// optional local Rollbar endpoint, and the worker and the backend as separate Node processes.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '@cruddur/backend/dist/db/client.js';
import { ensureTable } from '@cruddur/backend/dist/db/schema.js';
import { seed, type SeedSummary } from '@cruddur/backend/dist/db/seed.js';
import { startDynalite, startRollbarServer, type DynaliteHandle, type RollbarServer } from '@cruddur/fakes';
import { startTraceViewer, type TraceViewer } from '@cruddur/trace-viewer';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { traceIdOf, type LogLine } from './logs.js';
import { startServiceProcess, type ExitStatus, type ServiceProcess } from './service-process.js';

/** Everything binds here: nothing of the demo is reachable from another machine. */
export const LOOPBACK = '127.0.0.1';

/** The ports `npm run demo` uses unless told otherwise. */
export const DEFAULT_PORTS = Object.freeze({ backend: 4567, worker: 4568, tracesUdp: 2000, tracesHttp: 2001 });

export const DEFAULT_TABLE = 'cruddur-messages';

/** How often the services write their metrics in the demo. */
export const METRICS_INTERVAL_MS = 3000;

/**
 * How each service's traces reach the viewer, so every trace shows both transports merging into
 * one: the backend keeps the X-Ray daemon protocol (UDP), the worker sends OTLP/HTTP only.
 */
export const TRANSPORTS = Object.freeze({
  backend: 'X-Ray daemon protocol (UDP)',
  worker: 'OTLP/HTTP (OTEL_TRACES_EXPORTER=otlp)',
});

/** The environment behind {@link TRANSPORTS}; `StackOptions.env` still wins. */
const TRANSPORT_ENV: Record<'backend' | 'worker', Record<string, string>> = {
  backend: {},
  // Batches leave within 50 ms (default 5 s), well inside the viewer's quiet period.
  worker: { OTEL_TRACES_EXPORTER: 'otlp', OTEL_BSP_SCHEDULE_DELAY: '50' },
};

/**
 * The sampling rules the services get: every request traced, health checks not. Read from src/
 * both by the built code (dist/) and under tsx (src/).
 */
export const SAMPLING_RULES_FILE = fileURLToPath(new URL('../src/sampling-rules.json', import.meta.url));

/** What each port of the stack is for (named in errors). */
export type PortRole = 'backend' | 'worker' | 'tracesUdp' | 'tracesHttp';

const ROLE_LABEL: Record<PortRole, string> = {
  backend: 'backend API (TCP)',
  worker: 'worker API (TCP)',
  tracesUdp: 'trace receiver (UDP, X-Ray daemon protocol)',
  tracesHttp: 'trace web view (TCP)',
};

/** A port of the stack that something else already holds. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(
    readonly role: PortRole,
    readonly port: number,
    cause?: unknown,
  ) {
    super(`port ${port} on ${LOOPBACK} (${ROLE_LABEL[role]}) is already in use`, { cause });
  }
}

export interface StackOptions {
  /** Backend port. Default 4567; 0 picks a free one. */
  backendPort?: number;
  /** Worker port. Default 4568; 0 picks a free one. */
  workerPort?: number;
  /** Trace receiver UDP port (where the services send segments). Default 2000; 0 picks a free one. */
  tracesUdpPort?: number;
  /** Trace web view port. Default 2001; 0 picks a free one. */
  tracesHttpPort?: number;
  /** Start a local Rollbar endpoint and send both services' reports there. Default false. */
  rollbar?: boolean;
  /** DynamoDB table. Default `cruddur-messages`. */
  tableName?: string;
  /** Quiet period after which the viewer counts a trace as finished. Default 300 ms. */
  finishAfterMs?: number;
  /** stdout lines kept per service. Default 5000. */
  maxLogLines?: number;
  /** Limit for each service to answer its health check. Default 20 s. */
  startTimeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL when stopping a service. Default 5 s. */
  stopGraceMs?: number;
  /** Extra environment for both services (wins over the stack's). */
  env?: Record<string, string>;
  /** Progress messages while starting and stopping. */
  onProgress?: (message: string) => void;
}

/** How the stack ended. */
export interface StopResult {
  backend: ExitStatus;
  worker: ExitStatus;
}

/** A running stack. */
export interface Stack {
  readonly backendUrl: string;
  readonly workerUrl: string;
  readonly dynamodbEndpoint: string;
  readonly tableName: string;
  readonly seeded: SeedSummary;
  /** The trace viewer: `store` (listTraces, getTrace, waitForTrace), `url`, `daemonAddress`. */
  readonly traces: TraceViewer;
  /** The web view, e.g. `http://127.0.0.1:2001/`. */
  readonly tracesUrl: string;
  /** The local Rollbar endpoint (with `rollbar: true`). */
  readonly rollbar: RollbarServer | undefined;
  readonly backend: ServiceProcess;
  readonly worker: ServiceProcess;
  /** Log lines of both services, in time order. */
  logs(): LogLine[];
  /** The log lines of both services that carry `traceId`, in time order. */
  logsForTrace(traceId: string): LogLine[];
  /** Resolves with the matching lines once `predicate` matches one; rejects after `timeoutMs`. */
  waitForLogs(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine[]>;
  /** Stops the services (SIGTERM, then SIGKILL after the grace period) and closes every server. Safe to call twice. */
  stop(): Promise<StopResult>;
}

/** Where a workspace app's built server is. */
export function serviceEntry(packageName: '@cruddur/backend' | '@cruddur/worker'): string {
  const require = createRequire(import.meta.url);
  const entry = join(dirname(require.resolve(`${packageName}/package.json`)), 'dist', 'server.js');
  if (!existsSync(entry)) {
    throw new Error(`${entry} does not exist: build the apps first (npm run build -w ${packageName}, or npx turbo run build --filter=@cruddur/demo...)`);
  }
  return entry;
}

/** Starts the whole stack; on any failure, stops what had started and rethrows. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const progress = options.onProgress ?? (() => undefined);
  const tableName = options.tableName ?? DEFAULT_TABLE;
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  const stopGraceMs = options.stopGraceMs ?? 5_000;
  const maxLogLines = options.maxLogLines ?? 5_000;
  const entries = { backend: serviceEntry('@cruddur/backend'), worker: serviceEntry('@cruddur/worker') };

  const requested = {
    backend: checkPort('backendPort', options.backendPort, DEFAULT_PORTS.backend),
    worker: checkPort('workerPort', options.workerPort, DEFAULT_PORTS.worker),
    tracesUdp: checkPort('tracesUdpPort', options.tracesUdpPort, DEFAULT_PORTS.tracesUdp),
    tracesHttp: checkPort('tracesHttpPort', options.tracesHttpPort, DEFAULT_PORTS.tracesHttp),
  };

  // Undone in reverse order on failure and by stop().
  const closers: { name: string; close: () => Promise<unknown> }[] = [];
  const closeAll = async (): Promise<void> => {
    let first: unknown;
    for (const { name, close } of closers.splice(0).reverse()) {
      try {
        progress(`stopping ${name}`);
        await close();
      } catch (error) {
        first ??= error;
      }
    }
    if (first !== undefined) throw first;
  };

  const services: ServiceProcess[] = [];
  const killServices = (): void => {
    for (const service of services) service.killNow();
  };
  process.once('exit', killServices);

  try {
    // TCP ports first, so a taken one is reported before anything starts.
    await assertTcpPortFree('backend', requested.backend);
    await assertTcpPortFree('worker', requested.worker);
    await assertTcpPortFree('tracesHttp', requested.tracesHttp);
    // The services must know each other's URL before they start, so port 0 is resolved here.
    const [backendPort, workerPort] = await resolvePorts([requested.backend, requested.worker]);
    const backendUrl = `http://${LOOPBACK}:${String(backendPort)}`;
    const workerUrl = `http://${LOOPBACK}:${String(workerPort)}`;

    progress('starting DynamoDB (dynalite, in memory)');
    const dynamo: DynaliteHandle = await startDynalite({ host: LOOPBACK, port: 0 });
    closers.push({ name: 'DynamoDB', close: () => dynamo.close() });
    const seeded = await createTableAndSeed(dynamo.endpoint, tableName);
    progress(`table ${tableName}: ${seeded.users} users, ${seeded.activities} activities, ${seeded.replies} replies, ${seeded.messages} messages`);

    progress('starting the trace receiver');
    const traces = await startTraces(requested.tracesUdp, requested.tracesHttp, options.finishAfterMs ?? 300);
    closers.push({ name: 'trace receiver', close: () => traces.close() });

    let rollbar: RollbarServer | undefined;
    if (options.rollbar) {
      rollbar = await startRollbarServer({ host: LOOPBACK, port: 0 });
      const server = rollbar;
      closers.push({ name: 'Rollbar endpoint', close: () => server.close() });
    }

    const common = serviceEnvironment(process.env, {
      HOST: LOOPBACK,
      // A fresh shared secret for the calls between the two services, so the demo runs the worker
      // as it should be run (authenticated) without the newcomer arranging anything.
      CRUDDUR_INTERNAL_TOKEN: randomBytes(32).toString('hex'),
      // The tour's induced error (a route mounted only for the demo).
      CRUDDUR_DEMO_ROUTES: '1',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      DDB_MESSAGE_TABLE: tableName,
      AWS_XRAY_DAEMON_ADDRESS: traces.daemonAddress,
      // Where the worker's OTLP exporter sends (see TRANSPORTS); the backend ignores it.
      ...(traces.otlpEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: traces.otlpEndpoint } : {}),
      CRUDDUR_XRAY_SAMPLING_RULES: SAMPLING_RULES_FILE,
      // EMF metrics on stdout every few seconds (60 s by default), so the demo can show them.
      CRUDDUR_METRICS_NAMESPACE: 'Cruddur',
      CRUDDUR_METRICS_FLUSH_INTERVAL_MS: String(METRICS_INTERVAL_MS),
      ...(rollbar ? { ROLLBAR_ACCESS_TOKEN: 'local-demo-token', ROLLBAR_ENDPOINT: rollbar.itemUrl, ROLLBAR_ENVIRONMENT: 'demo' } : {}),
      ...options.env,
    });

    progress('starting cruddur-worker and cruddur-backend');
    const worker = startServiceProcess({
      name: 'cruddur-worker',
      entry: entries.worker,
      env: { ...common, ...TRANSPORT_ENV.worker, ...options.env, PORT: String(workerPort), BACKEND_URL: backendUrl },
      url: workerUrl,
      healthPath: '/health',
      maxLogLines,
    });
    services.push(worker);
    closers.push({ name: 'cruddur-worker', close: () => worker.stop(stopGraceMs) });
    const backend = startServiceProcess({
      name: 'cruddur-backend',
      entry: entries.backend,
      env: { ...common, PORT: String(backendPort), WORKER_URL: workerUrl },
      url: backendUrl,
      healthPath: '/api/health-check',
      maxLogLines,
    });
    services.push(backend);
    closers.push({ name: 'cruddur-backend', close: () => backend.stop(stopGraceMs) });
    await Promise.all([worker.waitHealthy(startTimeoutMs), backend.waitHealthy(startTimeoutMs)]);

    const logs = (): LogLine[] => mergeByTime([backend.logs(), worker.logs()]);
    const logsForTrace = (traceId: string): LogLine[] => logs().filter((line) => traceIdOf(line) === traceId);

    let stopping: Promise<StopResult> | undefined;
    const stop = (): Promise<StopResult> => {
      stopping ??= (async () => {
        // The services go first: on SIGTERM they flush segments, logs and reports to the
        // receivers, which therefore stay up until the services are gone.
        progress('stopping cruddur-backend and cruddur-worker');
        const [backendExit, workerExit] = await Promise.all([backend.stop(stopGraceMs), worker.stop(stopGraceMs)]);
        for (const service of [backend, worker]) {
          const index = closers.findIndex((c) => c.name === service.name);
          if (index >= 0) closers.splice(index, 1);
        }
        process.off('exit', killServices);
        await closeAll();
        return { backend: backendExit, worker: workerExit };
      })();
      return stopping;
    };

    return {
      backendUrl,
      workerUrl,
      dynamodbEndpoint: dynamo.endpoint,
      tableName,
      seeded,
      traces,
      tracesUrl: traces.url ?? '',
      rollbar,
      backend,
      worker,
      logs,
      logsForTrace,
      waitForLogs: (predicate, timeoutMs = 5000) => waitForLogs([backend, worker], predicate, timeoutMs),
      stop,
    };
  } catch (error) {
    await closeAll().catch(() => undefined);
    process.off('exit', killServices);
    throw error;
  }
}

/**
 * The services' environment: the parent's, minus anything that would reach AWS, Rollbar or a
 * log group, or change how the services behave (AWS_*, ROLLBAR_*, CRUDDUR_*, OTEL_*, npm's
 * `npm_*`, the test runner's NODE_TEST_CONTEXT), plus the stack's settings.
 */
export function serviceEnvironment(parent: NodeJS.ProcessEnv, settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(parent)) {
    if (/^(AWS_|ROLLBAR_|CRUDDUR_|OTEL_|npm_)/i.test(key) || key === 'NODE_TEST_CONTEXT') continue;
    env[key] = value;
  }
  return {
    ...env,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    // Placeholder credentials: dynalite accepts any signature, and nothing else of AWS is called.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_EC2_METADATA_DISABLED: 'true',
    // Local rules only: there is no daemon to ask for centralized ones.
    CRUDDUR_XRAY_CENTRALIZED_SAMPLING: 'false',
    // One JSON object per line on stdout, whatever the terminal.
    CRUDDUR_LOG_CONSOLE: 'json',
    ...settings,
  };
}

async function createTableAndSeed(endpoint: string, tableName: string): Promise<SeedSummary> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    await ensureTable(client, tableName, { timeoutMs: 10_000 });
    return await seed(createDocumentClient(client), tableName);
  } finally {
    client.destroy();
  }
}

async function startTraces(udpPort: number, httpPort: number, finishAfterMs: number): Promise<TraceViewer> {
  try {
    // OTLP on a free port: 4318 is often held by a local collector, and nothing expects it fixed here.
    return await startTraceViewer({ host: LOOPBACK, udpPort, httpPort, otlpPort: 0, finishAfterMs, maxTraces: 500 });
  } catch (error) {
    if (errorCode(error) === 'EADDRINUSE' || errorCode(error) === 'EACCES') {
      const port = (error as { port?: number }).port;
      const syscall = (error as { syscall?: string }).syscall;
      if (syscall === 'bind' || port === udpPort) throw new PortInUseError('tracesUdp', udpPort, error);
      throw new PortInUseError('tracesHttp', httpPort, error);
    }
    throw error;
  }
}

function checkPort(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new RangeError(`${name} must be an integer 0-65535, got ${String(value)}`);
  return value;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

async function listen(port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: LOOPBACK, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Throws {@link PortInUseError} when `port` cannot be bound on the loopback (0 always can). */
async function assertTcpPortFree(role: PortRole, port: number): Promise<void> {
  if (port === 0) return;
  let server: Server;
  try {
    server = await listen(port);
  } catch (error) {
    if (errorCode(error) === 'EADDRINUSE' || errorCode(error) === 'EACCES') throw new PortInUseError(role, port, error);
    throw error;
  }
  await closeServer(server);
}

/** The ports as given, with each 0 replaced by a distinct free port. */
async function resolvePorts(ports: number[]): Promise<number[]> {
  const held: Server[] = [];
  try {
    const result: number[] = [];
    for (const port of ports) {
      if (port !== 0) {
        result.push(port);
        continue;
      }
      // Kept listening until all are chosen, so two zeros never get the same port.
      const server = await listen(0);
      held.push(server);
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('cannot find a free port');
      result.push(address.port);
    }
    return result;
  } finally {
    await Promise.all(held.map(closeServer));
  }
}

/** Lines of several sources merged by their own timestamp (read time when they have none). */
function mergeByTime(sources: (readonly LogLine[])[]): LogLine[] {
  const key = (line: LogLine): number => {
    const stamp = line.entry?.timestamp;
    const parsed = typeof stamp === 'string' ? Date.parse(stamp) : Number.NaN;
    return Number.isNaN(parsed) ? line.receivedAt : parsed;
  };
  return sources
    .flat()
    .map((line, index) => ({ line, index, at: key(line) }))
    .sort((a, b) => a.at - b.at || a.index - b.index)
    .map((x) => x.line);
}

async function waitForLogs(services: ServiceProcess[], predicate: (line: LogLine) => boolean, timeoutMs: number): Promise<LogLine[]> {
  const current = (): LogLine[] => mergeByTime(services.map((s) => s.logs())).filter(predicate);
  const now = current();
  if (now.length > 0) return now;
  const unsubscribers: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no matching log line after ${timeoutMs} ms`)), timeoutMs);
      for (const service of services) {
        unsubscribers.push(
          service.onLog((line) => {
            if (predicate(line)) resolve();
          }),
        );
      }
    });
  } finally {
    clearTimeout(timer);
    for (const unsubscribe of unsubscribers) unsubscribe();
  }
  return current();
}
