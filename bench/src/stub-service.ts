// The downstream service of the realistic route: a keep-alive HTTP server in its own process that
// answers every request with a small JSON body.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announceReady, serveRpc } from './rpc.js';

const BODY = JSON.stringify({ handle: 'andrewbrown', rank: 42, badges: ['early-adopter', 'crud-master'] });
const server = createServer((req, res: ServerResponse) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
  res.end(BODY);
});
server.keepAliveTimeout = 60_000;

async function stop(): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export type StubApi = { stop: typeof stop };

serveRpc({ stop } satisfies StubApi);
server.listen(0, '127.0.0.1', () => {
  announceReady({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/rank/andrewbrown` });
});
