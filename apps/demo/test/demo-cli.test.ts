// The real `dist/demo.js` as a child process, as `npm run demo` starts it, on free ports.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const DEMO = fileURLToPath(new URL('../dist/demo.js', import.meta.url));

interface Run {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout or stderr contains `text`; rejects when the demo exits first or after `timeoutMs`. */
  waitFor(text: string | RegExp, timeoutMs: number): Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();

function runDemo(args: string[], env: Record<string, string> = {}): Run {
  if (!existsSync(DEMO)) throw new Error(`${DEMO} is missing: build first (npx turbo run build --filter=@cruddur/demo...)`);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, [DEMO, ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const check of waiters) check();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    for (const check of waiters) check();
  });
  let exited = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => {
      exited = true;
      running.delete(child);
      resolve({ code, signal });
      for (const check of waiters) check();
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    waitFor(text, timeoutMs) {
      const found = (): boolean => (typeof text === 'string' ? out.includes(text) || err.includes(text) : text.test(out) || text.test(err));
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (found()) done();
          else if (exited) done(new Error(`the demo exited before printing ${String(text)}\nstdout:\n${out}\nstderr:\n${err}`));
        };
        const timer = setTimeout(() => done(new Error(`no ${String(text)} within ${timeoutMs} ms\nstdout:\n${out}\nstderr:\n${err}`)), timeoutMs);
        const done = (error?: Error): void => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(error);
          else resolve();
        };
        waiters.add(check);
        check();
      });
    },
  };
}

async function exitWithin(run: Run, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the demo did not exit within ${ms} ms\nstderr:\n${run.stderr()}`)), ms);
  });
  try {
    return await Promise.race([run.exit, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function holdPort(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

void describe('npm run demo (dist/demo.js)', () => {
  after(() => {
    // A failed test must not leave a demo (and its services) behind.
    for (const child of running) child.kill('SIGKILL');
  });

  void test('starts everything, prints the tour as trees with correlated log lines and the URLs, traces new requests, exits 0 on SIGINT', async (t) => {
    // Two ports by flag, two by environment variable: 0 picks free ones.
    const run = runDemo(['--backend-port', '0', '--worker-port=0'], { CRUDDUR_DEMO_TRACES_UDP_PORT: '0', CRUDDUR_DEMO_TRACES_WEB_PORT: '0' });
    await run.waitFor('Press Ctrl-C to stop.', 45_000);
    const out = run.stdout();
    // The OTLP/HTTP receiver runs on a free port and is listed with the other URLs.
    const otlp = /^ {2}OTLP\/HTTP {4}(http:\/\/127\.0\.0\.1:(\d+)\/v1\/traces) {2}\(OTEL_EXPORTER_OTLP_ENDPOINT=http:\/\/127\.0\.0\.1:(\d+)\)$/m.exec(out);
    assert.ok(otlp && otlp[2] === otlp[3] && otlp[2] !== '4318', out);
    const exported = await fetch(otlp[1]!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceSpans":[]}' });
    assert.equal(exported.status, 200);

    // The header names each service's transport: the backend over UDP, the worker over OTLP.
    assert.match(out, /^ {2}cruddur-backend {2}X-Ray daemon protocol \(UDP\) → udp:\/\/127\.0\.0\.1:\d+$/m);
    assert.match(out, new RegExp(`^ {2}cruddur-worker {3}OTLP/HTTP \\(OTEL_TRACES_EXPORTER=otlp\\) → ${otlp[1]!.replace(/[.]/g, '\\.')}$`, 'm'));

    const trees = out.match(/^trace 1-[0-9a-f]{8}-[0-9a-f]{24} /gm) ?? [];
    assert.equal(trees.length, 8, 'one tree per tour request');
    assert.match(out, /^── 8\/8 Induced error/m);
    // A tree that crosses both services both ways.
    assert.match(out, /^ {3}└─ cruddur-worker {2}POST http:\/\/127\.0\.0\.1:\d+\/internal\/notifications → 200/m);
    assert.match(out, /^ {6}│ {2}└─ cruddur-backend {2}GET http:\/\/127\.0\.0\.1:\d+\/api\/users\/@\w+\/short → 200/m);
    assert.match(out, /FAULT/);
    // Correlated log lines of both services under each tree.
    const counts = [...out.matchAll(/^log lines with trace_id (1-\S+) \((\d+)\):$/gm)].map((m) => Number(m[2]));
    assert.equal(counts.length, 8);
    assert.ok(counts.every((n) => n > 0), `every request has log lines: ${counts.join(', ')}`);
    assert.match(out, /^ {2}\d\d:\d\d:\d\d\.\d{3} cruddur-worker +info +POST \/internal\/notifications 200/m);
    assert.match(out, /^ {2}\d\d:\d\d:\d\d\.\d{3} cruddur-backend +error +unhandled error/m);
    assert.match(out, /^rollbar: error: ValidationException/m);
    assert.ok(!out.includes('\u001b['), 'no colours when stdout is not a terminal');

    const api = /^ {2}API +(http:\/\/127\.0\.0\.1:(\d+))\/api\/activities\/home$/m.exec(out);
    const web = /^ {2}traces +(http:\/\/127\.0\.0\.1:\d+\/) /m.exec(out);
    assert.ok(api && web, 'API and trace view URLs printed');
    const [, apiUrl, apiPort] = api;
    assert.notEqual(apiPort, '4567', 'port 0 picked a free port');

    // Running: a request of our own is traced and printed with its log lines.
    const res = await fetch(`${apiUrl!}/api/activities/search?term=cloud`);
    assert.equal(res.status, 200);
    await run.waitFor(/^── new trace ─+\nGET http:\/\/127\.0\.0\.1:\d+\/api\/activities\/search → 200/m, 10_000);
    const traces = (await (await fetch(`${web[1]!}api/traces`)).json()) as { id: string }[];
    assert.ok(traces.length >= 9, `the web view lists the traces (${traces.length})`);

    run.child.kill('SIGINT');
    const exit = await exitWithin(run, 15_000);
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.match(run.stderr(), /cruddur demo: stopped$/m);
    // The services went with it.
    const after = await fetch(`${apiUrl!}/api/health-check`).then(
      () => 'answered',
      () => 'refused',
    );
    assert.equal(after, 'refused');
    t.diagnostic(`demo printed ${out.split('\n').length} lines before the URLs`);
  });

  void test('a port that is taken: exit 1 before starting anything, naming the port and the flag', async () => {
    const held = await holdPort();
    try {
      const port = (held.address() as { port: number }).port;
      const run = runDemo(['--backend-port', String(port), '--worker-port', '0', '--udp-port', '0', '--web-port', '0']);
      const exit = await exitWithin(run, 10_000);
      assert.deepEqual(exit, { code: 1, signal: null });
      assert.match(run.stderr(), new RegExp(`port ${port} on 127\\.0\\.0\\.1 \\(backend API \\(TCP\\)\\) is already in use.*--backend-port <n>`));
      assert.doesNotMatch(run.stderr(), /starting DynamoDB/);
    } finally {
      await new Promise((resolve) => held.close(resolve));
    }
  });

  void test('a bad flag value: exit 2 naming it', async () => {
    const run = runDemo(['--web-port', 'eighty']);
    const exit = await exitWithin(run, 10_000);
    assert.equal(exit.code, 2);
    assert.match(run.stderr(), /--web-port is "eighty"; expected a port number 0-65535/);
  });
});
