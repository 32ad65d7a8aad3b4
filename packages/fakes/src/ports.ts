// Ports for servers that cannot bind port 0 themselves (redis-server, postgres, a child told its
// port on the command line), and the check that such a server has started listening.
import { connect, createServer } from 'node:net';

/**
 * A port on 127.0.0.1 that nothing listens on right now, from the kernel. Another process may
 * take it before it is used: for servers that must be told a port, not for reserving one.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether something on 127.0.0.1 accepts a TCP connection on `port` now. */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
