// Traces for the filter, service graph and X-Ray API tests: the backend → worker → backend round
// trip of the demo, plus a few single-service requests with annotations and failures.
import assert from 'node:assert/strict';
import { parseDatagram } from '../src/datagram.js';
import type { TraceStore } from '../src/store.js';
import { datagram, newId, newTraceId, type Doc } from './fixtures.js';

/** Adds documents to a store (each must be valid). */
export function addAll(store: TraceStore, docs: readonly Doc[]): void {
  for (const doc of docs) {
    const result = parseDatagram(datagram(doc));
    assert.ok(result.ok, result.ok ? '' : result.detail);
    store.add(result);
  }
}

/**
 * backend receives POST /api/messages, calls worker (remote subsegment), worker calls backend
 * back (GET /api/internal/user), and backend writes to DynamoDB. `status` is the entry status.
 */
export function roundTrip(options: { t0?: number; status?: number; workerStatus?: number; feed?: string; slow?: boolean; route?: string } = {}): { traceId: string; docs: Doc[] } {
  const t0 = options.t0 ?? Date.now() / 1000 - 1;
  const traceId = newTraceId(t0);
  const status = options.status ?? 200;
  const workerStatus = options.workerStatus ?? 200;
  const entry = newId();
  const callWorker = newId();
  const worker = newId();
  const callBack = newId();
  const back = newId();
  const flags = (s: number): Doc => (s >= 500 ? { fault: true } : s === 429 ? { error: true, throttle: true } : s >= 400 ? { error: true } : {});
  const total = options.slow ? 0.9 : 0.2;
  const docs: Doc[] = [
    {
      trace_id: traceId,
      id: entry,
      name: 'cruddur-backend',
      start_time: t0,
      end_time: t0 + total,
      http: { request: { method: 'POST', url: 'http://localhost:4567/api/messages', user_agent: 'curl/8.0', client_ip: '10.0.0.7' }, response: { status } },
      // `route` only when asked for: it is what the middleware records, and most fixtures predate it.
      annotations: { feed: options.feed ?? 'home', page: 2, cached: false, ...(options.route ? { route: options.route } : {}) },
      user: 'andrewbrown',
      ...flags(status),
      subsegments: [
        {
          id: callWorker,
          name: 'cruddur-worker',
          namespace: 'remote',
          start_time: t0 + 0.01,
          end_time: t0 + 0.1,
          traced: true,
          http: { request: { method: 'POST', url: 'http://127.0.0.1:4568/process' }, response: { status: workerStatus } },
          ...flags(workerStatus),
        },
        {
          id: newId(),
          name: 'DynamoDB',
          namespace: 'aws',
          start_time: t0 + 0.12,
          end_time: t0 + 0.15,
          aws: { operation: 'PutItem', table_name: 'cruddur-messages' },
          http: { response: { status: 200 } },
        },
      ],
    },
    {
      trace_id: traceId,
      id: worker,
      parent_id: callWorker,
      name: 'cruddur-worker',
      start_time: t0 + 0.015,
      end_time: t0 + 0.095,
      http: { request: { method: 'POST', url: 'http://127.0.0.1:4568/process' }, response: { status: workerStatus } },
      ...flags(workerStatus),
      ...(workerStatus >= 500 ? { cause: { exceptions: [{ id: newId(), type: 'QueueFullError', message: 'queue is full' }] } } : {}),
      subsegments: [
        {
          id: callBack,
          name: 'cruddur-backend',
          namespace: 'remote',
          start_time: t0 + 0.02,
          end_time: t0 + 0.05,
          traced: true,
          http: { request: { method: 'GET', url: 'http://127.0.0.1:4567/api/internal/user' }, response: { status: 200 } },
        },
      ],
    },
    {
      trace_id: traceId,
      id: back,
      parent_id: callBack,
      name: 'cruddur-backend',
      start_time: t0 + 0.022,
      end_time: t0 + 0.048,
      http: { request: { method: 'GET', url: 'http://127.0.0.1:4567/api/internal/user' }, response: { status: 200 } },
    },
  ];
  return { traceId, docs };
}

/** A single-service GET with the given status and annotations. */
export function single(options: { t0?: number; name?: string; status?: number; url?: string; annotations?: Doc; duration?: number } = {}): { traceId: string; docs: Doc[] } {
  const t0 = options.t0 ?? Date.now() / 1000 - 1;
  const traceId = newTraceId(t0);
  const status = options.status ?? 200;
  return {
    traceId,
    docs: [
      {
        trace_id: traceId,
        id: newId(),
        name: options.name ?? 'api.example.com',
        start_time: t0,
        end_time: t0 + (options.duration ?? 0.05),
        http: { request: { method: 'GET', url: options.url ?? 'http://api.example.com/api/game/1' }, response: { status } },
        annotations: options.annotations ?? {},
        ...(status >= 500 ? { fault: true } : status === 429 ? { error: true, throttle: true } : status >= 400 ? { error: true } : {}),
      },
    ],
  };
}
