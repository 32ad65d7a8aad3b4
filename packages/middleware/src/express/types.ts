import type { Request } from 'express';
import type { IncomingTraceOptions } from '../core/incoming.js';
import type { Segment } from '../core/segment.js';
import type { Tracer } from '../core/tracer.js';

/** Options of {@link xray}. */
export interface ExpressXrayOptions extends IncomingTraceOptions {
  /**
   * The tracer that records requests. Default: `getDefaultTracer()`, resolved when `xray()`
   * is called, so a bad X-Ray environment fails at start-up rather than on the first request.
   */
  tracer?: Tracer;
  /**
   * Requests for which this returns true are not traced at all: no segment, no response header
   * (e.g. `(req) => req.path === '/health'`). A predicate that throws is reported through the
   * tracer's diagnostics and the request is traced.
   */
  ignore?: (req: Request) => boolean;
}

declare module 'express-serve-static-core' {
  interface Request {
    /**
     * The X-Ray segment of this request, set by `xray()` before any route runs; undefined when
     * the request is not traced (`ignore`). Unsampled requests still get a segment: it carries
     * the trace id for logs and outgoing calls but is never sent.
     */
    segment?: Segment;
  }
}
