/**
 * Errors the HTTP layer (Express's router, body-parser) raises for a request the client got
 * wrong, with the answer each gets. Both services use the same codes (apps/README.md,
 * "Response contract").
 */
export interface ClientFailure {
  status: 400 | 413 | 415 | 422;
  code: string;
}

// body-parser's `type` of each error it raises for a bad request.
const BODY_PARSER: Readonly<Record<string, ClientFailure>> = {
  'entity.parse.failed': { status: 422, code: 'invalid_json' },
  'entity.too.large': { status: 413, code: 'payload_too_large' },
  'charset.unsupported': { status: 415, code: 'unsupported_charset' },
  'encoding.unsupported': { status: 415, code: 'unsupported_content_encoding' },
  'request.size.invalid': { status: 400, code: 'invalid_body' },
  'stream.encoding.set': { status: 400, code: 'invalid_body' },
};

function fieldOf(err: object, name: string): unknown {
  return (err as Record<string, unknown>)[name];
}

/**
 * True when the client went away before its body arrived (body-parser's `request.aborted`):
 * nobody is left to answer, and nothing failed on our side.
 */
export function isClientAbort(err: unknown): boolean {
  return typeof err === 'object' && err !== null && fieldOf(err, 'type') === 'request.aborted';
}

/**
 * The answer to a framework error caused by the request, or `undefined` for anything else.
 * Malformed percent-escapes in a path parameter (`%ZZ`, Express's router: URIError with status
 * 400) are 400 `invalid_path`; a body that inflates to garbage (corrupt gzip: zlib's error with
 * status 400) is 400 `invalid_body`.
 */
export function clientFailure(err: unknown): ClientFailure | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const type = fieldOf(err, 'type');
  if (typeof type === 'string' && BODY_PARSER[type]) return BODY_PARSER[type];
  const status = fieldOf(err, 'status') ?? fieldOf(err, 'statusCode');
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (err instanceof URIError) return { status: 400, code: 'invalid_path' };
  if (status === 413) return { status: 413, code: 'payload_too_large' };
  if (status === 415) return { status: 415, code: 'unsupported_media_type' };
  const code = fieldOf(err, 'code');
  // zlib's codes (Z_DATA_ERROR, Z_BUF_ERROR …): the body did not inflate.
  if (typeof code === 'string' && code.startsWith('Z_')) return { status: 400, code: 'invalid_body' };
  return { status: 400, code: 'bad_request' };
}
