// One Cruddur service (`node apps/<app>/dist/server.js`) as a child process: its stdout JSON log
// lines kept in memory, a health wait, and a stop that always ends the process.
import { spawn, type ChildProcess } from 'node:child_process';
import { LogBuffer, lineSplitter, parseLogLine, type LogLine } from './logs.js';

/**
 * Loaded into each service before its own code (`--import`): when the parent goes away without
 * stopping it (killed, crashed), the IPC channel closes and the service stops itself. The channel
 * is unreferenced so it never keeps the service alive on its own.
 */
const PARENT_WATCH = "process.channel?.unref();process.once('disconnect',()=>process.kill(process.pid,'SIGTERM'));";
const PARENT_WATCH_URL = `data:text/javascript,${encodeURIComponent(PARENT_WATCH)}`;

/** How a child ended. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcessOptions {
  /** Name used in messages and as the `source` of its log lines. */
  name: string;
  /** The script node runs (the service's `dist/server.js`). */
  entry: string;
  /** Its whole environment. */
  env: NodeJS.ProcessEnv;
  /** Base URL it answers on once started. */
  url: string;
  /** Path of its health route, e.g. `/api/health-check`. */
  healthPath: string;
  /** Log lines kept (stdout). */
  maxLogLines: number;
  /** Lines of stderr kept, for diagnosis. */
  maxStderrLines?: number;
}

/** A running service. */
export interface ServiceProcess {
  readonly name: string;
  readonly url: string;
  readonly pid: number | undefined;
  /** The stdout lines kept, oldest first (JSON ones parsed). */
  logs(): readonly LogLine[];
  /** Number of stdout lines evicted to stay within the bound. */
  readonly droppedLogLines: number;
  /** The last stderr lines. */
  stderr(): readonly string[];
  /** Calls `listener` for every stdout line from now on; returns the unsubscribe function. */
  onLog(listener: (line: LogLine) => void): () => void;
  /** Undefined while running. */
  readonly exitStatus: ExitStatus | undefined;
  /** Resolves when the process has ended. */
  readonly exited: Promise<ExitStatus>;
  /** Resolves when `GET <healthPath>` answers 2xx; rejects when the process ends first or after `timeoutMs`. */
  waitHealthy(timeoutMs: number): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. Safe to call twice. */
  stop(graceMs?: number): Promise<ExitStatus>;
  /** SIGKILL now, synchronously (for process exit handlers). */
  killNow(): void;
}

/** Starts `node <entry>` with `env`; never throws for a process that fails later (see `exited`). */
export function startServiceProcess(options: ServiceProcessOptions): ServiceProcess {
  const logs = new LogBuffer(options.maxLogLines);
  const stderrLines = new LogBuffer(options.maxStderrLines ?? 200);
  const listeners = new Set<(line: LogLine) => void>();
  const child: ChildProcess = spawn(process.execPath, ['--import', PARENT_WATCH_URL, options.entry], {
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  // Neither the channel nor the process keep the parent alive: stop() and the exit handler end them.
  child.channel?.unref();

  const out = lineSplitter((raw) => {
    const line = parseLogLine(options.name, raw);
    logs.push(line);
    for (const listener of listeners) listener(line);
  });
  const err = lineSplitter((raw) => stderrLines.push(parseLogLine(options.name, raw)));
  child.stdout?.on('data', (chunk: Buffer) => out.write(chunk));
  child.stdout?.on('end', () => out.end());
  child.stderr?.on('data', (chunk: Buffer) => err.write(chunk));
  child.stderr?.on('end', () => err.end());

  let exitStatus: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    // 'close' comes after the output streams ended, so every line has been read by then.
    child.once('close', (code, signal) => {
      exitStatus = { code, signal };
      resolve(exitStatus);
    });
    child.once('error', (error) => {
      stderrLines.push(parseLogLine(options.name, `cannot start: ${error.message}`));
      exitStatus ??= { code: null, signal: null };
      resolve(exitStatus);
    });
  });

  const describeExit = (status: ExitStatus): string => {
    const how = status.signal ? `signal ${status.signal}` : `code ${String(status.code)}`;
    // Stack frames left out: the message is what tells what went wrong.
    const tail = [...logs.lines(), ...stderrLines.lines()]
      .map((l) => l.raw)
      .filter((raw) => !/^\s+at /.test(raw))
      .slice(-8)
      .map((raw) => `  ${raw}`);
    return `${options.name} exited (${how}) before it was ready${tail.length > 0 ? `; last output:\n${tail.join('\n')}` : ''}`;
  };

  const waitHealthy = async (timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    let lastProblem = 'no answer yet';
    while (Date.now() < deadline) {
      if (exitStatus) throw new Error(describeExit(exitStatus));
      try {
        const res = await fetch(new URL(options.healthPath, options.url), { signal: AbortSignal.timeout(Math.min(1000, Math.max(1, deadline - Date.now()))) });
        await res.arrayBuffer();
        if (res.ok) return;
        lastProblem = `status ${res.status}`;
      } catch (error) {
        lastProblem = error instanceof Error ? error.message : String(error);
      }
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 100)), exited]);
    }
    if (exitStatus) throw new Error(describeExit(exitStatus));
    throw new Error(`${options.name} not healthy at ${new URL(options.healthPath, options.url).href} after ${timeoutMs} ms (${lastProblem})`);
  };

  let stopping: Promise<ExitStatus> | undefined;
  const stop = (graceMs = 5000): Promise<ExitStatus> => {
    stopping ??= (async () => {
      if (exitStatus) return exitStatus;
      child.kill('SIGTERM');
      if (await endsWithin(exited, graceMs)) return exited;
      child.kill('SIGKILL');
      if (await endsWithin(exited, 2000)) return exited;
      // The process is gone but its output pipes did not close: report it as killed.
      return { code: null, signal: 'SIGKILL' };
    })();
    return stopping;
  };

  return {
    name: options.name,
    url: options.url,
    pid: child.pid,
    logs: () => logs.lines(),
    get droppedLogLines() {
      return logs.dropped;
    },
    stderr: () => stderrLines.lines().map((l) => l.raw),
    onLog(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get exitStatus() {
      return exitStatus;
    },
    exited,
    waitHealthy,
    stop,
    killNow() {
      if (!exitStatus) child.kill('SIGKILL');
    },
  };
}

/** True when `promise` settles within `ms`; the timer never outlives the wait. */
async function endsWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
