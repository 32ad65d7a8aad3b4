// A plain node:http client: unlike fetch it may set Host, send a body in two packets and
// drop the connection mid-request, which is what the tracing tests need.
import { request, type IncomingHttpHeaders } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';

/** A response as the tests look at it. */
export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The `X-Amzn-Trace-Id` response header. */
  traceHeader: string | undefined;
  /** Its `Root`. */
  traceId: string | undefined;
}

/** How to send a request. */
export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  /** One body, or two parts sent apart so the server sees them in separate reads. */
  body?: string | readonly [string, string];
}

/** Sends a request to 127.0.0.1:`port` and reads the whole response. */
export function send(port: number, path: string, options: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const header = res.headers['x-amzn-trace-id'];
        const traceHeader = Array.isArray(header) ? header[0] : header;
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          traceHeader,
          traceId: /^Root=([^;]+)/.exec(traceHeader ?? '')?.[1],
        });
      });
    });
    req.on('error', reject);
    const body = options.body;
    if (typeof body === 'string') {
      req.end(body);
    } else if (body !== undefined) {
      req.flushHeaders();
      req.write(body[0]);
      // Apart in time so the server's parser hands the body over in two reads.
      delay(30).then(() => req.end(body[1]), reject);
    } else {
      req.end();
    }
  });
}

/** Sends a request and destroys the connection once `reached` resolves (the handler is running). */
export async function sendAndAbort(port: number, path: string, headers: Record<string, string>, reached: Promise<void>): Promise<void> {
  const req = request({ host: '127.0.0.1', port, path, headers, agent: false });
  const closed = new Promise<void>((resolve) => req.on('close', () => resolve()));
  req.on('error', () => undefined); // the abort itself is the point
  req.on('response', () => req.destroy(new Error('the server answered a request that was meant to be aborted')));
  req.end();
  await reached;
  req.destroy();
  await closed;
}
