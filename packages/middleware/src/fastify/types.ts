import type { FastifyRequest } from 'fastify';
import type { IncomingTraceOptions } from '../core/incoming.js';
import type { Segment } from '../core/segment.js';
import type { Tracer } from '../core/tracer.js';

/** Options of the {@link xray} plugin. */
export interface FastifyXrayOptions extends IncomingTraceOptions {
  /**
   * The tracer that records requests. Default: `getDefaultTracer()`, resolved when the plugin
   * is registered, so a bad X-Ray environment fails at start-up rather than on the first request.
   */
  tracer?: Tracer;
  /**
   * Requests for which this returns true are not traced at all: no segment, no response header
   * (e.g. `(request) => request.url === '/health'`). A predicate that throws is reported through
   * the tracer's diagnostics and the request is traced. Routes can also opt out with
   * `config: { xray: false }`.
   */
  ignore?: (request: FastifyRequest) => boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The X-Ray segment of this request, set in `onRequest`; null when the request is not
     * traced. Unsampled requests still get a segment: it carries the trace id for logs and
     * outgoing calls but is never sent.
     */
    segment: Segment | null;
  }

  interface FastifyContextConfig {
    /** `false` leaves this route untraced (health checks, metrics). */
    xray?: boolean;
  }
}
