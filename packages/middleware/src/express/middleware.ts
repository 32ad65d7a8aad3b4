import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { runWithEntity } from '../core/context.js';
import { getDefaultTracer } from '../core/default-tracer.js';
import { beginIncomingRequest, incomingRequestView, type IncomingTrace, type IncomingTraceOptions } from '../core/incoming.js';
import { TRACE_HEADER } from '../core/trace-header.js';
import type { Tracer } from '../core/tracer.js';
import { attachTrace, traceOf } from './state.js';
import type { ExpressXrayOptions } from './types.js';

/**
 * Express middleware (Express 4 and 5) that traces each request as an X-Ray segment. Mount it
 * before any route:
 *
 * ```ts
 * app.use(xray({ name: 'cruddur-backend' }));
 * // … routes …
 * app.use(xrayErrorHandler());
 * ```
 *
 * For each request it continues the caller's trace from `X-Amzn-Trace-Id` or W3C `traceparent`
 * (README-propagation.md; or starts one), sets
 * the `X-Amzn-Trace-Id` response header, exposes the segment as `req.segment`, runs the rest of
 * the chain with the segment as the current entity (so `capture()`, the logger and outgoing calls
 * find it across `await`), and closes the segment once when the response finishes or the client
 * goes away. Tracing never fails a request: internal errors go to the tracer's diagnostics.
 */
export function xray(options: ExpressXrayOptions = {}): RequestHandler {
  const tracer = options.tracer ?? getDefaultTracer();
  const naming: IncomingTraceOptions = { name: options.name, dynamicNaming: options.dynamicNaming };
  const ignore = options.ignore;
  return function xrayMiddleware(req: Request, res: Response, next: NextFunction): void {
    const trace = begin(tracer, naming, ignore, req, res);
    if (trace === undefined) next();
    else runWithEntity(trace.segment, next);
  };
}

function begin(
  tracer: Tracer,
  naming: IncomingTraceOptions,
  ignore: ExpressXrayOptions['ignore'],
  req: Request,
  res: Response,
): IncomingTrace | undefined {
  // Mounted twice (or in a sub-app): the outer one traces, and the chain already runs in its context.
  if (traceOf(res) !== undefined) return undefined;
  if (ignore !== undefined && isIgnored(tracer, ignore, req)) return undefined;
  let trace: IncomingTrace | undefined;
  try {
    // `originalUrl`: a router this middleware sits in may already have cut its mount path off `url`.
    trace = beginIncomingRequest(tracer, incomingRequestView(req, req.originalUrl), naming);
    attachTrace(res, trace);
    req.segment = trace.segment;
    res.setHeader(TRACE_HEADER, trace.responseHeader);
  } catch (err) {
    tracer.diagnostics.once('error', 'express:begin', `could not trace a request: ${String(err)}`);
  }
  return trace;
}

function isIgnored(tracer: Tracer, ignore: NonNullable<ExpressXrayOptions['ignore']>, req: Request): boolean {
  try {
    return ignore(req) === true;
  } catch (err) {
    tracer.diagnostics.once('error', 'express:ignore', `the ignore predicate threw (${String(err)}); the request is traced`);
    return false;
  }
}
