// RED numbers per service and route (the table beside the service graph): the computation over
// the backend → worker → backend round trip and single-service requests, the route fallback and
// its cap, the filter expression of each row, and GET /api/red.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildRedTable, collapsePath, type RedRow, type RedTable } from '../src/graph/red.js';
import { buildServiceGraph } from '../src/graph/service-graph.js';
import { GroupStore } from '../src/groups.js';
import { startTraceViewer, type TraceViewer } from '../src/index.js';
import { selectTraces } from '../src/query.js';
import { TraceStore } from '../src/store.js';
import { addAll, roundTrip, single } from './graph-fixtures.js';

const GROUP_FILE = fileURLToPath(new URL('../../../aws/json/xray-group.json', import.meta.url));
const UUID = '3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5b';

/** Three round trips (one failing in the worker, one slow) and three game lookups (404, 429, 200). */
function fixtureTraces(t: number): Record<string, { traceId: string; docs: ReturnType<typeof single>['docs'] }> {
  return {
    ok: roundTrip({ t0: t, route: '/api/messages' }),
    fault: roundTrip({ t0: t + 1, status: 500, workerStatus: 500, route: '/api/messages' }),
    slow: roundTrip({ t0: t + 2, slow: true, route: '/api/messages' }),
    game404: single({ t0: t + 3, status: 404, url: 'http://api.example.com/api/game/7?lang=en' }),
    game429: single({ t0: t + 4, status: 429, url: 'http://api.example.com/api/game/8' }),
    // Annotated with the template its collapsed path also gives: one row, not two.
    gameOk: single({ t0: t + 5, url: `http://api.example.com/api/game/${UUID}`, annotations: { route: '/api/game/:id' } }),
  };
}

function setup(): { store: TraceStore; ids: Record<string, string>; t: number } {
  const store = new TraceStore({ finishAfterMs: 0 });
  const t = Date.now() / 1000 - 60;
  const traces = fixtureTraces(t);
  for (const trace of Object.values(traces)) addAll(store, trace.docs);
  store.sweep(Date.now() + 10_000);
  return { store, ids: Object.fromEntries(Object.entries(traces).map(([name, trace]) => [name, trace.traceId])), t };
}

function find(table: RedTable, service: string, route?: string): RedRow {
  const row = table.rows.find((r) => r.service === service && r.route === route);
  assert.ok(row, `no row for ${service} ${route ?? '(total)'}: ${table.rows.map((r) => `${r.service} ${r.route ?? ''}`).join(', ')}`);
  return row;
}

void describe('RED table', () => {
  const { store, ids, t } = setup();
  const window = { startTime: t - 60, endTime: t + 60 };
  const table = buildRedTable(store.allTraces(), window);

  void it('has a total and route rows per service, sorted by service then route; inferred nodes have none', () => {
    assert.equal(table.traceCount, 6);
    assert.equal(table.windowSeconds, 120);
    assert.deepEqual(
      table.rows.map((r) => [r.service, r.route ?? '', r.kind]),
      [
        ['api.example.com', '', 'service'],
        ['api.example.com', 'GET /api/game/:id', 'route'],
        ['cruddur-backend', '', 'service'],
        ['cruddur-backend', 'GET /api/internal/user', 'route'],
        ['cruddur-backend', 'POST /api/messages', 'route'],
        ['cruddur-worker', '', 'service'],
        ['cruddur-worker', 'POST /process', 'route'],
      ],
    );
  });

  void it('counts the round trip’s backend twice (the entry and the call back), each under its own route', () => {
    const backend = find(table, 'cruddur-backend');
    assert.equal(backend.requests, 6);
    assert.equal(backend.ratePerMinute, 3, 'six requests over two minutes');
    assert.equal(backend.faults, 1);
    assert.equal(backend.faultShare, 0.1667);
    assert.equal(backend.errorShare, 0);

    const messages = find(table, 'cruddur-backend', 'POST /api/messages');
    assert.equal(messages.source, 'annotation');
    assert.equal(messages.path, '/api/messages');
    assert.equal(messages.requests, 3);
    assert.equal(messages.ratePerMinute, 1.5);
    assert.equal(messages.faultShare, 0.3333);
    assert.equal(messages.p50Ms, 200);
    assert.equal(messages.p99Ms, 900);

    const callBack = find(table, 'cruddur-backend', 'GET /api/internal/user');
    assert.equal(callBack.source, 'url');
    assert.equal(callBack.requests, 3);
    assert.equal(callBack.faultShare, 0);
    assert.ok(callBack.p50Ms !== undefined && Math.abs(callBack.p50Ms - 26) < 0.01, String(callBack.p50Ms));

    const worker = find(table, 'cruddur-worker', 'POST /process');
    assert.equal(worker.requests, 3);
    assert.equal(worker.faults, 1);
    assert.equal(worker.faultShare, 0.3333);
  });

  void it('counts 4xx including 429 as errors and collapses ids in the path', () => {
    const game = find(table, 'api.example.com', 'GET /api/game/:id');
    assert.equal(game.requests, 3);
    assert.equal(game.errors, 1);
    assert.equal(game.throttles, 1);
    assert.equal(game.errorShare, 0.6667);
    assert.equal(game.faultShare, 0);
    assert.equal(game.source, 'url', 'annotated and unannotated requests share the row; the URL lists both');
  });

  void it('agrees with the service graph’s node for the same traces', () => {
    const graph = buildServiceGraph(store.allTraces(), window);
    for (const node of graph.nodes.filter((n) => n.kind === 'service')) {
      const row = find(table, node.name);
      assert.deepEqual([row.requests, row.faults, row.errors, row.throttles, row.p50Ms, row.p99Ms], [node.stats.total, node.stats.fault, node.stats.error, node.stats.throttle, node.stats.p50Ms, node.stats.p99Ms], node.name);
    }
  });

  void it('gives each row a filter expression that lists its traces', () => {
    const groups = new GroupStore();
    const names = (expression: string): string[] => {
      const matched = new Set(selectTraces(store, { filter: expression }, groups).map((trace) => trace.id));
      return Object.keys(ids)
        .filter((name) => matched.has(ids[name]!))
        .sort();
    };
    const messages = find(table, 'cruddur-backend', 'POST /api/messages');
    assert.equal(messages.filter, 'service("cruddur-backend") { http.method = "POST" } AND annotation.route = "/api/messages"');
    assert.deepEqual(names(messages.filter), ['fault', 'ok', 'slow']);
    const callBack = find(table, 'cruddur-backend', 'GET /api/internal/user');
    assert.equal(callBack.filter, 'service("cruddur-backend") { http.method = "GET" AND http.url CONTAINS "/api/internal/user" }');
    assert.deepEqual(names(callBack.filter), ['fault', 'ok', 'slow']);
    const game = find(table, 'api.example.com', 'GET /api/game/:id');
    assert.equal(game.filter, 'service("api.example.com") { http.method = "GET" AND http.url CONTAINS "/api/game/" }');
    assert.deepEqual(names(game.filter), ['game404', 'game429', 'gameOk']);
    assert.equal(find(table, 'cruddur-worker').filter, 'service("cruddur-worker")');
    assert.deepEqual(names(find(table, 'cruddur-worker').filter), ['fault', 'ok', 'slow']);
  });

  void it('without a start, rates over the span since the first request', () => {
    const open = buildRedTable(store.allTraces(), { startTime: undefined, endTime: t + 120 });
    assert.equal(open.startTime, Math.floor(t));
    assert.equal(find(open, 'cruddur-worker').ratePerMinute, Math.round((3 / ((t + 120 - Math.floor(t)) / 60)) * 1000) / 1000);
  });

  void it('keeps the busiest routes per service and folds the rest into "other"', () => {
    const many = new TraceStore({ finishAfterMs: 0 });
    const t0 = Date.now() / 1000 - 30;
    // Five requests to /api/home, then one each to twelve distinct words: an unbounded set.
    for (let i = 0; i < 5; i++) addAll(many, single({ t0: t0 + i * 0.01, name: 'svc', url: 'http://svc/api/home' }).docs);
    for (let i = 0; i < 12; i++) addAll(many, single({ t0: t0 + 1 + i * 0.01, name: 'svc', url: `http://svc/api/page-${String.fromCharCode(97 + i)}`, status: i === 0 ? 503 : 200 }).docs);
    many.sweep(Date.now() + 10_000);
    const capped = buildRedTable(many.allTraces(), { startTime: t0 - 30, endTime: t0 + 30 }, { maxRoutes: 3 });
    assert.deepEqual(
      capped.rows.map((r) => [r.route ?? '', r.requests, r.folded]),
      [
        ['', 17, 0],
        ['GET /api/home', 5, 0],
        ['GET /api/page-a', 1, 0],
        ['GET /api/page-b', 1, 0],
        ['other', 10, 10],
      ],
    );
    const other = capped.rows.at(-1)!;
    assert.equal(other.kind, 'other');
    assert.equal(other.filter, 'service("svc")');
    assert.equal(other.faults, 0, 'the 503 went to /api/page-a, a kept row');
  });

  void it('collapses numeric, uuid and token-like path segments and never keeps host, query or depth', () => {
    const cases: Array<[string, string]> = [
      ['http://localhost:4567/api/messages', '/api/messages'],
      ['http://api.example.com/api/game/7?lang=en#top', '/api/game/:id'],
      [`https://x/api/messages/${UUID}/replies/12`, '/api/messages/:id/replies/:id'],
      ['/api/users/5f2b0c9a8d7e6f5a4b3c2d1e/avatar', '/api/users/:id/avatar'],
      ['/api/activities/notifications', '/api/activities/notifications'],
      ['/t/01HZX3K8Q9V2M4N6P7R8S9T0AB', '/t/:id'],
      ['/a/b/c/d/e/f/g/h/i/j', '/a/b/c/d/e/f/g/h/…'],
      [`/files/${'x'.repeat(100)}`, '/files/:id'],
      ['api/plain', '/api/plain'],
    ];
    for (const [url, expected] of cases) assert.equal(collapsePath(url), expected, url);
  });

  void it('quotes names with quotes and backslashes so the expression still parses', () => {
    const odd = new TraceStore({ finishAfterMs: 0 });
    addAll(odd, single({ name: 'odd"name\\x', url: 'http://h/a"b' }).docs);
    odd.sweep(Date.now() + 10_000);
    const rows = buildRedTable(odd.allTraces(), { startTime: 0, endTime: Date.now() / 1000 }).rows;
    assert.equal(rows.length, 2);
    for (const row of rows) assert.equal(selectTraces(odd, { filter: row.filter }, new GroupStore()).length, 1, row.filter);
  });
});

void describe('GET /api/red', () => {
  let viewer: TraceViewer;
  const t = Date.now() / 1000 - 60;
  const base = (): string => viewer.url!.slice(0, -1);

  before(async () => {
    viewer = await startTraceViewer({ udpPort: 0, httpPort: 0, finishAfterMs: 0, groupFiles: [GROUP_FILE] });
    for (const trace of [...Object.values(fixtureTraces(t)), single({ t0: t - 7200 })]) addAll(viewer.store, trace.docs);
    viewer.store.sweep(Date.now() + 10_000);
  });
  after(async () => {
    await viewer.close();
  });

  void it('answers the table for the window, group and filter of the graph', async () => {
    const start = Math.floor(t - 60);
    const end = Math.ceil(t + 60);
    const res = await fetch(`${base()}/api/red?start=${start}&end=${end}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const table = (await res.json()) as RedTable;
    assert.equal(table.traceCount, 6, 'the two-hour-old trace is outside the window');
    assert.equal(table.windowSeconds, end - start);
    assert.equal(find(table, 'cruddur-backend', 'POST /api/messages').requests, 3);
    assert.equal(find(table, 'api.example.com').requests, 3);

    const grouped = (await (await fetch(`${base()}/api/red?start=${start}&end=${end}&group=Cruddur`)).json()) as RedTable;
    assert.deepEqual([...new Set(grouped.rows.map((r) => r.service))], ['cruddur-backend', 'cruddur-worker']);

    const filtered = (await (await fetch(`${base()}/api/red?start=${start}&end=${end}&filter=${encodeURIComponent('fault')}`)).json()) as RedTable;
    assert.equal(filtered.traceCount, 1);
    assert.equal(find(filtered, 'cruddur-worker').faultShare, 1);
  });

  void it('answers a bad expression or group with 400 and the column', async () => {
    const res = await fetch(`${base()}/api/red?filter=${encodeURIComponent('responsetime > "slow"')}`);
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { column: number }).column, 16);
    assert.equal((await fetch(`${base()}/api/red?group=Nope`)).status, 400);
  });
});
