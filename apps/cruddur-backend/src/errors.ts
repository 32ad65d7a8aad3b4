/**
 * An expected failure with its HTTP status and the error codes of the
 * response body (`["message_blank"]`, `["activity_not_found"]` ...).
 */
export class ServiceError extends Error {
  constructor(
    readonly status: 401 | 403 | 404 | 422 | 502,
    readonly codes: string[],
  ) {
    super(`${status} ${codes.join(',')}`);
    this.name = 'ServiceError';
  }
}

export const unprocessable = (codes: string[]): ServiceError => new ServiceError(422, codes);
export const notFound = (code: string): ServiceError => new ServiceError(404, [code]);
export const forbidden = (code: string): ServiceError => new ServiceError(403, [code]);

/** True for the error DynamoDB returns when a ConditionExpression is false. */
export function isConditionalCheckFailed(err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException';
}
