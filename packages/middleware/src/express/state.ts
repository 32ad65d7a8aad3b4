import type { Request, Response } from 'express';
import { endIncomingResponse, setIncomingRoute, wantsResponseDetails, type IncomingTrace } from '../core/incoming.js';

// A registered symbol, so the ESM and CJS builds of this package agree on where the state lives
// if an application happens to load both (`xray()` from one, `xrayErrorHandler()` from the other).
const TRACE = Symbol.for('@cruddur/middleware.express.trace');

/** A response whose request is being traced. */
interface TracedResponse extends Response {
  [TRACE]?: IncomingTrace;
}

/** The trace of the request `res` answers, if it is traced. */
export function traceOf(res: Response): IncomingTrace | undefined {
  return (res as TracedResponse)[TRACE];
}

/**
 * Ties `trace` to `res` and arranges for it to end when the response closes. One shared listener
 * (it finds its state through `this`) instead of a closure per request: Node emits `close` after
 * every response, finished or cut short, so a single listener sees both.
 */
export function attachTrace(res: Response, trace: IncomingTrace): void {
  (res as TracedResponse)[TRACE] = trace;
  res.on('close', onResponseClose);
}

function onResponseClose(this: Response): void {
  const trace = (this as TracedResponse)[TRACE];
  if (trace === undefined || trace.ended) return;
  try {
    // Read the route last: Express sets `req.route` when a route matches, after this middleware ran.
    if (!wantsResponseDetails(trace)) {
      endIncomingResponse(trace, this, undefined);
      return;
    }
    const req = this.req as Request | undefined;
    if (req !== undefined) setIncomingRoute(trace, routeTemplate(req));
    endIncomingResponse(trace, this, this.getHeader('content-length'));
  } catch (err) {
    // An exception here would be an uncaught one in an event listener: report it, never throw.
    trace.segment.host.diagnostics.once('error', 'express:end', `could not end the request's segment: ${String(err)}`);
  }
}

/**
 * The matched route as a template: the mount path of the router (`req.baseUrl`) joined with the
 * route's own path, e.g. `/api` + `/activities/@:handle`. Undefined when no route matched (404s).
 */
export function routeTemplate(req: Request): string | undefined {
  const route: unknown = req.route;
  if (route === null || typeof route !== 'object') return undefined;
  const path: unknown = (route as { path?: unknown }).path;
  let template: string;
  if (typeof path === 'string') template = path;
  else if (path instanceof RegExp) template = String(path);
  else if (Array.isArray(path)) template = path.map(String).join(',');
  else return undefined;
  const base = typeof req.baseUrl === 'string' ? req.baseUrl : '';
  if (base.length === 0) return template;
  return template === '/' ? base : base + template;
}
