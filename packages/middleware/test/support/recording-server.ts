import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';

/** A request as the recording server saw it. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** A local HTTP server that records what it receives. */
export interface RecordingServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  requests: RecordedRequest[];
  /** Resolves once `count` requests arrived. */
  received(count: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a server on 127.0.0.1 (port 0). Routes: `/status/<code>` answers that status with a
 * 5-byte body, `/delay/<ms>` answers 200 after a pause, `/hang` never answers, `/cut` sends
 * headers and part of the body then drops the connection; anything else 200 with body `hello`.
 */
export async function startRecordingServer(): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    for (const wake of waiters) wake();
    req.resume();
    const path = (req.url ?? '/').split('?')[0] as string;
    const status = /^\/status\/(\d{3})$/.exec(path);
    const delay = /^\/delay\/(\d+)$/.exec(path);
    if (path === '/hang') return;
    if (path === '/cut') {
      res.writeHead(200, { 'content-length': '100' });
      res.write('part', () => setTimeout(() => res.socket?.destroy(), 10));
      return;
    }
    if (status) {
      res.writeHead(Number(status[1]), { 'content-type': 'text/plain', 'content-length': '5' });
      res.end('nope!');
    } else if (delay) {
      setTimeout(() => res.end('later'), Number(delay[1]));
    } else {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' });
      res.end('hello');
    }
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    received(count) {
      if (requests.length >= count) return Promise.resolve();
      return new Promise((resolve) => {
        const wake = (): void => {
          if (requests.length < count) return;
          waiters.delete(wake);
          resolve();
        };
        waiters.add(wake);
      });
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
