// Request/answer messages over the IPC channel between the orchestrator and its child processes.
import type { ChildProcess } from 'node:child_process';

/** Operations a child answers: each takes one argument and returns (or resolves to) a result. */
export type Api = Record<string, (arg: never) => unknown>;

interface Request {
  id: number;
  op: string;
  arg?: unknown;
}

interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

interface Ready {
  ready: unknown;
}

/** Child side: answers the parent's calls with `handlers`. `stop` must be one of them. */
export function serveRpc(handlers: Api & { stop: () => unknown }): void {
  if (!process.send) throw new Error('this script runs as a child process of the benchmark (no IPC channel)');
  process.on('message', (message: Request) => {
    const handler = handlers[message.op];
    const answer = (reply: Reply): void => {
      process.send?.(reply);
    };
    if (handler === undefined) {
      answer({ id: message.id, error: `unknown operation ${message.op}` });
      return;
    }
    Promise.resolve()
      .then(() => (handler as (arg: unknown) => unknown)(message.arg))
      .then(
        (result) => {
          answer({ id: message.id, result });
          if (message.op === 'stop') {
            // Exit once the answer is out, whatever timers the measured libraries left behind.
            setImmediate(() => process.exit(0));
          }
        },
        (err: unknown) => answer({ id: message.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
  });
  // The parent went away: nothing will ever stop this process otherwise.
  process.on('disconnect', () => process.exit(0));
}

/** Child side: tells the parent the child is ready (ports, endpoints). */
export function announceReady(info: unknown): void {
  process.send?.({ ready: info } satisfies Ready);
}

/** Parent side: calls into a child, one promise per call, matched by id. */
export class RpcClient<A extends Api> {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  #nextId = 1;
  #closedReason: string | undefined;

  constructor(child: ChildProcess, name: string) {
    this.#child = child;
    child.on('message', (message: Reply | Ready) => {
      if (!('id' in message)) return;
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      if (message.error !== undefined) pending.reject(new Error(`${name}: ${message.error}`));
      else pending.resolve(message.result);
    });
    child.on('exit', (code, signal) => {
      this.#closedReason = `${name} exited (${signal ?? `code ${code}`})`;
      for (const pending of this.#pending.values()) pending.reject(new Error(this.#closedReason));
      this.#pending.clear();
    });
  }

  call<K extends keyof A & string>(op: K, ...arg: Parameters<A[K]>): Promise<Awaited<ReturnType<A[K]>>> {
    return this.invoke(op, arg[0]) as Promise<Awaited<ReturnType<A[K]>>>;
  }

  /** Untyped form of {@link call}. */
  invoke(op: string, arg?: unknown): Promise<unknown> {
    if (this.#closedReason !== undefined) return Promise.reject(new Error(this.#closedReason));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#child.send({ id, op, arg } satisfies Request);
    });
  }
}
