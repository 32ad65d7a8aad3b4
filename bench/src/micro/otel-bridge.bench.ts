// CPU per span of one instrumentation pattern (a client span started with five attributes, given
// two more, ended; ten per request) in four setups, side by side in one run, compared with the
// bridge's targets:
// - our own `capture()` subsegment recording the same fields the bridge records for that span
//   (namespace, `sql` block, metadata), serialised with its segment as the UDP path does;
// - the same span through the bridge (`startSpan` with the active context, as instrumentations
//   call it): a subsegment, serialised with its segment;
// - the OTel JS SDK 3.x with a BatchSpanProcessor whose exporter discards each batch: the SDK's
//   cost without any serialisation, where both of ours write JSON;
// - the same SDK whose exporter first encodes each batch as an OTLP protobuf request with the
//   official serializer: what the SDK does when it exports, the counterpart of our JSON.
// Each setup runs in a process of its own (otel-bridge/worker.ts says why and how a round is
// measured); rounds alternate between the setups, and each figure is the median round.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { buildSetup, SETUP_IDS, SETUP_LABELS, type SetupId } from './otel-bridge/setups.js';
import type { RoundResult, WorkerReply, WorkerRequest } from './otel-bridge/worker.js';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 7;
const REQUESTS = quick ? 2_000 : 10_000;
const WARMUP_REQUESTS = quick ? 4_000 : 20_000;
const SPANS = 10;
const TARGET_VS_CAPTURE = 1.5;
const TARGET_VS_SDK = 3;

/** The one subsegment of a one-span request, without its ids and times. */
async function subsegmentFields(id: 'capture' | 'bridge'): Promise<string> {
  const setup = await buildSetup(id);
  setup.request(1);
  await setup.close();
  const doc = JSON.parse(setup.lastDocument()) as { subsegments?: Record<string, unknown>[] };
  const { id: _id, start_time: _start, end_time: _end, ...fields } = doc.subsegments?.[0] ?? {};
  return JSON.stringify(fields);
}

const own = await subsegmentFields('capture');
const viaBridge = await subsegmentFields('bridge');
if (own !== viaBridge) throw new Error(`the two setups record different subsegments:\n capture(): ${own}\n bridge:    ${viaBridge}`);
console.log(`both of our setups emit: ${viaBridge}`);

interface Worker {
  readonly id: SetupId;
  readonly child: ChildProcess;
  readonly rounds: RoundResult[];
}

const workerPath = fileURLToPath(new URL('./otel-bridge/worker.ts', import.meta.url));
function reply(child: ChildProcess): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`a benchmark worker exited (code ${String(code)}) before answering`));
    child.once('exit', onExit);
    child.once('message', (message: WorkerReply) => {
      child.off('exit', onExit);
      resolve(message);
    });
  });
}
async function ask(worker: Worker, request: WorkerRequest): Promise<WorkerReply> {
  const answer = reply(worker.child);
  worker.child.send(request);
  return answer;
}

const workers: Worker[] = [];
for (const id of SETUP_IDS) {
  const child = fork(workerPath, [id], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await reply(child);
  workers.push({ id, child, rounds: [] });
}

for (const worker of workers) await ask(worker, { measure: WARMUP_REQUESTS, spans: SPANS });
for (let round = 0; round < ROUNDS; round++) {
  for (const worker of workers) {
    const answer = await ask(worker, { measure: REQUESTS, spans: SPANS });
    if (!('round' in answer)) throw new Error(`worker ${worker.id}: unexpected reply ${JSON.stringify(answer)}`);
    worker.rounds.push(answer.round);
  }
}
const exported = new Map<SetupId, number>();
for (const worker of workers) {
  const answer = await ask(worker, { done: true });
  if ('finished' in answer) exported.set(worker.id, answer.exported);
  await once(worker.child, 'exit');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
console.log(`CPU ns per span (request included), median of ${ROUNDS} rounds of ${REQUESTS} requests × ${SPANS} spans, each setup in its own process (Node ${process.versions.node}):`);
const ns = new Map<SetupId, number>();
for (const worker of workers) {
  const value = median(worker.rounds.map((r) => r.nsPerSpan));
  ns.set(worker.id, value);
  const gc = median(worker.rounds.map((r) => r.gcNsPerSpan));
  const rounds = worker.rounds.map((r) => r.nsPerSpan.toFixed(0)).join(' ');
  console.log(`${SETUP_LABELS[worker.id].padEnd(62)} ${value.toFixed(0).padStart(6)} ns/span  (GC pauses ${gc.toFixed(0).padStart(3)})  rounds ${rounds}`);
}
const bridgeNs = ns.get('bridge') as number;
const vsCapture = bridgeNs / (ns.get('capture') as number);
const vsSdk = (ns.get('sdk') as number) / bridgeNs;
const vsSdkOtlp = (ns.get('sdk-otlp') as number) / bridgeNs;
const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');
console.log(`bridge / capture()                  = ${vsCapture.toFixed(2)}×   target ≤ ${TARGET_VS_CAPTURE}×   ${verdict(vsCapture <= TARGET_VS_CAPTURE)}`);
console.log(`OTel SDK exporting OTLP / bridge    = ${vsSdkOtlp.toFixed(2)}×   target ≥ ${TARGET_VS_SDK}×   ${verdict(vsSdkOtlp >= TARGET_VS_SDK)}`);
console.log(`OTel SDK exporting nothing / bridge = ${vsSdk.toFixed(2)}×   (the SDK serialising nothing, ours writing JSON)`);
console.log(`the SDK's exporters received ${exported.get('sdk') ?? 0} and ${exported.get('sdk-otlp') ?? 0} spans: the batch processors exported rather than dropped`);
