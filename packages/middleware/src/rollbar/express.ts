import type { IncomingHttpHeaders } from 'node:http';
import { currentEntity } from '../core/context.js';
import { Segment } from '../core/segment.js';
import { isClientError } from './status.js';
import type { ErrorReporter, ReportedRequest, RollbarPerson } from './types.js';

// The Express shapes below are written here, not imported from `express`: this subpath also
// serves Fastify services, whose type-check must not ask for Express's types. Express 4's and
// 5's own `Request` and error middleware fit them.

/** The parts of an Express request the reporter reads; Express's `Request` fits. */
export interface ExpressRequestLike {
  method: string;
  url: string;
  originalUrl?: string;
  baseUrl?: string;
  route?: unknown;
  protocol?: string;
  ip?: string | undefined;
  headers: IncomingHttpHeaders;
  /** A request header's value (Express's `req.header(name)`). */
  header(name: string): string | undefined;
}

/** Express error middleware (four parameters), as `app.use()` takes it. */
export type ExpressErrorMiddleware = (err: unknown, req: ExpressRequestLike, res: unknown, next: (err?: unknown) => void) => void;

/** Options of {@link rollbarErrorHandler}. */
export interface ExpressErrorReportingOptions {
  /** The reporter from {@link createErrorReporter}. */
  reporter: ErrorReporter;
  /**
   * The person a request belongs to (e.g. from `req.user`); a throwing function is ignored.
   * Declare `req` as Express's `Request` to read what your application added to it.
   */
  person?(req: ExpressRequestLike): RollbarPerson | undefined;
  /** Also report errors that carry a 4xx `status`/`statusCode` (validation, not found). Default false. */
  reportClientErrors?: boolean;
}

/**
 * Express error middleware (Express 4 and 5) that reports the error to Rollbar with its trace,
 * then hands it on with `next(err)` without waiting for Rollbar. Mount it after the routes (and
 * after `xrayErrorHandler()` when tracing), before the application's own error handlers.
 */
export function rollbarErrorHandler(options: ExpressErrorReportingOptions): ExpressErrorMiddleware {
  const { reporter, person } = options;
  const reportClientErrors = options.reportClientErrors === true;
  // Four parameters: Express recognises error middleware by its arity.
  return function rollbarErrorHandler(err: unknown, req: ExpressRequestLike, _res: unknown, next: (err?: unknown) => void): void {
    if (reporter.enabled && (reportClientErrors || !isClientError(err))) {
      try {
        reporter.reportError(err, {
          request: expressRequest(req),
          entity: currentEntity() ?? segmentOf(req),
          person: personOf(person, req),
        });
      } catch {
        // reporting must never change how the request is answered
      }
    }
    next(err);
  };
}

function expressRequest(req: ExpressRequestLike): ReportedRequest {
  const view: ReportedRequest = { method: req.method, url: req.originalUrl ?? req.url, headers: req.headers };
  const route = routeOf(req);
  if (route !== undefined) view.route = route;
  if (typeof req.protocol === 'string') view.protocol = req.protocol;
  if (typeof req.ip === 'string') view.ip = req.ip;
  return view;
}

function routeOf(req: ExpressRequestLike): string | undefined {
  const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path !== 'string') return undefined;
  const base = typeof req.baseUrl === 'string' ? req.baseUrl : '';
  return base && path === '/' ? base : base + path;
}

// The tracing middleware exposes the segment as `req.segment`; read it without depending on it.
function segmentOf(req: ExpressRequestLike): Segment | undefined {
  const segment: unknown = (req as { segment?: unknown }).segment;
  return segment instanceof Segment ? segment : undefined;
}

function personOf(fn: ExpressErrorReportingOptions['person'], req: ExpressRequestLike): RollbarPerson | undefined {
  if (!fn) return undefined;
  try {
    return fn(req);
  } catch {
    return undefined;
  }
}
