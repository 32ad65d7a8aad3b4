// One setup of the OTel bridge benchmark, in a process of its own: an application runs either our
// tracer or the OTel SDK, never both, so no setup inherits another's heap, collector state or
// call-site feedback. The parent sends "measure N" messages and gets back the CPU time per span.
//
// A round runs N requests in chunks of 50 with an event-loop turn between chunks, as a server's
// requests arrive (the SDK's batch processor exports on those turns instead of filling its queue
// and dropping spans). CPU time is process time, user + system, all threads: garbage collection
// is charged to the setup that made the garbage, as it happens, by the collector's own
// scheduling. No collection is forced. A full collection while no request is in flight lets V8
// drop the hidden classes of the entity objects (nothing alive uses them) and deoptimises the
// code built on them, which then runs slower until it is optimised again: forced between rounds,
// it cost our setups about 1 µs per span over the next 5,000 requests (≈50 ms), while the SDK's
// batch queue, still holding spans at that moment, kept its classes alive. A server collects
// fully far less often, and mostly with requests in flight.
import { PerformanceObserver } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { buildSetup, SETUP_IDS, type SetupId } from './setups.js';

const CHUNK = 50;

/** What a round reports. */
export interface RoundResult {
  readonly nsPerSpan: number;
  /** Main-thread collection pauses during the round, per span. */
  readonly gcNsPerSpan: number;
}

/** Parent → worker. */
export type WorkerRequest = { readonly measure: number; readonly spans: number } | { readonly done: true };
/** Worker → parent. */
export type WorkerReply = { readonly ready: true } | { readonly round: RoundResult } | { readonly finished: true; readonly exported: number };

const id = process.argv[2] as SetupId;
if (!SETUP_IDS.includes(id)) throw new Error(`worker: unknown setup ${String(id)} (expected ${SETUP_IDS.join(', ')})`);
const setup = await buildSetup(id);

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

async function run(requests: number, spans: number): Promise<void> {
  for (let done = 0; done < requests; done += CHUNK) {
    for (let i = 0; i < CHUNK; i++) setup.request(spans);
    await nextTurn();
  }
}

async function measure(requests: number, spans: number): Promise<RoundResult> {
  await nextTurn();
  const gcBefore = gcMs;
  const before = process.cpuUsage();
  await run(requests, spans);
  const used = process.cpuUsage(before);
  await nextTurn(); // let the observer deliver the round's last entries
  const total = requests * spans;
  return { nsPerSpan: ((used.user + used.system) * 1000) / total, gcNsPerSpan: ((gcMs - gcBefore) * 1e6) / total };
}

const send = (reply: WorkerReply): void => void process.send?.(reply);
process.on('message', (message: WorkerRequest) => {
  if ('done' in message) {
    void setup.close().then(() => {
      send({ finished: true, exported: setup.exported() });
      process.disconnect();
    });
    return;
  }
  void measure(message.measure, message.spans).then((round) => send({ round }));
});
send({ ready: true });
