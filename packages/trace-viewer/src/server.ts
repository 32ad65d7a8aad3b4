// The web side: static page, JSON API and a server-sent event stream of trace updates.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { FilterSyntaxError } from './filter/errors.js';
import { buildRedTable } from './graph/red.js';
import { buildServiceGraph } from './graph/service-graph.js';
import { GroupError, GroupStore } from './groups.js';
import { compileQuery, type TraceQuery } from './query.js';
import type { TraceStore } from './store.js';
import { summaryOf } from './store.js';
import type { TraceSummary, ViewerStats } from './types.js';
import { XRayApiError } from './xray-api/errors.js';
import { readJsonObject } from './xray-api/http.js';
import { handleXRayCall, XRAY_API_PATHS } from './xray-api/operations.js';

/** Options of {@link startWebServer}. */
export interface WebServerOptions {
  host: string;
  port: number;
  store: TraceStore;
  stats: () => ViewerStats;
  /** Facts the page shows, e.g. the UDP address to send to (`GET /api/info`). */
  info?: Readonly<Record<string, string | number | boolean>>;
  /** Folder with index.html and the browser scripts. Default: the package's `public/`. */
  publicDir?: string;
  /** Groups for filters, the graph and the X-Ray API. Default: only `Default`. */
  groups?: GroupStore;
  /** Trace summaries per GetTraceSummaries page. Default 100. */
  xrayPageSize?: number;
}

/** A listening web server. */
export interface WebServer {
  port: number;
  close(): Promise<void>;
}

const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

// Documents are untrusted input: the page renders them with textContent only, and the policy
// forbids inline script as a second line of defence.
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

/** How often coalesced trace updates are pushed to browsers. */
const PUSH_INTERVAL_MS = 250;
/** A browser that does not read its stream is cut off past this much queued output. */
const MAX_SSE_BACKLOG = 1024 * 1024;
/** Beyond this many changed traces in one push, browsers are told to reload the list instead. */
const MAX_PUSHED = 200;

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function hostnameOf(hostHeader: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(hostHeader);
  if (bracketed) return bracketed[1]!;
  return hostHeader.replace(/:\d+$/, '');
}

function send(res: ServerResponse, status: number, body: string, contentType: string, head: boolean): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

function sendJson(res: ServerResponse, status: number, value: unknown, head: boolean): void {
  let body: string;
  try {
    body = JSON.stringify(value);
  } catch {
    // A pathologically deep tree can exceed the stack while serialising; answer, don't crash.
    status = 500;
    body = JSON.stringify({ error: 'trace too deep to serialise' });
  }
  send(res, status, body, 'application/json; charset=utf-8', head);
}

/** Fan-out of store changes to every open event stream, coalesced per push interval. */
class EventHub {
  readonly #clients = new Set<ServerResponse>();
  readonly #updated = new Set<string>();
  readonly #evicted = new Set<string>();
  readonly #unsubscribe: () => void;
  readonly #timer: NodeJS.Timeout;
  readonly #store: TraceStore;
  readonly #stats: () => ViewerStats;

  constructor(store: TraceStore, stats: () => ViewerStats) {
    this.#store = store;
    this.#stats = stats;
    this.#unsubscribe = store.subscribe((event) => {
      if (this.#clients.size === 0) return;
      if (event.type === 'evicted') {
        this.#updated.delete(event.traceId);
        this.#evicted.add(event.traceId);
      } else {
        this.#updated.add(event.type === 'finished' ? event.trace.id : event.traceId);
      }
    });
    this.#timer = setInterval(() => this.#push(), PUSH_INTERVAL_MS);
    this.#timer.unref();
  }

  add(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
    });
    res.write('retry: 2000\n\n');
    this.#clients.add(res);
    const drop = (): void => {
      this.#clients.delete(res);
    };
    req.on('close', drop);
    res.on('error', drop);
  }

  #push(): void {
    if (this.#clients.size === 0) return;
    const reload = this.#updated.size > MAX_PUSHED;
    const updated: TraceSummary[] = [];
    if (!reload) {
      for (const id of this.#updated) {
        const summary = this.#store.getSummary(id);
        if (summary) updated.push(summary);
      }
    }
    const payload = { updated, evicted: reload ? [] : [...this.#evicted], reload, stats: this.#stats() };
    this.#updated.clear();
    this.#evicted.clear();
    const message = `event: traces\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const client of this.#clients) {
      if (client.writableLength > MAX_SSE_BACKLOG) {
        client.destroy();
        this.#clients.delete(client);
        continue;
      }
      client.write(message);
    }
  }

  close(): void {
    clearInterval(this.#timer);
    this.#unsubscribe();
    for (const client of this.#clients) client.end();
    this.#clients.clear();
  }
}

/** `?start=&end=&filter=&group=` of the page's API as a query; times in epoch seconds. */
function queryOf(url: URL): TraceQuery {
  const query: TraceQuery = {};
  const number = (name: string): number | undefined => {
    const raw = url.searchParams.get(name);
    const value = raw === null || raw === '' ? NaN : Number(raw);
    return Number.isFinite(value) ? value : undefined;
  };
  const start = number('start');
  const end = number('end');
  if (start !== undefined) query.startTime = start;
  if (end !== undefined) query.endTime = end;
  const filter = url.searchParams.get('filter');
  const group = url.searchParams.get('group');
  if (filter) query.filter = filter;
  if (group) query.group = group;
  return query;
}

/** The page's answer to a bad expression or group: 400 with the column to point at. */
function queryError(error: unknown): { status: number; body: Record<string, unknown> } | undefined {
  if (error instanceof FilterSyntaxError) {
    return { status: 400, body: { error: error.message, reason: error.reason, column: error.column, expression: error.expression } };
  }
  if (error instanceof GroupError) {
    const body: Record<string, unknown> = { error: error.message };
    if (error.syntax) body['column'] = error.syntax.column;
    return { status: 400, body };
  }
  return undefined;
}

function sendXRayError(res: ServerResponse, error: XRayApiError): void {
  const body = JSON.stringify({ __type: error.code, message: error.message, Message: error.message });
  res.writeHead(error.status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-errortype': error.code,
    'x-amzn-requestid': randomUUID(),
  });
  res.end(body);
}

// A client's bad input answers 400, never the 500 an escaped throw would become.
function requestUrl(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

function decodePathPart(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Starts the web view and API; resolves once listening, rejects if the port cannot be bound. */
export function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const publicDir = options.publicDir ?? PUBLIC_DIR;
  const groups = options.groups ?? new GroupStore();
  const xrayDeps = { store: options.store, groups, ...(options.xrayPageSize !== undefined ? { pageSize: options.xrayPageSize } : {}) };
  const hub = new EventHub(options.store, options.stats);
  const checkHost = isLoopback(options.host) || options.host === '::1';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // DNS rebinding guard: a page on another origin resolving to 127.0.0.1 must not read traces.
    if (checkHost && !isLoopback(hostnameOf(req.headers.host ?? ''))) {
      sendJson(res, 403, { error: 'forbidden host header' }, false);
      return;
    }
    const head = req.method === 'HEAD';
    const url = requestUrl(req.url);
    if (!url) {
      sendJson(res, 400, { error: 'malformed request target', target: req.url }, head);
      return;
    }
    const requestPath = url.pathname;
    if (req.method === 'POST' && XRAY_API_PATHS.has(requestPath)) {
      try {
        const result = handleXRayCall(requestPath, await readJsonObject(req), xrayDeps);
        const body = JSON.stringify(result);
        res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': randomUUID() });
        res.end(body);
      } catch (error) {
        if (error instanceof XRayApiError) sendXRayError(res, error);
        else throw error;
      }
      return;
    }
    if (req.method === 'POST' && requestPath === '/api/groups') {
      try {
        const body = await readJsonObject(req);
        const name = typeof body['name'] === 'string' ? body['name'] : '';
        const expression = typeof body['filterExpression'] === 'string' ? body['filterExpression'] : undefined;
        const group = groups.create(name, expression);
        sendJson(res, 201, { name: group.name, arn: group.arn, filterExpression: group.filterExpression }, false);
      } catch (error) {
        const answer = queryError(error);
        if (answer) sendJson(res, answer.status, answer.body, false);
        else if (error instanceof XRayApiError) sendJson(res, error.status, { error: error.message }, false);
        else throw error;
      }
      return;
    }
    if (req.method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD');
      sendJson(res, 405, { error: 'method not allowed' }, head);
      return;
    }
    const path = requestPath;

    if (path === '/api/traces') {
      const limit = Number(url.searchParams.get('limit') ?? NaN);
      const query = queryOf(url);
      if (Object.keys(query).length === 0) {
        sendJson(res, 200, options.store.listTraces(Number.isInteger(limit) && limit > 0 ? { limit } : {}), head);
        return;
      }
      try {
        const test = compileQuery(query, groups);
        const matching = options.store.allTraces().filter(test).map(summaryOf);
        sendJson(res, 200, Number.isInteger(limit) && limit > 0 ? matching.slice(0, limit) : matching, head);
      } catch (error) {
        const answer = queryError(error);
        if (!answer) throw error;
        sendJson(res, answer.status, answer.body, head);
      }
      return;
    }
    if (path === '/api/graph' || path === '/api/red') {
      // One query for both, so the RED table beside the graph covers exactly the graph's traces.
      const query = queryOf(url);
      try {
        const test = compileQuery(query, groups);
        const endTime = query.endTime ?? Date.now() / 1000;
        const selected = options.store.allTraces().filter(test);
        const answer = path === '/api/graph' ? buildServiceGraph(selected, { startTime: query.startTime ?? 0, endTime }) : buildRedTable(selected, { startTime: query.startTime, endTime });
        sendJson(res, 200, answer, head);
      } catch (error) {
        const answer = queryError(error);
        if (!answer) throw error;
        sendJson(res, answer.status, answer.body, head);
      }
      return;
    }
    if (path === '/api/groups') {
      sendJson(res, 200, groups.list().map((group) => ({ name: group.name, arn: group.arn, filterExpression: group.filterExpression })), head);
      return;
    }
    if (path.startsWith('/api/traces/')) {
      const id = decodePathPart(path.slice('/api/traces/'.length));
      if (id === undefined) {
        sendJson(res, 400, { error: 'malformed %-escape in the trace id', id: path.slice('/api/traces/'.length) }, head);
        return;
      }
      const trace = options.store.getTrace(id);
      if (trace) sendJson(res, 200, trace, head);
      else sendJson(res, 404, { error: 'trace not found', id }, head);
      return;
    }
    if (path === '/api/stats') {
      sendJson(res, 200, options.stats(), head);
      return;
    }
    if (path === '/api/info') {
      sendJson(res, 200, options.info ?? {}, head);
      return;
    }
    if (path === '/api/events') {
      hub.add(req, res);
      return;
    }
    if (path.startsWith('/api/')) {
      sendJson(res, 404, { error: 'not found' }, head);
      return;
    }
    // Only plain file names directly under public/: no path can climb out of it.
    const file = path === '/' ? 'index.html' : /^\/([a-z0-9-]+\.(?:html|js|css|svg))$/.exec(path)?.[1];
    if (file) {
      try {
        const body = await readFile(`${publicDir}/${file}`, 'utf8');
        send(res, 200, body, CONTENT_TYPES[file.split('.').pop()!]!, head);
        return;
      } catch {
        // Fall through to 404.
      }
    }
    send(res, 404, 'Not found\n', 'text/plain; charset=utf-8', head);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' }, false);
      else res.destroy();
    });
  });
  return new Promise<WebServer>((resolve, reject) => {
    server.once('error', (error) => {
      hub.close();
      reject(error);
    });
    server.listen(options.port, options.host, () => {
      const address = server.address();
      let closed: Promise<void> | undefined;
      resolve({
        port: typeof address === 'object' && address ? address.port : options.port,
        close: () => {
          closed ??= new Promise<void>((done) => {
            hub.close();
            server.close(() => done());
            // Event streams and keep-alive sockets would otherwise hold close() open.
            server.closeAllConnections();
          });
          return closed;
        },
      });
    });
  });
}

/** `http://host:port/` with IPv6 literals bracketed. */
export function httpUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${isIP(shown) === 6 ? `[${shown}]` : shown}:${port}/`;
}
