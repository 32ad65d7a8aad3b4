/**
 * An OTLP/HTTP trace receiver (`POST /v1/traces`, protobuf or JSON, optionally gzip) that decodes
 * with the official generated types, records every request and span, answers like a collector or
 * the X-Ray OTLP endpoint (optionally checking SigV4), and fails on demand.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzip } from 'node:zlib';
import { FaultQueue } from './faults.js';
import {
  AwsServiceError,
  BodyTooLargeError,
  delayUnlessClosed,
  describeError,
  type HttpFakeHandle,
  listenHttp,
  readBody,
  requestIdHeader,
  requestPath,
  sendRestJsonError,
  withListener,
} from './http-json.js';
import {
  decodeTraceRequest,
  encodeRpcStatus,
  encodeTraceResponse,
  grpcCodeForHttpStatus,
  OtlpDecodeError,
  type OtlpEncoding,
  type OtlpPartialSuccess,
  type OtlpSpan,
} from './otlp-spans.js';
import { createSigV4Verifier, type SigV4VerifierOptions } from './sigv4-verifier.js';
import { type CountOrPredicate, Waiters } from './wait.js';

/** The OTLP/HTTP traces path. */
export const OTLP_TRACES_PATH = '/v1/traces';

/** Default cap on a request body, wire and decompressed alike: 16 MiB. */
export const OTLP_DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Options of {@link startOtlpSink}. */
export interface OtlpSinkOptions {
  /** Port on 127.0.0.1; `0` (default) picks a free one. */
  port?: number;
  /** Require every request to carry a valid SigV4 signature for these credentials (service default `xray`). */
  sigv4?: SigV4VerifierOptions;
  /** Largest body accepted, on the wire and after gunzip; larger ones get 413. Default 16 MiB. */
  maxBodyBytes?: number;
}

/**
 * Injected failures. `status`: answer `status` with a `google.rpc.Status` body (and `Retry-After`
 * when given). `reset`: destroy the socket without answering. `slow`: answer 200 after `delayMs`,
 * or never if the client gives up first.
 */
export type OtlpFaultKind = 'status' | 'reset' | 'slow';

/** Options of {@link OtlpSink.fail}. */
export interface OtlpFailOptions {
  /** How many requests in a row fail this way. Default 1. */
  count?: number;
  /** Status answered by a `status` fault. Default 503. */
  status?: number;
  /** `Retry-After` header value sent with a `status` fault, e.g. `'0'` or `'2'`. */
  retryAfter?: string;
  /** `message` of the `google.rpc.Status` body. Default: the HTTP reason phrase. */
  message?: string;
  /** Wait before answering (`slow`: default 1000 ms; others: 0). */
  delayMs?: number;
}

/** One request as received, with the answer given. */
export interface OtlpRequestRecord {
  readonly method: string;
  readonly path: string;
  /** Media type without parameters, lower-cased (`application/x-protobuf`), or `undefined`. */
  readonly contentType: string | undefined;
  /** `Content-Encoding` as sent (`gzip`), or `undefined`. */
  readonly contentEncoding: string | undefined;
  /** Every header, names lower-cased, repeated values joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** Body size as received. */
  readonly wireBytes: number;
  /** Body size after decompression (equal to `wireBytes` without `Content-Encoding`). */
  readonly bodyBytes: number;
  /** Spans decoded from the body (0 when it could not be decoded). */
  readonly spanCount: number;
  /** The decoded spans, whether or not the answer was a success. */
  readonly spans: readonly OtlpSpan[];
  /** `undefined` when SigV4 is not configured. */
  readonly signatureValid: boolean | undefined;
  /** HTTP status answered; `undefined` while pending, after a reset, or when the client gave up first. */
  readonly answeredStatus: number | undefined;
  /** The fault applied, if any. */
  readonly fault: OtlpFaultKind | 'partialSuccess' | undefined;
  /** `rejectedSpans` reported in a partial success answer (0 otherwise). */
  readonly rejectedSpans: number;
  /** Why the request was refused (decode error, signature problem, ...). */
  readonly error: string | undefined;
  readonly receivedAt: number;
}

/** Handle of a running OTLP sink. */
export interface OtlpSink extends HttpFakeHandle {
  /** Full traces endpoint, e.g. `http://127.0.0.1:41234/v1/traces` — what `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` takes. */
  readonly tracesUrl: string;
  /** Spans of the requests answered 2xx, in arrival order (a partial success keeps all of its spans; see {@link OtlpSink.rejected}). */
  spans(): OtlpSpan[];
  /** Every request, in arrival order, failed ones included. */
  readonly requests: readonly OtlpRequestRecord[];
  /** Number of requests received to `/v1/traces`, whatever the outcome. */
  readonly attempts: number;
  /** Sum of `rejectedSpans` over the partial successes answered. */
  readonly rejected: number;
  /** Makes the next `count` (default 1) export requests fail with `kind`. */
  fail(kind: OtlpFaultKind, options?: OtlpFailOptions): void;
  /** Answers the next `count` (default 1) export requests 200 with this `partial_success`. */
  partialSuccess(detail: OtlpPartialSuccess, count?: number): void;
  /** Cancels every scheduled fault and partial success. */
  clearFaults(): void;
  /**
   * Resolves with the first `count` spans once that many were received (answered 2xx), or — given
   * a predicate — with every matching span once one matches. Rejects after `timeoutMs` (default 5000).
   */
  waitForSpans(condition: CountOrPredicate<OtlpSpan>, timeoutMs?: number): Promise<OtlpSpan[]>;
  /** Like {@link OtlpSink.waitForSpans}, for requests whose answer is settled (answered, reset or abandoned). */
  waitForRequests(condition: CountOrPredicate<OtlpRequestRecord>, timeoutMs?: number): Promise<OtlpRequestRecord[]>;
  /** Forgets received spans and requests (scheduled faults stay). */
  reset(): void;
  /** Stops listening and drops open connections, keeping the port: the endpoint is down. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

type FaultSpec =
  | { kind: OtlpFaultKind; status: number; retryAfter: string | undefined; message: string | undefined; delayMs: number }
  | { kind: 'partialSuccess'; detail: OtlpPartialSuccess };

type MutableRecord = { -readonly [K in keyof OtlpRequestRecord]: OtlpRequestRecord[K] };

const MEDIA_TYPES: Readonly<Record<string, OtlpEncoding>> = {
  'application/x-protobuf': 'protobuf',
  'application/json': 'json',
};

/**
 * Starts an OTLP/HTTP trace sink on 127.0.0.1. Point an exporter at {@link OtlpSink.tracesUrl}.
 *
 * @example
 * const sink = await startOtlpSink();
 * const exporter = new OTLPTraceExporter({ url: sink.tracesUrl });
 * // ... end some spans ...
 * const [span] = await sink.waitForSpans(1);
 */
export async function startOtlpSink(options: OtlpSinkOptions = {}): Promise<OtlpSink> {
  const maxBodyBytes = options.maxBodyBytes ?? OTLP_DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) {
    throw new RangeError(`maxBodyBytes must be a positive integer, got ${String(maxBodyBytes)}`);
  }
  const verify = options.sigv4 === undefined ? undefined : createSigV4Verifier(options.sigv4);
  const requests: MutableRecord[] = [];
  const settled: MutableRecord[] = [];
  const received: OtlpSpan[] = [];
  // FaultQueue orders and counts faults; each scheduled entry's own settings live in `specs`
  // under a unique id used as the queue's kind, so the shared queue needs no payload support.
  const faults = new FaultQueue<'export', string>();
  const specs = new Map<string, FaultSpec>();
  let nextFaultId = 0;
  const waiters = new Waiters();
  let rejected = 0;

  const schedule = (spec: FaultSpec, count: number, delayMs: number): void => {
    const id = `${spec.kind}#${nextFaultId++}`;
    faults.add('export', id, count, delayMs);
    specs.set(id, spec);
  };

  const settle = (record: MutableRecord, status: number | undefined): void => {
    record.answeredStatus = status;
    if (status !== undefined && status >= 200 && status < 300) received.push(...record.spans);
    settled.push(record);
    waiters.notify();
  };

  /** Sends a body and settles the record once the bytes are handed over (or the client is gone). */
  const answer = (res: ServerResponse, record: MutableRecord, status: number, body: Buffer, headers: Record<string, string | number>): void => {
    if (res.destroyed) {
      settle(record, undefined);
      return;
    }
    res.writeHead(status, { ...headers, 'Content-Length': body.length });
    res.end(body);
    settle(record, status);
  };

  const answerStatus = (
    res: ServerResponse,
    record: MutableRecord,
    status: number,
    message: string,
    encoding: OtlpEncoding,
    headers: Record<string, string | number> = {},
  ): void => {
    record.error ??= message;
    answer(res, record, status, encodeRpcStatus({ code: grpcCodeForHttpStatus(status), message }, encoding), {
      'Content-Type': encoding === 'json' ? 'application/json' : 'application/x-protobuf',
      ...headers,
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = requestPath(req);
    const mediaType = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase() || undefined;
    const encoding = mediaType === undefined ? undefined : MEDIA_TYPES[mediaType];
    const contentEncoding = req.headers['content-encoding']?.trim() || undefined;
    const record: MutableRecord = {
      method: req.method ?? 'GET',
      path,
      contentType: mediaType,
      contentEncoding,
      headers: flattenHeaders(req),
      wireBytes: 0,
      bodyBytes: 0,
      spanCount: 0,
      spans: [],
      signatureValid: undefined,
      answeredStatus: undefined,
      fault: undefined,
      rejectedSpans: 0,
      error: undefined,
      receivedAt: Date.now(),
    };
    requests.push(record);
    // Error answers before the encoding is known are JSON, the human-readable choice.
    const replyEncoding = encoding ?? 'json';

    if (path !== OTLP_TRACES_PATH) {
      req.resume();
      answerStatus(res, record, 404, `no such path ${path}: this sink only serves ${OTLP_TRACES_PATH}`, replyEncoding);
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      answerStatus(res, record, 405, `method ${String(req.method)} not allowed: use POST`, replyEncoding, { Allow: 'POST' });
      return;
    }

    let wire: Buffer;
    try {
      wire = await readBody(req, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        answerStatus(res, record, 413, `request body exceeds ${maxBodyBytes} bytes`, replyEncoding);
        return;
      }
      // The client went away mid-body: nothing to answer.
      record.error = describeError(error);
      settle(record, undefined);
      return;
    }
    record.wireBytes = wire.length;

    // Like AWS, authenticate before looking at what the body says.
    if (verify !== undefined) {
      const verdict = await verify({ method: req.method, url: req.url ?? '/', headers: req.headers, body: wire });
      record.signatureValid = verdict.valid;
      if (!verdict.valid) {
        record.error = verdict.message;
        if (!res.destroyed) sendRestJsonError(res, new AwsServiceError(verdict.errorType, verdict.message, 403));
        settle(record, res.destroyed ? undefined : 403);
        return;
      }
    }

    if (encoding === undefined) {
      answerStatus(res, record, 415, `unsupported Content-Type ${JSON.stringify(req.headers['content-type'] ?? '')}: send application/x-protobuf or application/json`, 'json');
      return;
    }
    if (contentEncoding !== undefined && !['gzip', 'identity'].includes(contentEncoding.toLowerCase())) {
      answerStatus(res, record, 415, `unsupported Content-Encoding ${JSON.stringify(contentEncoding)}: send gzip or none`, encoding);
      return;
    }

    let body = wire;
    if (contentEncoding?.toLowerCase() === 'gzip') {
      try {
        body = await gunzipBounded(wire, maxBodyBytes);
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          answerStatus(res, record, 413, `decompressed body exceeds ${maxBodyBytes} bytes`, encoding);
        } else {
          answerStatus(res, record, 400, `body is not valid gzip: ${describeError(error)}`, encoding);
        }
        return;
      }
    }
    record.bodyBytes = body.length;

    try {
      record.spans = decodeTraceRequest(body, encoding);
    } catch (error) {
      if (!(error instanceof OtlpDecodeError)) throw error;
      answerStatus(res, record, 400, error.message, encoding);
      return;
    }
    record.spanCount = record.spans.length;

    const contentTypeHeader = { 'Content-Type': encoding === 'json' ? 'application/json' : 'application/x-protobuf' };
    const scheduled = faults.take('export');
    const spec = scheduled === undefined ? undefined : specs.get(scheduled.kind);
    if (spec === undefined) {
      answer(res, record, 200, encodeTraceResponse(encoding), contentTypeHeader);
      return;
    }
    record.fault = spec.kind;
    if (spec.kind === 'partialSuccess') {
      record.rejectedSpans = spec.detail.rejectedSpans;
      rejected += spec.detail.rejectedSpans;
      answer(res, record, 200, encodeTraceResponse(encoding, spec.detail), contentTypeHeader);
      return;
    }
    if (spec.delayMs > 0 && !(await delayUnlessClosed(res, spec.delayMs))) {
      // The client gave up (or the sink went down) first: its spans were never accepted.
      settle(record, undefined);
      return;
    }
    switch (spec.kind) {
      case 'reset':
        res.destroy();
        settle(record, undefined);
        return;
      case 'slow':
        answer(res, record, 200, encodeTraceResponse(encoding), contentTypeHeader);
        return;
      case 'status':
        answerStatus(res, record, spec.status, spec.message ?? `injected ${spec.status}`, encoding, {
          ...requestIdHeader(),
          ...(spec.retryAfter !== undefined ? { 'Retry-After': spec.retryAfter } : {}),
        });
        return;
    }
  };

  const listener = await listenHttp(handle, { host: '127.0.0.1', port: options.port ?? 0 });

  const progress = (): string =>
    `${received.length} span(s) received in ${requests.length} request(s) (${requests
      .map((record) => String(record.answeredStatus ?? record.fault ?? 'pending'))
      .join(', ')})`;

  const members = {
    get tracesUrl() {
      return `${listener.url}${OTLP_TRACES_PATH}`;
    },
    spans: () => [...received],
    get requests(): readonly OtlpRequestRecord[] {
      return requests;
    },
    get attempts() {
      return requests.filter((record) => record.path === OTLP_TRACES_PATH).length;
    },
    get rejected() {
      return rejected;
    },
    fail(kind: OtlpFaultKind, failOptions: OtlpFailOptions = {}) {
      const status = failOptions.status ?? 503;
      if (kind === 'status' && (!Number.isInteger(status) || status < 300 || status > 599)) {
        throw new RangeError(`a status fault needs an HTTP error status (300-599), got ${String(status)}`);
      }
      const delayMs = failOptions.delayMs ?? (kind === 'slow' ? 1000 : 0);
      schedule({ kind, status, retryAfter: failOptions.retryAfter, message: failOptions.message, delayMs }, failOptions.count ?? 1, delayMs);
    },
    partialSuccess(detail: OtlpPartialSuccess, count = 1) {
      if (!Number.isInteger(detail.rejectedSpans) || detail.rejectedSpans < 0) {
        throw new RangeError(`rejectedSpans must be a non-negative integer, got ${String(detail.rejectedSpans)}`);
      }
      schedule({ kind: 'partialSuccess', detail: { ...detail } }, count, 0);
    },
    clearFaults() {
      faults.clear();
      specs.clear();
    },
    waitForSpans(condition: CountOrPredicate<OtlpSpan>, timeoutMs = 5000) {
      return waiters.waitForRecords(received, condition, timeoutMs, 'spans', progress);
    },
    waitForRequests(condition: CountOrPredicate<OtlpRequestRecord>, timeoutMs = 5000) {
      return waiters.waitForRecords<OtlpRequestRecord>(settled, condition, timeoutMs, 'requests', progress);
    },
    reset() {
      requests.length = 0;
      settled.length = 0;
      received.length = 0;
      rejected = 0;
    },
    stop: () => listener.goDown(),
    start: () => listener.comeBack(),
  };
  return withListener(listener, members, () => waiters.rejectAll('OTLP sink closed'));
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** Gunzips with an output cap, so a small "zip bomb" cannot exhaust memory. */
function gunzipBounded(data: Buffer, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gunzip(data, { maxOutputLength: limitBytes + 1 }, (error, result) => {
      if (error !== null) {
        // Node reports an exceeded maxOutputLength as a RangeError (ERR_BUFFER_TOO_LARGE).
        reject((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? new BodyTooLargeError(limitBytes) : error);
        return;
      }
      if (result.length > limitBytes) reject(new BodyTooLargeError(limitBytes));
      else resolve(result);
    });
  });
}
