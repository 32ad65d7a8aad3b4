/**
 * An embedded DynamoDB (dynalite, in memory) listening on the loopback, for tests and local runs.
 */
import type { AddressInfo, Socket } from 'node:net';
import dynalite from 'dynalite';
import type { ListenOptions } from './http-json.js';

/** Options of {@link startDynalite}. */
export interface DynaliteOptions extends ListenOptions {
  /** Directory of an on-disk LevelDB store; in memory when absent. */
  path?: string;
}

/** Handle of a running dynalite. */
export interface DynaliteHandle {
  /** Endpoint for the AWS SDK's DynamoDB client, e.g. `http://127.0.0.1:41234`. */
  readonly endpoint: string;
  /** Bound port. */
  readonly port: number;
  /** Drops open connections, stops listening and closes the store. */
  close(): Promise<void>;
}

/**
 * Starts dynalite in-process with table state changes taking no time
 * (`createTableMs`, `deleteTableMs`, `updateTableMs` all 0).
 * Not implemented by dynalite: transactions, PartiQL, UpdateTimeToLive, streams.
 */
export async function startDynalite(options: DynaliteOptions = {}): Promise<DynaliteHandle> {
  const host = options.host ?? '127.0.0.1';
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path === undefined ? {} : { path: options.path }),
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${host}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error?: Error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
