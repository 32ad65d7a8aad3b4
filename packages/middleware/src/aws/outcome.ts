import type { AwsDocument } from '../core/document.js';
import type { Subsegment } from '../core/subsegment.js';

// How an operation's outcome becomes the subsegment's fields and flags. The subsegment stands for
// the whole operation, retries included, so the final attempt decides: a call throttled once and
// then successful has no flags, and `retries: 1` tells that an attempt failed.

/** Error names the SDK itself treats as throttling (plus anything it marks `$retryable.throttling`). */
const THROTTLING_ERRORS = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);

// Failures before any answer that still come from the network, not from this process.
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const NETWORK_ERROR_NAMES = new Set(['TimeoutError', 'RequestTimeout']);

interface Metadata {
  httpStatusCode?: unknown;
  requestId?: unknown;
  attempts?: unknown;
}

interface RawResponse {
  statusCode?: unknown;
  headers?: Record<string, unknown>;
}

/** Records a successful operation: request id, retries, status and length. */
export function recordSuccess(subsegment: Subsegment, aws: AwsDocument, output: object, response: unknown): void {
  addMetadata(aws, (output as { $metadata?: Metadata }).$metadata);
  const raw = asResponse(response);
  const status = typeof raw?.statusCode === 'number' ? raw.statusCode : numberOr((output as { $metadata?: Metadata }).$metadata?.httpStatusCode);
  if (status !== undefined) subsegment.setHttpResponse(status, contentLength(raw));
}

/**
 * Records a failed operation (xray-wire §10): throttling sets `throttle` and `error`; another 4xx
 * sets `error` with a remote exception as the cause and no `fault`; a 5xx, or a failure without
 * an answer, is a `fault`.
 */
export function recordFailure(subsegment: Subsegment, aws: AwsDocument, error: unknown): void {
  const e = (error !== null && typeof error === 'object' ? error : {}) as {
    name?: unknown;
    code?: unknown;
    $metadata?: Metadata;
    $response?: unknown;
    $retryable?: { throttling?: unknown };
  };
  addMetadata(aws, e.$metadata);
  const raw = asResponse(e.$response);
  const status = numberOr(e.$metadata?.httpStatusCode) ?? (typeof raw?.statusCode === 'number' ? raw.statusCode : undefined);
  if (status !== undefined) subsegment.setHttpResponse(status, contentLength(raw));
  const throttled = (typeof e.name === 'string' && THROTTLING_ERRORS.has(e.name)) || e.$retryable?.throttling === true || status === 429;
  if (throttled) {
    subsegment.throttle = true;
    if (status === undefined || status < 500) subsegment.error = true;
  }
  const answered = status !== undefined;
  const remote = answered || (typeof e.code === 'string' && NETWORK_ERRORS.has(e.code)) || (typeof e.name === 'string' && NETWORK_ERROR_NAMES.has(e.name));
  subsegment.addError(error, { remote, fault: !answered || status >= 500 });
}

function addMetadata(aws: AwsDocument, metadata: Metadata | undefined): void {
  if (!metadata) return;
  if (typeof metadata.requestId === 'string') aws.request_id = metadata.requestId;
  const attempts = numberOr(metadata.attempts);
  // `retries` is the number of retries, not of attempts (xray-wire §10).
  if (attempts !== undefined && attempts >= 1) aws.retries = attempts - 1;
}

function asResponse(value: unknown): RawResponse | undefined {
  return value !== null && typeof value === 'object' ? (value as RawResponse) : undefined;
}

function contentLength(response: RawResponse | undefined): number | undefined {
  const value = response?.headers?.['content-length'];
  const n = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : NaN;
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
