/**
 * Which rejected PutTraceSegments documents are worth another try, and how long to wait. (Which
 * failed calls are, the AWS SDK decides: see retry-classification.ts.)
 */

/** True for an `UnprocessedTraceSegments` error code that names a transient condition. */
export function isRetryableUnprocessedCode(code: string | undefined): boolean {
  return code !== undefined && /thrott|toomanyrequests|ratelimit|internal|unavailable|timeout/i.test(code);
}

export { backoffMs } from '../core/backoff.js';
