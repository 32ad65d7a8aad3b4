/**
 * Which PutTraceSegments failures are worth another try, and how long to wait: throttling, server
 * errors and network trouble are transient; a rejected request or missing credentials are not.
 */

const RETRYABLE_NAMES = new Set([
  'ThrottledException',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalServerError',
  'InternalServiceError',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);

/** True for an error a later identical call may not hit. */
export function isRetryableError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown }; $retryable?: unknown };
  if (typeof e.name === 'string' && RETRYABLE_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && RETRYABLE_CODES.has(e.code)) return true;
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  return typeof status === 'number' && (status === 429 || status >= 500);
}

/** True for an error that means "slow down" (reported differently from outright failures). */
export function isThrottlingError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  return (typeof e.name === 'string' && /thrott|toomanyrequests|limitexceeded/i.test(e.name)) || e.$metadata?.httpStatusCode === 429;
}

/** True for an `UnprocessedTraceSegments` error code that names a transient condition. */
export function isRetryableUnprocessedCode(code: string | undefined): boolean {
  return code !== undefined && /thrott|toomanyrequests|ratelimit|internal|unavailable|timeout/i.test(code);
}

export { backoffMs } from '../core/backoff.js';
