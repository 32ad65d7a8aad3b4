// The performance targets: with 100,000 stored segments, one filter expression over every
// trace (≤ 100 ms) and the last hour's service graph from the API (≤ 200 ms). Prints medians.
// Run: npm run query-bench -w @cruddur/trace-viewer
import { compileQuery } from '../src/query.js';
import { startTraceViewer } from '../src/index.js';
import { addAll, roundTrip } from '../test/graph-fixtures.js';

const SEGMENTS = 100_000;
const PER_TRACE = 3;
const traces = Math.ceil(SEGMENTS / PER_TRACE);
const viewer = await startTraceViewer({ udpPort: 0, httpPort: 0, maxTraces: traces, maxBytes: 512 * 1024 * 1024, finishAfterMs: 0 });
const now = Date.now() / 1000;
for (let i = 0; i < traces; i++) {
  addAll(viewer.store, roundTrip({ t0: now - 3000 + (i * 3000) / traces, status: i % 50 === 0 ? 500 : 200, workerStatus: i % 50 === 0 ? 500 : 200, feed: i % 3 === 0 ? 'home' : 'notifications', slow: i % 7 === 0 }).docs);
}
viewer.store.sweep(Date.now() + 10_000);
const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const time = async (run: () => unknown): Promise<number> => {
  const start = performance.now();
  await run();
  return performance.now() - start;
};
// The first pass builds and caches every trace's facts; the medians are the steady state.
const filter = 'annotation.feed = "home" AND responsetime > 0.5 OR service("cruddur-worker") { fault }';
const test = compileQuery({ filter }, viewer.groups);
const first = await time(() => viewer.store.allTraces().filter(test));
const filterRuns: number[] = [];
for (let i = 0; i < 5; i++) filterRuns.push(await time(() => viewer.store.allTraces().filter(test)));
const graphRuns: number[] = [];
const url = `${viewer.url!}api/graph?start=${Math.floor(now - 3600)}&end=${Math.ceil(now)}`;
for (let i = 0; i < 5; i++) graphRuns.push(await time(async () => (await fetch(url)).json()));
const { stats } = { stats: viewer.stats() };
console.log(
  JSON.stringify({ segments: stats.documents, traces: stats.traces, evictions: stats.evictions, firstFilterMs: Math.round(first), filterMedianMs: Math.round(median(filterRuns)), graphMedianMs: Math.round(median(graphRuns)), rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20) }),
);
await viewer.close();
