import { currentTraceId } from '@cruddur/middleware';
import { type ErrorRequestHandler, type RequestHandler } from 'express';
import { type Logger } from '../deps.js';
import { isDependencyUnavailable, ServiceError } from '../errors.js';

/** Unknown route → 404 `["route_not_found"]`. */
export const notFoundHandler: RequestHandler = (_req, res) => {
  res.status(404).json(['route_not_found']);
};

function bodyParserFailure(err: unknown): { status: number; code: string } | undefined {
  if (typeof err !== 'object' || err === null || !('type' in err)) return undefined;
  if (err.type === 'entity.parse.failed') return { status: 422, code: 'invalid_json' };
  if (err.type === 'entity.too.large') return { status: 413, code: 'payload_too_large' };
  return undefined;
}

/**
 * The one error-handling middleware of the app (registered last). Expected
 * failures keep the original contract: status + JSON array of codes.
 * DynamoDB throttled, failing or unreachable is a 503
 * `{"error":"service_unavailable","trace_id":…}` with `Retry-After: 1`: the
 * request was fine, a retry may succeed. Anything else is a 500
 * `{"error":"internal_error","trace_id":…}`. The trace id lets whoever sees
 * the error find its trace, logs and report.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof ServiceError) {
      res.status(err.status).json(err.codes);
      return;
    }
    const parserFailure = bodyParserFailure(err);
    if (parserFailure) {
      res.status(parserFailure.status).json([parserFailure.code]);
      return;
    }
    const unavailable = isDependencyUnavailable(err);
    logger.error(unavailable ? 'dependency unavailable' : 'unhandled error', {
      method: req.method,
      path: req.originalUrl,
      error: err instanceof Error ? err.message : String(err),
      stack: err instanceof Error ? err.stack : undefined,
    });
    const traceId = currentTraceId() ?? req.segment?.traceId;
    const error = unavailable ? 'service_unavailable' : 'internal_error';
    if (unavailable) res.set('Retry-After', '1');
    res.status(unavailable ? 503 : 500).json(traceId ? { error, trace_id: traceId } : { error });
  };
}
