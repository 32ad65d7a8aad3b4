import http from 'node:http';
import https from 'node:https';
import { runUntraced } from '../../core/context.js';

/** What came back from one POST. */
export interface PostResponse {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly retryAfter: string | undefined;
  readonly body: Buffer;
}

// Error bodies are read to report their message; nothing legitimate is larger.
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * One keep-alive connection pool per exporter, separate from the application's global agent:
 * exports never queue behind the service's own calls, nor the reverse.
 */
export function createAgent(url: URL): http.Agent {
  const options = { keepAlive: true, maxSockets: 2, timeout: 60_000 };
  return url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
}

/**
 * POSTs `body` and resolves with the status and (bounded) body; rejects on network errors and
 * on `timeoutMs`. Runs outside every trace, so the request is never recorded as a call of the
 * request that happened to trigger the export.
 */
export function post(url: URL, agent: http.Agent, headers: Readonly<Record<string, string>>, body: Uint8Array, timeoutMs: number): Promise<PostResponse> {
  return runUntraced(
    () =>
      new Promise<PostResponse>((resolve, reject) => {
        const send = url.protocol === 'https:' ? https.request : http.request;
        const request = send(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.byteLength) } }, (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
          });
          response.on('end', () => {
            clearTimeout(timer);
            resolve({
              status: response.statusCode ?? 0,
              contentType: response.headers['content-type'],
              retryAfter: response.headers['retry-after'],
              body: Buffer.concat(chunks),
            });
          });
          response.on('error', (err) => {
            clearTimeout(timer);
            reject(err);
          });
        });
        const timer = setTimeout(() => request.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
        timer.unref();
        request.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
        request.end(body);
      }),
  );
}
