import { currentTraceId } from '@cruddur/middleware';
import { type ErrorRequestHandler, type RequestHandler } from 'express';
import { type Logger } from '../deps.js';
import { isDependencyUnavailable, ServiceError } from '../errors.js';
import { clientFailure, isClientAbort } from './client-errors.js';

/** Unknown route → 404 `["route_not_found"]`. */
export const notFoundHandler: RequestHandler = (_req, res) => {
  res.status(404).json(['route_not_found']);
};

/**
 * The one error-handling middleware of the app (registered last). Expected
 * failures and requests the HTTP layer refused (bad JSON, charset, encoding, path escapes) keep
 * the original contract: status + JSON array of codes.
 * DynamoDB throttled, failing or unreachable is a 503
 * `{"error":"service_unavailable","trace_id":…}` with `Retry-After: 1`: the
 * request was fine, a retry may succeed. Anything else is a 500
 * `{"error":"internal_error","trace_id":…}`. The trace id lets whoever sees
 * the error find its trace, logs and report.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (isClientAbort(err)) {
      // The client went away mid-request: there is nobody to answer and nothing failed here. Not
      // answering leaves the segment without a status (so no fault), marked `client_aborted`.
      logger.info('client went away', { method: req.method, path: req.originalUrl });
      return;
    }
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof ServiceError) {
      res.status(err.status).json(err.codes);
      return;
    }
    const failure = clientFailure(err);
    if (failure) {
      res.status(failure.status).json([failure.code]);
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
