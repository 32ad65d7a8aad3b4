// Errors in the shape X-Ray's REST-JSON protocol uses, so the AWS SDK raises the same exception
// classes it would against AWS (`InvalidRequestException` for a bad filter expression).

/** An error the API answers with `status` and `{"__type", "message"}`. */
export class XRayApiError extends Error {
  override readonly name = 'XRayApiError';
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/** 400 `InvalidRequestException`, X-Ray's answer to bad parameters and bad filter expressions. */
export function invalidRequest(message: string): XRayApiError {
  return new XRayApiError('InvalidRequestException', message);
}
