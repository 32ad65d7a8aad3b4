/** What to do after a failed CloudWatch Logs call. */
export type FailureKind =
  /** Throttling, 5xx, network trouble, expired credentials: try again after a back-off. */
  | 'retry'
  /** The log group or stream is gone: create them again, then retry. */
  | 'missing'
  /** A 4xx that resending cannot fix (bad parameters, access denied): give the batch up. */
  | 'fatal';

const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'ServiceUnavailableException',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalServerError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'CredentialsProviderError',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/**
 * Classifies an error thrown by the CloudWatch Logs client. Anything that is not clearly the
 * caller's fault is retried: the buffer is bounded, so retrying costs no more than memory we
 * already reserved, while giving up would lose entries a recovering endpoint could still take.
 */
export function classifyFailure(error: unknown): FailureKind {
  if (error === null || typeof error !== 'object') return 'retry';
  const e = error as ErrorShape;
  const name = typeof e.name === 'string' ? e.name : '';
  if (name === 'ResourceNotFoundException') return 'missing';
  if (RETRYABLE_NAMES.has(name) || e.$retryable !== undefined) return 'retry';
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return 'retry';
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  if (status === 429 || (status !== undefined && status >= 500)) return 'retry';
  if (e.$fault === 'server') return 'retry';
  if (e.$fault === 'client' || (status !== undefined && status >= 400)) return 'fatal';
  return 'retry';
}

/** Exponential back-off with full jitter: attempt 1 waits up to `baseMs`, doubling up to `maxMs`. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.max(baseMs / 2, Math.round(ceiling * random()));
}

/** A short, stable description of an error for diagnostics (name and message, never a stack). */
export function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === 'string' && code !== error.name ? ` (${code})` : ''}: ${error.message}`;
  }
  return String(error);
}
