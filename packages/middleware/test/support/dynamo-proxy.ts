import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { startDynalite } from '@cruddur/fakes';
import { runUntraced } from '../../src/index.js';

/** One request that went through the proxy. */
export interface ProxiedRequest {
  /** The DynamoDB operation, from `X-Amz-Target`. */
  operation: string;
  headers: IncomingHttpHeaders;
  /** The request id the answer carried. */
  requestId: string | undefined;
  status: number;
}

/** An answer the proxy gives instead of forwarding, for the next requests. */
export interface InjectedAnswer {
  status: number;
  type: string;
  message: string;
}

/** dynalite behind a proxy that records request headers and can answer in its place. */
export interface DynamoProxy {
  /** The proxy's endpoint, for the client's `endpoint`. */
  endpoint: string;
  requests: ProxiedRequest[];
  /** Answers the next `times` requests with `answer` instead of forwarding them. */
  inject(answer: InjectedAnswer, times: number): void;
  close(): Promise<void>;
}

/**
 * Starts dynalite in memory and a recording proxy in front of it, both on 127.0.0.1 port 0. The
 * proxy is what makes "dynalite received the trace header" observable.
 */
export async function startDynamoProxy(): Promise<DynamoProxy> {
  const dynamo = await startDynalite();
  const dynamoPort = dynamo.port;
  const requests: ProxiedRequest[] = [];
  const injected: InjectedAnswer[] = [];
  const sockets = new Set<Socket>();
  let counter = 0;

  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const record: ProxiedRequest = { operation: target.slice(target.indexOf('.') + 1), headers: req.headers, requestId: undefined, status: 0 };
      requests.push(record);
      const answer = injected.shift();
      if (answer) {
        const requestId = `INJECTED${++counter}`;
        const body = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${answer.type}`, message: answer.message });
        record.requestId = requestId;
        record.status = answer.status;
        res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      // The proxy's own call is test plumbing, never part of a trace.
      runUntraced(() => {
        const upstream = request({ host: '127.0.0.1', port: dynamoPort, method: req.method, path: req.url, headers: req.headers }, (answerFromDynamo) => {
          record.status = answerFromDynamo.statusCode ?? 0;
          const id = answerFromDynamo.headers['x-amzn-requestid'];
          record.requestId = typeof id === 'string' ? id : undefined;
          res.writeHead(record.status, answerFromDynamo.headers);
          answerFromDynamo.pipe(res);
        });
        upstream.on('error', (err) => res.destroy(err));
        upstream.end(Buffer.concat(chunks));
      });
    });
  });
  proxy.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const port = (proxy.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    inject(answer, times) {
      for (let i = 0; i < times; i++) injected.push(answer);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await dynamo.close();
    },
  };
}
