import { classifyAwsFailure } from '../../aws/retry-classification.js';

/** What to do after a failed CloudWatch Logs call. */
export type FailureKind =
  /** Throttling, 5xx, network trouble: try again after a back-off. */
  | 'retry'
  /** The log group or stream is gone: create them again, then retry. */
  | 'missing'
  /** A 4xx that resending cannot fix (bad parameters, access denied): give the batch up. */
  | 'fatal';

/**
 * Classifies an error thrown by the CloudWatch Logs client with the AWS SDK's own rules, the same
 * ones the direct X-Ray emitter uses (see retry-classification.ts); a missing group or stream is
 * the one case this transport handles itself, by creating them again.
 */
export async function classifyFailure(error: unknown): Promise<FailureKind> {
  if (error instanceof Error && error.name === 'ResourceNotFoundException') return 'missing';
  return (await classifyAwsFailure(error)) === 'client' ? 'fatal' : 'retry';
}

/** A short, stable description of an error for diagnostics (name and message, never a stack). */
export function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === 'string' && code !== error.name ? ` (${code})` : ''}: ${error.message}`;
  }
  return String(error);
}
