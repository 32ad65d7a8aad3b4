// Starts the benchmark's child processes (servers, sink, dynalite, stub), each pinned to a core
// with taskset when it is available, and makes sure every one of them is gone when we exit.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { RpcClient, type Api } from './rpc.js';

/** Whether `taskset` can pin processes here (Linux with util-linux). */
export const canPin = spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }).status === 0;

/** Pins this process, all its threads (the orchestrator and autocannon), to `core`. Returns whether it worked. */
export function pinSelf(core: number): boolean {
  return canPin && spawnSync('taskset', ['-a', '-pc', String(core), String(process.pid)], { stdio: 'ignore' }).status === 0;
}

const ALL_CORES = `0-${Math.max(0, cpus().length - 1)}`;

const running = new Set<ChildProcess>();

function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

export interface StartOptions {
  /** Arguments after the script path. */
  args?: string[];
  /** The CPU core to pin to. */
  core: number;
  /** Extra Node options (e.g. `--expose-gc`, `--cpu-prof`). */
  execArgv?: string[];
  /** Environment (replaces the inherited one). */
  env?: NodeJS.ProcessEnv;
  /** How long the child may take to announce it is ready. */
  readyTimeoutMs?: number;
}

/** A running child process with its RPC client. */
export interface Child<A extends Api, R> {
  readonly name: string;
  readonly pid: number;
  /** What the child announced when it became ready. */
  readonly ready: R;
  readonly rpc: RpcClient<A>;
  /** Asks the child to stop; kills it if it has not exited within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

/** The environment children start from: ours, minus every X-Ray and OpenTelemetry setting. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(AWS_|OTEL_|CRUDDUR_)/.test(key) || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  // The AWS SDK's Node 20 end-of-support notice, once per process, would interleave with the progress lines.
  return { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extra };
}

/**
 * Runs `script` (a .ts file next to this one) under tsx in its own process, waits until it is
 * ready, then pins it (all its threads) to `options.core`.
 */
export async function startChild<A extends Api, R>(name: string, script: string, options: StartOptions): Promise<Child<A, R>> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const nodeArgs = [...(options.execArgv ?? []), '--import', 'tsx', path, ...(options.args ?? [])];
  // Started on every core (start-up is the slow part of a quick run; the orchestrator itself is
  // pinned, and children would inherit that), pinned to its own core once ready.
  const [command, args] = canPin ? ['taskset', ['-c', ALL_CORES, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const child = spawn(command, args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: options.env ?? cleanEnv(),
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const rpc = new RpcClient<A>(child, name);
  const ready = await new Promise<R>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} was not ready within ${options.readyTimeoutMs ?? 60_000} ms`));
    }, options.readyTimeoutMs ?? 60_000);
    const onMessage = (message: { ready?: R }): void => {
      if (message.ready === undefined) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message.ready);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before it was ready (${signal ?? `code ${code}`})`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
  if (canPin && child.pid !== undefined) {
    // -a: every thread of the process (libuv pool, V8 helpers), not only the main one.
    spawnSync('taskset', ['-a', '-pc', String(options.core), String(child.pid)], { stdio: 'ignore' });
  }
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit').then(() => undefined);
  return {
    name,
    pid: child.pid ?? -1,
    ready,
    rpc,
    async stop(timeoutMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, timeoutMs);
      });
      rpc.invoke('stop').catch(() => undefined);
      await Promise.race([exited, deadline]);
      clearTimeout(timer);
      await exited;
    },
  };
}
