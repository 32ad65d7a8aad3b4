/** An expected failure: HTTP status + JSON array of error codes. */
export class WorkerError extends Error {
  constructor(
    readonly status: 403 | 404 | 422 | 502,
    readonly codes: string[],
  ) {
    super(`${status} ${codes.join(',')}`);
    this.name = 'WorkerError';
  }
}

export function isConditionalCheckFailed(err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException';
}
