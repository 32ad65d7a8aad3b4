// Soak: streams 100,000 segment documents over real UDP into a viewer (web view on, one browser
// event stream attached) and prints its peak RSS, to show memory stays flat past `maxTraces`.
// Usage: node --import tsx scripts/soak.ts [documents] [maxTraces]
// The sender runs in a child process so its memory is not counted.
import { fork } from 'node:child_process';
import { get } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startTraceViewer } from '../src/index.js';
import { Sender, newId, twoServiceTrace } from '../test/fixtures.js';

const DOCS_PER_TRACE = 4;
const BURST = 200;

async function send(port: number, documents: number): Promise<void> {
  const sender = new Sender(port);
  let sent = 0;
  while (sent < documents) {
    const burst: Promise<void>[] = [];
    for (let i = 0; i < BURST && sent < documents; i += DOCS_PER_TRACE) {
      const t = twoServiceTrace({ status: sent % 10 === 0 ? 500 : 200 });
      // Four documents per trace: B's streamed subsegment, B, A, and a second streamed subsegment.
      const extra = { ...t.bDynamo, id: newId(), name: 'S3', aws: { operation: 'GetObject' } };
      for (const doc of [t.bDynamo, t.b, t.a, extra].slice(0, documents - sent)) {
        burst.push(sender.send(doc));
        sent++;
      }
    }
    await Promise.all(burst);
    // Let the receiving process drain its socket: loopback UDP drops what overflows the buffer.
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await sender.close();
}

async function main(): Promise<void> {
  const documents = Number(process.argv[2] ?? 100_000);
  const maxTraces = Number(process.argv[3] ?? 1000);

  if (process.env['SOAK_SEND_TO']) {
    await send(Number(process.env['SOAK_SEND_TO']), documents);
    return;
  }

  const viewer = await startTraceViewer({ udpPort: 0, httpPort: 0, maxTraces, finishAfterMs: 200 });
  // An open browser tab: the event stream is read and thrown away.
  get(`${viewer.url!}api/events`, (res) => res.resume()).on('error', () => undefined);

  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const started = Date.now();
  const child = fork(fileURLToPath(import.meta.url), [String(documents)], {
    env: { ...process.env, SOAK_SEND_TO: String(viewer.udpPort) },
    execArgv: process.execArgv,
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`sender exited with ${code}`))));
  });
  const sendMs = Date.now() - started;
  // Wait until nothing more arrives.
  let last = -1;
  while (viewer.stats().received !== last) {
    last = viewer.stats().received;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const stats = viewer.stats();
  const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  const malformed = Object.values(stats.malformed).reduce((a, b) => a + b, 0);
  console.log(`documents sent        ${documents} (${documents / DOCS_PER_TRACE} traces) in ${sendMs} ms`);
  console.log(`datagrams received    ${stats.received} (${documents - stats.received} lost in the kernel)`);
  console.log(`documents kept/added  ${stats.documents}, malformed ${malformed}, duplicates ${stats.duplicates}`);
  console.log(`traces held           ${stats.traces} (max ${maxTraces}), evictions ${stats.evictions}`);
  console.log(`document bytes held   ${mb(stats.bytes)}`);
  console.log(`RSS after start       ${mb(baseline)}`);
  console.log(`peak RSS (sampled)    ${mb(peak)}`);
  console.log(`peak RSS (kernel)     ${mb(process.resourceUsage().maxRSS * 1024)}`);
  console.log(`final RSS             ${mb(process.memoryUsage().rss)}, heap used ${mb(process.memoryUsage().heapUsed)}`);
  await viewer.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
