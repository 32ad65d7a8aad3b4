/**
 * A real Redis for tests: the machine's `redis-server` (Debian's package; scripts/ensure-test-tools.mjs
 * installs it when root) on 127.0.0.1, with a throwaway directory and no persistence. Not a fake:
 * Redis is small enough to run for real, so the clients and their instrumentations meet the real
 * protocol and the real failure modes (a stopped server, a dropped connection).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { acceptsConnections, freePort } from './ports.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Handle of a running redis-server. */
export interface RedisServerHandle {
  /** Bound port on 127.0.0.1. */
  readonly port: number;
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** Freezes the process (SIGSTOP): connections stay open and nothing is answered, as a hung server. */
  pause(): void;
  /** Undoes {@link pause} (SIGCONT). */
  resume(): void;
  /** Stops the server (SIGINT, SIGKILL after 5 s) and removes its directory. Safe to call twice. */
  close(): Promise<void>;
}

/** The redis-server binary, or undefined when it is not installed. */
export function redisServerBinary(): string | undefined {
  return ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
}

/** Why Redis tests cannot run here (for `test(name, { skip })`), or undefined when they can. */
export function redisServerMissing(): string | undefined {
  return redisServerBinary()
    ? undefined
    : 'redis-server not installed: install it with apt-get install -y --no-install-recommends redis-server (npm test does it when root on Debian)';
}

/** Starts redis-server; resolves once it accepts connections (within 30 s, else rejects with its log). */
export async function startRedisServer(): Promise<RedisServerHandle> {
  const bin = redisServerBinary();
  if (!bin) throw new Error(redisServerMissing());
  const dir = mkdtempSync(join(tmpdir(), 'cruddur-redis-'));
  const port = await freePort(); // redis-server takes no port 0
  let log = '';
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr.on('data', (c: Buffer) => (log += c.toString()));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGCONT'); // a paused server would not act on SIGINT
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    })());
  const deadline = Date.now() + 30_000;
  while (!(await acceptsConnections(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await close();
      throw new Error(`redis-server did not listen on ${port}: ${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    close,
  };
}
