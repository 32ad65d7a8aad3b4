/**
 * An expected failure with its HTTP status and the error codes of the
 * response body (`["message_blank"]`, `["activity_not_found"]` ...).
 */
export class ServiceError extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 413 | 415 | 422 | 502,
    readonly codes: string[],
  ) {
    super(`${status} ${codes.join(',')}`);
    this.name = 'ServiceError';
  }
}

export const unprocessable = (codes: string[]): ServiceError => new ServiceError(422, codes);
export const notFound = (code: string): ServiceError => new ServiceError(404, [code]);
export const badRequest = (code: string): ServiceError => new ServiceError(400, [code]);

/** True for the error DynamoDB returns when a ConditionExpression is false. */
export function isConditionalCheckFailed(err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException';
}

// DynamoDB failures that say "not now" rather than "not this": a retry later may succeed.
const THROTTLING = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException']);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * True for an AWS SDK error (it carries `$metadata`) saying that DynamoDB throttled the call,
 * failed on its side (5xx) or could not be reached: the API answers 503, not 500.
 */
export function isDependencyUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || !('$metadata' in err)) return false;
  const e = err as { name?: unknown; code?: unknown; $retryable?: { throttling?: unknown }; $metadata?: { httpStatusCode?: unknown } };
  if ((typeof e.name === 'string' && THROTTLING.has(e.name)) || e.$retryable?.throttling === true) return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number') return status >= 500;
  return (typeof e.code === 'string' && UNREACHABLE.has(e.code)) || e.name === 'TimeoutError';
}
