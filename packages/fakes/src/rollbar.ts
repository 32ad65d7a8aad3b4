/**
 * Rollbar's item API (`POST /api/1/item/`): accepts `{ access_token?, data }` with the token in
 * `X-Rollbar-Access-Token`, answers like api.rollbar.com, records items, injects rate limits,
 * server errors and hangs.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { FaultQueue } from './faults.js';
import {
  BodyTooLargeError,
  headerValue,
  type HttpFakeHandle,
  isRecord,
  listenHttp,
  type ListenOptions,
  parseJson,
  readBody,
  requestPath,
  sendJson,
  withListener,
} from './http-json.js';
import { type CountOrPredicate, Waiters } from './wait.js';

/** Path of the item endpoint. */
export const ROLLBAR_ITEM_PATH = '/api/1/item/';

/**
 * Injected failures: `rate-limit` answers 429 with the `X-Rate-Limit-*` headers; `500` answers
 * 500 `{"err":1}`; `hang` never answers (the connection is destroyed on close).
 */
export type RollbarFaultKind = 'rate-limit' | '500' | 'hang';

/** Values of the rate-limit headers sent with `rate-limit` faults. */
export interface RollbarRateLimit {
  /** `X-Rate-Limit-Limit`: calls allowed per period. Default 5000. */
  limit: number;
  /** `X-Rate-Limit-Remaining`: calls left in the period. Default 0. */
  remaining: number;
  /** Seconds until the period resets: `X-Rate-Limit-Reset` is now + this (epoch seconds), `X-Rate-Limit-Remaining-Seconds` this. Default 60. */
  resetSeconds: number;
}

/** Options of {@link startRollbarServer}. */
export interface RollbarServerOptions extends ListenOptions {
  /** When given, only these tokens are accepted; others get 401. Default: any non-empty token. */
  accessTokens?: readonly string[];
  /** Largest body accepted, in bytes (larger ones get 413). Default 1 MiB. */
  maxBodyBytes?: number;
}

/** An accepted item. */
export interface RollbarItem {
  /** The parsed request body (`{ access_token?, data }`). */
  readonly body: Readonly<Record<string, unknown>>;
  /** `body.data`: the occurrence (`body.trace_chain`, `custom`, `request`, `person`, `server`, `uuid`...). */
  readonly data: Readonly<Record<string, unknown>>;
  /** Token used: the header's, else the body's `access_token`. */
  readonly accessToken: string;
  /** The uuid answered (`data.uuid` when the client sent one). */
  readonly uuid: string;
  readonly headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  readonly raw: string;
  readonly receivedAt: number;
}

/** One request as received, with the answer given. */
export interface RollbarRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly raw: string;
  readonly receivedAt: number;
  /** HTTP status answered; `0` while hanging. */
  status: number;
  /** Fault injected, if any. */
  fault: RollbarFaultKind | undefined;
}

/** Handle of a running Rollbar fake. */
export interface RollbarServer extends HttpFakeHandle {
  /** Full item URL, the value for Rollbar's `endpoint` option. */
  readonly itemUrl: string;
  /** Accepted items, in order. */
  readonly items: readonly RollbarItem[];
  /** Every request, including refused ones. */
  readonly requests: readonly RollbarRequestRecord[];
  /**
   * Resolves with the first `count` items once that many arrived, or — given a predicate — with
   * every matching item once one matches. Rejects after `timeoutMs` (default 5000).
   */
  waitForItems(condition: CountOrPredicate<RollbarItem>, timeoutMs?: number): Promise<RollbarItem[]>;
  /** Makes the next `count` (default 1) item requests fail with `kind`. */
  failNext(kind: RollbarFaultKind, count?: number, rateLimit?: Partial<RollbarRateLimit>): void;
  /** Cancels every scheduled fault. */
  clearFaults(): void;
  /** Forgets items and requests. */
  clear(): void;
}

/**
 * Starts a Rollbar fake. Point the client at it with
 * `new Rollbar({ accessToken: 'token', endpoint: server.itemUrl })`.
 */
export async function startRollbarServer(options: RollbarServerOptions = {}): Promise<RollbarServer> {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const items: RollbarItem[] = [];
  const requests: RollbarRequestRecord[] = [];
  const faults = new FaultQueue<'item', RollbarFaultKind>();
  const rateLimits: RollbarRateLimit[] = [];
  const waiters = new Waiters();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = requestPath(req);
    let raw = '';
    let tooLarge = false;
    try {
      raw = (await readBody(req, maxBodyBytes)).toString('utf8');
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      tooLarge = true;
    }
    const record: RollbarRequestRecord = {
      method: req.method ?? '',
      path,
      headers: req.headers,
      raw,
      receivedAt: Date.now(),
      status: 0,
      fault: undefined,
    };
    requests.push(record);
    const answer = (status: number, body: Record<string, unknown>, headers: Record<string, string | number> = {}): void => {
      record.status = status;
      sendJson(res, status, body, headers);
    };

    if (req.method !== 'POST' || (path !== ROLLBAR_ITEM_PATH && path !== ROLLBAR_ITEM_PATH.slice(0, -1))) {
      answer(404, { err: 1, message: `no route for ${req.method ?? ''} ${path}` });
      return;
    }
    if (tooLarge) {
      answer(413, { err: 1, message: `payload larger than ${maxBodyBytes} bytes` });
      return;
    }
    const fault = faults.take('item');
    if (fault !== undefined) {
      record.fault = fault.kind;
      if (fault.kind === 'hang') return;
      if (fault.kind === '500') {
        answer(500, { err: 1, message: 'Internal server error' });
        return;
      }
      const limit = rateLimits.shift() ?? defaultRateLimit();
      answer(
        429,
        { err: 1, message: 'rate limit exceeded' },
        {
          'X-Rate-Limit-Limit': limit.limit,
          'X-Rate-Limit-Remaining': limit.remaining,
          'X-Rate-Limit-Reset': Math.floor(Date.now() / 1000) + limit.resetSeconds,
          'X-Rate-Limit-Remaining-Seconds': limit.resetSeconds,
        },
      );
      return;
    }
    const parsed = parseJson(raw);
    if (!parsed.ok || !isRecord(parsed.value)) {
      answer(400, { err: 1, message: 'invalid JSON payload' });
      return;
    }
    const body = parsed.value;
    const bodyToken = typeof body.access_token === 'string' ? body.access_token : undefined;
    const accessToken = headerValue(req, 'x-rollbar-access-token') ?? bodyToken ?? '';
    if (accessToken === '') {
      answer(401, { err: 1, message: 'access token required' });
      return;
    }
    if (options.accessTokens !== undefined && !options.accessTokens.includes(accessToken)) {
      answer(401, { err: 1, message: 'invalid access token' });
      return;
    }
    const data = body.data;
    if (!isRecord(data)) {
      answer(422, { err: 1, message: "missing or invalid 'data' object" });
      return;
    }
    if (!isRecord(data.body)) {
      answer(422, { err: 1, message: "missing or invalid 'data.body' object" });
      return;
    }
    const uuid = typeof data.uuid === 'string' && data.uuid !== '' ? data.uuid : randomUUID();
    items.push({ body, data, accessToken, uuid, headers: req.headers, raw, receivedAt: record.receivedAt });
    answer(200, { err: 0, result: { id: null, uuid } });
    waiters.notify();
  };

  const listener = await listenHttp(handle, options);

  return withListener<Omit<RollbarServer, keyof HttpFakeHandle>>(
    listener,
    {
      get itemUrl() {
        return `${listener.url}${ROLLBAR_ITEM_PATH}`;
      },
      items,
      requests,
      waitForItems(condition, timeoutMs = 5000) {
        return waiters.waitForRecords(items, condition, timeoutMs, 'items', () => {
          const statuses = requests.map((request) => request.status).join(', ');
          return `accepted ${items.length} item(s); ${requests.length} request(s) answered [${statuses}]`;
        });
      },
      failNext(kind, count = 1, rateLimit = {}) {
        faults.add('item', kind, count, 0);
        if (kind === 'rate-limit') {
          for (let index = 0; index < count; index += 1) rateLimits.push({ ...defaultRateLimit(), ...rateLimit });
        }
      },
      clearFaults() {
        faults.clear();
        rateLimits.length = 0;
      },
      clear() {
        items.length = 0;
        requests.length = 0;
      },
    },
    () => waiters.rejectAll(`Rollbar fake on ${listener.url} closed`),
  );
}

function defaultRateLimit(): RollbarRateLimit {
  return { limit: 5000, remaining: 0, resetSeconds: 60 };
}
