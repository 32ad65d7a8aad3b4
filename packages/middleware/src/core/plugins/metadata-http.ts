import { request } from 'node:http';

/** An answer from a metadata endpoint. */
export interface MetadataResponse {
  status: number;
  body: string;
}

/** Options of {@link metadataRequest}. */
export interface MetadataRequestOptions {
  method?: 'GET' | 'PUT';
  headers?: Record<string, string>;
  /** Whole call, connect included. */
  timeoutMs: number;
}

const MAX_BODY_BYTES = 256 * 1024;

/**
 * One plain-HTTP call to a link-local metadata endpoint (IMDS, the ECS task metadata endpoint).
 * Never rejects: failures, timeouts and oversized answers resolve with undefined. Sockets are
 * unref'd so detection never keeps a process alive.
 */
export function metadataRequest(url: string, options: MetadataRequestOptions): Promise<MetadataResponse | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (value: MetadataResponse | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(value);
    };
    let req: ReturnType<typeof request>;
    try {
      req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false });
    } catch {
      // An unparsable URL (a bad endpoint variable): nothing to detect.
      resolve(undefined);
      return;
    }
    const timer = setTimeout(() => {
      done(undefined);
      req.destroy();
    }, options.timeoutMs);
    timer.unref();
    req.on('socket', (socket) => socket.unref());
    req.on('error', () => done(undefined));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          res.destroy();
          done(undefined);
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => done(undefined));
      res.on('aborted', () => done(undefined));
    });
    req.end();
  });
}

/** Parses a JSON answer with status 200; undefined for anything else. */
export function jsonBody(response: MetadataResponse | undefined): unknown {
  if (!response || response.status !== 200) return undefined;
  try {
    return JSON.parse(response.body) as unknown;
  } catch {
    return undefined;
  }
}
