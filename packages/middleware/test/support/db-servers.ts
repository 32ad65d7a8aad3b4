// Real PostgreSQL and Redis servers for the OpenTelemetry bridge tests: Debian's binaries
// (scripts/ensure-test-tools.mjs installs them when root), started on 127.0.0.1 on a free port
// with a throwaway data directory, stopped in `t.after`. Tests skip with a message when the
// binaries are missing.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { acceptsConnections, freePort, redisServerBinary, startRedisServer } from '@cruddur/fakes';

/** A running server. */
export interface DbServer {
  readonly port: number;
  stop(): Promise<void>;
}

/** Where PostgreSQL's server binaries are (Debian keeps them out of PATH), or undefined. */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  return undefined;
}

/** The redis-server binary, or undefined. */
export const redisBin = redisServerBinary;

/** Why the database tests cannot run here, or undefined when they can. */
export function missingDatabases(): string | undefined {
  const missing = [postgresBin() ? undefined : 'postgresql', redisBin() ? undefined : 'redis-server'].filter(Boolean);
  return missing.length === 0
    ? undefined
    : `${missing.join(' and ')} not installed: install with sudo apt-get install -y --no-install-recommends postgresql redis-server (npm test does it when root on Debian)`;
}

async function waitForPort(port: number, child: ChildProcess, what: string, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}): ${log()}`);
    if (await acceptsConnections(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not listen on ${port} within 30 s: ${log()}`);
}

function stopper(child: ChildProcess, dir: string): () => Promise<void> {
  return async () => {
    if (child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
}

// PostgreSQL refuses to run as root: under root the data directory belongs to `postgres`, and
// initdb and the server run as that user.
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

/** Starts PostgreSQL (user `postgres`, trust auth, database `postgres`), stopped after the test. */
export async function startPostgres(t: TestContext): Promise<DbServer> {
  const bin = postgresBin();
  if (!bin) throw new Error('postgresql is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'cruddur-pg-'));
  const user = postgresUser();
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const as = user ? { uid: user.uid, gid: user.gid } : {};
  execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8'], { ...as, stdio: 'pipe', cwd: dir });
  const port = await freePort();
  let log = '';
  const child = spawn(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-F', '-c', 'fsync=off'], { ...as, stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  child.stdout?.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
  const stop = stopper(child, dir);
  t.after(stop);
  await waitForPort(port, child, 'postgres', () => log.slice(-2000));
  // Listening is not ready: the startup process may still be running.
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      execFileSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres'], { stdio: 'pipe' });
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { port, stop };
}

/** Starts Redis without persistence (@cruddur/fakes' `startRedisServer`), stopped after the test. */
export async function startRedis(t: TestContext): Promise<DbServer> {
  const server = await startRedisServer();
  t.after(() => server.close());
  return { port: server.port, stop: () => server.close() };
}
