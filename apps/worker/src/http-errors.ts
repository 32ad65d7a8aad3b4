import { type FastifyError } from 'fastify';

/**
 * Fastify's own errors for a request the client got wrong, answered in the API's envelope (the
 * backend's codes: apps/README.md, "Response contract") instead of Fastify's internal codes.
 */
export interface ClientFailure {
  status: 400 | 413 | 415 | 422;
  code: string;
}

const FASTIFY_CODES: Readonly<Record<string, ClientFailure>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 422, code: 'invalid_json' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 422, code: 'invalid_json' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_body' },
  FST_ERR_BAD_URL: { status: 400, code: 'invalid_path' },
};

/**
 * True when the client went away while its body was being read (Node's `aborted` reading
 * error): nobody is left to answer and nothing failed here.
 */
export function isClientAbort(err: FastifyError, rawDestroyed: boolean): boolean {
  return rawDestroyed && (err.code === 'ECONNRESET' || err.message === 'aborted');
}

/** The answer to a 4xx error Fastify raised; `bad_request` for one this table does not know. */
export function clientFailure(err: FastifyError): ClientFailure | undefined {
  const known = FASTIFY_CODES[err.code];
  if (known) return known;
  if (err.statusCode === 413) return { status: 413, code: 'payload_too_large' };
  if (err.statusCode === 415) return { status: 415, code: 'unsupported_media_type' };
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) return { status: 400, code: 'bad_request' };
  return undefined;
}
