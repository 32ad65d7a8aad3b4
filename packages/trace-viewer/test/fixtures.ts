// Segment documents and UDP sending for the tests, the soak script and the demo.
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

/** The header line SDKs send before each document. */
export const HEADER = '{"format":"json","version":1}\n';

export type Doc = Record<string, unknown>;

export function newTraceId(epochSeconds = Date.now() / 1000): string {
  return `1-${Math.floor(epochSeconds).toString(16).padStart(8, '0')}-${randomBytes(12).toString('hex')}`;
}

export function newId(): string {
  return randomBytes(8).toString('hex');
}

/** One datagram: header plus document (objects are serialised, strings sent as they are). */
export function datagram(doc: Doc | string): Buffer {
  return Buffer.from(HEADER + (typeof doc === 'string' ? doc : JSON.stringify(doc)));
}

/** A UDP client that sends to one port on 127.0.0.1 and waits for each send to complete. */
export class Sender {
  readonly #socket: Socket = createSocket('udp4');
  readonly #port: number;

  constructor(port: number) {
    this.#port = port;
  }

  send(payload: Doc | string | Buffer): Promise<void> {
    const buffer = Buffer.isBuffer(payload) ? payload : datagram(payload);
    return new Promise((resolve, reject) => {
      this.#socket.send(buffer, this.#port, '127.0.0.1', (error) => (error ? reject(error) : resolve()));
    });
  }

  async sendAll(payloads: Array<Doc | string | Buffer>): Promise<void> {
    for (const payload of payloads) await this.send(payload);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}

/** The documents of one request through two services, as two instrumented services send them. */
export interface TwoServiceTrace {
  traceId: string;
  /** Service A's root segment (`frontend`), with a `remote` subsegment calling B. */
  a: Doc;
  /** Id of A's remote subsegment: B's segment names it as `parent_id`. */
  callId: string;
  /** Service B's segment (`worker`), child of the call. */
  b: Doc;
  /** An independent subsegment of B (a DynamoDB call), streamed separately. */
  bDynamo: Doc;
}

export function twoServiceTrace(options: { status?: number; startSeconds?: number } = {}): TwoServiceTrace {
  const t0 = options.startSeconds ?? Date.now() / 1000 - 0.2;
  const traceId = newTraceId(t0);
  const aId = newId();
  const callId = newId();
  const bId = newId();
  const status = options.status ?? 200;
  const a: Doc = {
    trace_id: traceId,
    id: aId,
    name: 'frontend',
    start_time: t0,
    end_time: t0 + 0.182,
    origin: 'AWS::ECS::Container',
    http: {
      request: { method: 'GET', url: 'http://localhost:4567/api/activities/home', client_ip: '127.0.0.1' },
      response: { status, content_length: 512 },
    },
    annotations: { route: '/api/activities/home', user_handle: 'andrewbrown' },
    ...(status >= 500 ? { fault: true } : status >= 400 ? { error: true } : {}),
    subsegments: [
      { id: newId(), name: 'auth-check', start_time: t0 + 0.002, end_time: t0 + 0.009 },
      {
        id: callId,
        name: 'worker',
        namespace: 'remote',
        start_time: t0 + 0.012,
        end_time: t0 + 0.15,
        traced: true,
        http: { request: { method: 'POST', url: 'http://127.0.0.1:4568/process' }, response: { status } },
        ...(status >= 500 ? { fault: true } : {}),
      },
      { id: newId(), name: 'render', start_time: t0 + 0.155, end_time: t0 + 0.178 },
    ],
  };
  const b: Doc = {
    trace_id: traceId,
    id: bId,
    parent_id: callId,
    name: 'worker',
    start_time: t0 + 0.018,
    end_time: t0 + 0.145,
    http: { request: { method: 'POST', url: 'http://127.0.0.1:4568/process' }, response: { status } },
    ...(status >= 500 ? { fault: true } : {}),
    subsegments: [{ id: newId(), name: 'validate', start_time: t0 + 0.02, end_time: t0 + 0.026 }],
  };
  const bDynamo: Doc = {
    type: 'subsegment',
    trace_id: traceId,
    parent_id: bId,
    id: newId(),
    name: 'DynamoDB',
    namespace: 'aws',
    start_time: t0 + 0.03,
    end_time: t0 + 0.12,
    aws: { operation: 'PutItem', table_name: 'cruddur-messages', region: 'us-east-1' },
    http: { response: { status: 200 } },
  };
  return { traceId, a, callId, b, bDynamo };
}
