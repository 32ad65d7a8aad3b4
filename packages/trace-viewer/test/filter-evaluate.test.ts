// Filter expressions over stored traces: each documented kind of condition with the traces it
// must (and must not) match, including the backend → worker → backend round trip.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupStore } from '../src/groups.js';
import { selectTraces } from '../src/query.js';
import { TraceStore } from '../src/store.js';
import { addAll, roundTrip, single } from './graph-fixtures.js';

function setup(): { store: TraceStore; groups: GroupStore; ids: Record<string, string> } {
  const store = new TraceStore({ finishAfterMs: 0 });
  const groups = new GroupStore();
  const t = Date.now() / 1000 - 60;
  const traces = {
    ok: roundTrip({ t0: t }),
    slow: roundTrip({ t0: t + 1, slow: true, feed: 'notifications' }),
    workerFault: roundTrip({ t0: t + 2, status: 500, workerStatus: 500 }),
    game404: single({ t0: t + 3, status: 404, url: 'http://api.example.com/api/game/7', annotations: { gameid: '817DL6VO', age: 31 } }),
    throttled: single({ t0: t + 4, status: 429, url: 'http://api.example.com/v2/scores', annotations: { age: 12, isEnabled: true } }),
    other: single({ t0: t + 5, name: 'backend.example.com', status: 200, url: 'http://api.example.com/v2/items', duration: 6 }),
  };
  for (const trace of Object.values(traces)) addAll(store, trace.docs);
  store.sweep(Date.now() + 10_000);
  const ids = Object.fromEntries(Object.entries(traces).map(([name, trace]) => [name, trace.traceId]));
  return { store, groups, ids };
}

void describe('filter evaluation', () => {
  const { store, groups, ids } = setup();
  const names = (expression: string, group?: string): string[] => {
    const matched = new Set(selectTraces(store, { filter: expression, ...(group ? { group } : {}) }, groups).map((t) => t.id));
    return Object.keys(ids)
      .filter((name) => matched.has(ids[name]!))
      .sort();
  };

  const CASES: Array<[string, string[]]> = [
    ['responsetime > 5', ['other']],
    ['responsetime > 0.5', ['other', 'slow']],
    ['duration >= 0.1 AND duration <= 1', ['ok', 'slow', 'workerFault']],
    ['ok', ['ok', 'other', 'slow']],
    ['fault', ['workerFault']],
    ['error', ['game404', 'throttled']],
    ['error AND !throttle', ['game404']],
    ['throttle', ['throttled']],
    ['http.status = 404', ['game404']],
    ['http.status != 200', ['game404', 'throttled', 'workerFault']],
    ['http.method = "POST"', ['ok', 'slow', 'workerFault']],
    ['http.url CONTAINS "/api/game/"', ['game404']],
    ['http.url BEGINSWITH "http://api.example.com/" AND http.url CONTAINS "/v2/" AND !service("api.example.com")', ['other']],
    ['http.url ENDSWITH "/messages"', ['ok', 'slow', 'workerFault']],
    ['http.useragent = "curl/8.0"', ['ok', 'slow', 'workerFault']],
    ['http.clientip = "10.0.0.7" AND responsetime < 0.5', ['ok', 'workerFault']],
    ['user = "andrewbrown"', ['ok', 'slow', 'workerFault']],
    ['annotation.gameid = "817DL6VO"', ['game404']],
    ['annotation.age > 29', ['game404']],
    ['annotation.age', ['game404', 'throttled']],
    ['!annotation.age', ['ok', 'other', 'slow', 'workerFault']],
    ['annotation.isEnabled = true', ['throttled']],
    ['annotation.cached = false AND annotation.page = 2', ['ok', 'slow', 'workerFault']],
    ['annotation.feed = "home" AND responsetime > 0.1', ['ok', 'workerFault']],
    ['annotation.feed != "home"', ['slow']],
    ['annotation[feed] BEGINSWITH "notif"', ['slow']],
    ['service("cruddur-worker")', ['ok', 'slow', 'workerFault']],
    ['service("cruddur-backend") { fault OR error }', ['workerFault']],
    ['service("cruddur-worker") { fault }', ['workerFault']],
    ['service("cruddur-backend") { http.url CONTAINS "/internal/" }', ['ok', 'slow', 'workerFault']],
    ['service("cruddur-backend") { root AND responsetime > 0.5 }', ['slow']],
    ['service() { throttle }', ['throttled']],
    ['service("DynamoDB")', ['ok', 'slow', 'workerFault']],
    ['service(id(name: "DynamoDB", type: "AWS::DynamoDB::Table"))', ['ok', 'slow', 'workerFault']],
    ['service(id(name: "DynamoDB", type: "remote"))', []],
    ['edge("cruddur-backend", "cruddur-worker")', ['ok', 'slow', 'workerFault']],
    ['edge("cruddur-worker", "cruddur-backend")', ['ok', 'slow', 'workerFault']],
    ['edge("cruddur-backend", "cruddur-worker") { fault }', ['workerFault']],
    ['edge("cruddur-worker", "cruddur-backend") { fault }', []],
    ['edge("cruddur-worker", "cruddur-backend") { responsetime < 0.04 AND http.method = "GET" }', ['ok', 'slow', 'workerFault']],
    ['edge("cruddur-backend", "DynamoDB")', ['ok', 'slow', 'workerFault']],
    ['rootcause.fault.service { name = "cruddur-worker" }', ['workerFault']],
    ['rootcause.fault.exception { name = "QueueFullError" AND message CONTAINS "full" }', ['workerFault']],
    ['rootcause.fault.entity { name = "cruddur-worker" }', ['workerFault']],
    ['rootcause.error.service { name = "api.example.com" }', ['game404', 'throttled']],
    ['NOT (fault OR error) AND service("api.example.com")', []],
    ['(fault OR throttle) AND http.status >= 429', ['throttled', 'workerFault']],
    ['partial', []],
    ['inferred', ['ok', 'slow', 'workerFault']],
  ];
  for (const [expression, expected] of CASES) {
    void it(`${expression} → ${expected.join(', ') || 'nothing'}`, () => {
      assert.deepEqual(names(expression), expected);
    });
  }

  void it('narrows to a group and resolves group.name', () => {
    groups.create('Cruddur', 'service("cruddur-backend")');
    groups.create('CruddurFailing', 'service("cruddur-backend") { fault OR error }');
    assert.deepEqual(names('', 'Cruddur'), ['ok', 'slow', 'workerFault']);
    assert.deepEqual(names('responsetime > 0.5', 'Cruddur'), ['slow']);
    assert.deepEqual(names('group.name = "CruddurFailing"'), ['workerFault']);
    assert.deepEqual(names('group.name BEGINSWITH "Cruddur" AND !fault'), ['ok', 'slow']);
  });

  void it('does not loop on a group that names itself', () => {
    groups.create('Loop', 'group.name = "Loop" OR fault');
    assert.deepEqual(names('group.name = "Loop"'), ['workerFault']);
  });
});
