import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express';
import { recordIncomingError } from '../core/incoming.js';
import { traceOf } from './state.js';

/**
 * Express error middleware that records the error passed to `next(err)` (Express 5 also passes
 * the rejection of an async handler) as the cause of the request's segment, once, then hands it
 * on with `next(err)` so the application's own error handlers still answer. Mount it after the
 * routes and before those handlers. The response status decides the flags: an error answered
 * with a 4xx is an `error`, with a 5xx a `fault`.
 */
export function xrayErrorHandler(): ErrorRequestHandler {
  // Four parameters: Express recognises error middleware by its arity.
  return function xrayErrorHandler(err: unknown, _req: Request, res: Response, next: NextFunction): void {
    const trace = traceOf(res);
    if (trace !== undefined) {
      try {
        recordIncomingError(trace, err);
      } catch (failure) {
        trace.segment.host.diagnostics.once('error', 'express:error', `could not record a request's error: ${String(failure)}`);
      }
    }
    next(err);
  };
}
