import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** A running {@link ./udp-counter.ts} child process. */
export interface UdpCounter {
  port: number;
  /** Datagrams received so far. */
  count(): Promise<number>;
  close(): Promise<void>;
}

/** Starts the counting sink in a child process and waits for its port. */
export async function startUdpCounter(): Promise<UdpCounter> {
  const script = fileURLToPath(new URL('./udp-counter.ts', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let waiting: ((line: string) => void) | undefined;
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (waiting) {
        const w = waiting;
        waiting = undefined;
        w(line);
      } else lines.push(line);
    }
  });
  const next = (): Promise<string> => (lines.length ? Promise.resolve(lines.shift()!) : new Promise((r) => (waiting = r)));
  const port = Number(await next());
  return {
    port,
    async count() {
      await new Promise((r) => setTimeout(r, 200)); // let in-flight datagrams land
      child.stdin!.write('?\n');
      return Number(await next());
    },
    async close() {
      child.stdin!.end();
      await once(child, 'exit');
    },
  };
}
