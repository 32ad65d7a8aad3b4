// Cost of the metrics path per request: what a finished request costs once metrics listen on the
// request-end channel (aggregation only: map lookups, counters, a histogram entry; no I/O), and
// the memory held after 10,000 distinct routes (bounded by the dimension set cap).
// Run: npm run bench:metrics -w @cruddur/bench [-- --quick]
import { channel } from 'node:diagnostics_channel';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { REQUEST_END_CHANNEL, type RequestEndEvent } from '../../../packages/middleware/src/internal.js';
import { createMetrics } from '../../../packages/middleware/src/metrics/index.js';
import { createTestTracer } from '../../../packages/middleware/src/testing/index.js';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;
const quick = process.argv.includes('--quick');
const N = quick ? 200_000 : 2_000_000;
const requestEnd = channel(REQUEST_END_CHANNEL);
const { tracer } = createTestTracer({ name: 'bench' });

// Requests as the integrations publish them: a few routes, both sampling decisions, some failures.
const ROUTES = ['/api/activities/home', '/api/activities/:handle', '/api/messages/:id', '/health'];
const events: RequestEndEvent[] = Array.from({ length: 64 }, (_, i) => {
  const segment = tracer.beginSegment({ name: 'bench', sampled: i % 4 === 0 });
  segment.close();
  return { segment, method: i % 3 === 0 ? 'POST' : 'GET', route: ROUTES[i % ROUTES.length], path: '/x', status: i % 16 === 0 ? 500 : 200, durationMs: 0.4 + (i % 13) * 1.7, contentLength: 11, userAgent: undefined, clientIp: undefined, aborted: false };
});

function publishAll(n: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) requestEnd.publish(events[i & 63]);
  return Number(process.hrtime.bigint() - start) / n;
}

function cpuPerRequest(): { bare: number; metrics: number } {
  // The integrations skip publishing when nobody listens: "bare" keeps one no-op listener so both
  // sides pay the same publish, and the difference is the aggregation alone.
  const noop = (): void => undefined;
  requestEnd.subscribe(noop);
  publishAll(N / 4);
  const bare = Math.min(publishAll(N), publishAll(N));
  requestEnd.unsubscribe(noop);
  const metrics = createMetrics({ output: 'off', flushIntervalMs: 3_600_000 }, {});
  requestEnd.subscribe(noop);
  publishAll(N / 4);
  const withMetrics = Math.min(publishAll(N), publishAll(N));
  requestEnd.unsubscribe(noop);
  void metrics.shutdown();
  return { bare, metrics: withMetrics };
}

async function memoryWithDistinctRoutes(routes: number, intervals: number): Promise<number[]> {
  let written = 0;
  const metrics = createMetrics({ output: () => written++, flushIntervalMs: 3_600_000 }, {});
  const segment = tracer.beginSegment({ name: 'bench', sampled: false });
  const heap: number[] = [];
  for (let round = 0; round < intervals; round++) {
    for (let i = 0; i < routes; i++) {
      requestEnd.publish({ segment, method: 'GET', route: `/generated/${round}/${i}/:id`, path: '/x', status: 200, durationMs: (i % 50) + 0.5, contentLength: 1, userAgent: undefined, clientIp: undefined, aborted: false } satisfies RequestEndEvent);
    }
    gc();
    heap.push(process.memoryUsage().heapUsed);
    await metrics.flush();
  }
  const overflowed = metrics.stats().overflowed;
  await metrics.shutdown();
  console.log(`  ${written} documents written over ${intervals} intervals; ${overflowed} requests counted under Other`);
  return heap;
}

const { bare, metrics } = cpuPerRequest();
console.log(`request-end publish, one no-op listener          ${bare.toFixed(0).padStart(6)} ns/request`);
console.log(`request-end publish, metrics aggregating          ${metrics.toFixed(0).padStart(6)} ns/request`);
console.log(`metrics aggregation path                          ${(metrics - bare).toFixed(0).padStart(6)} ns/request`);

gc();
const baseline = process.memoryUsage().heapUsed;
console.log('10,000 distinct routes per interval (default cap 1,000 dimension sets):');
const heap = await memoryWithDistinctRoutes(10_000, quick ? 3 : 6);
console.log(`  heap before: ${(baseline / 1048576).toFixed(1)} MiB; at the end of each interval: ${heap.map((h) => (h / 1048576).toFixed(1)).join(', ')} MiB`);
gc();
console.log(`  heap after the last flush: ${(process.memoryUsage().heapUsed / 1048576).toFixed(1)} MiB`);
