import type { FastifyError, FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';
import { runWithEntity } from '../core/context.js';
import { getDefaultTracer } from '../core/default-tracer.js';
import { beginIncomingRequest, incomingRequestView, recordIncomingError, setIncomingRoute, type IncomingTrace, type IncomingTraceOptions } from '../core/incoming.js';
import { TRACE_HEADER_LOWER } from '../core/trace-header.js';
import type { Tracer } from '../core/tracer.js';
import { routeInfo } from './route.js';
import { attachTrace, traceOf } from './state.js';
import type { FastifyXrayOptions } from './types.js';

const xrayPlugin: FastifyPluginCallback<FastifyXrayOptions> = (fastify: FastifyInstance, options: FastifyXrayOptions, done) => {
  const tracer = options.tracer ?? getDefaultTracer();
  const naming: IncomingTraceOptions = { name: options.name, dynamicNaming: options.dynamicNaming };
  const ignore = options.ignore;
  if (!fastify.hasRequestDecorator('segment')) fastify.decorateRequest('segment', null);

  // The rest of the request (later hooks, body parsing, the handler and its awaits) starts from
  // `next`, so running it inside the segment's context is what makes the segment current there.
  fastify.addHook('onRequest', function xrayOnRequest(request: FastifyRequest, reply: FastifyReply, next: HookHandlerDoneFunction): void {
    const trace = begin(tracer, naming, ignore, request, reply);
    if (trace === undefined) next();
    else runWithEntity(trace.segment, next);
  });

  fastify.addHook('onError', function xrayOnError(_request: FastifyRequest, reply: FastifyReply, error: FastifyError, next: () => void): void {
    const trace = traceOf(reply);
    if (trace !== undefined) {
      try {
        recordIncomingError(trace, error);
      } catch (failure) {
        tracer.diagnostics.once('error', 'fastify:error', `could not record a request's error: ${String(failure)}`);
      }
    }
    next();
  });

  done();
};

function begin(
  tracer: Tracer,
  naming: IncomingTraceOptions,
  ignore: FastifyXrayOptions['ignore'],
  request: FastifyRequest,
  reply: FastifyReply,
): IncomingTrace | undefined {
  let trace: IncomingTrace | undefined;
  try {
    // Registered twice: the first registration traces.
    if (traceOf(reply) !== undefined) return undefined;
    const route = routeInfo(request);
    if (route.optedOut) return undefined;
    if (ignore !== undefined && isIgnored(tracer, ignore, request)) return undefined;
    trace = beginIncomingRequest(tracer, incomingRequestView(request.raw), naming);
    attachTrace(reply, trace);
    request.segment = trace.segment;
    setIncomingRoute(trace, route.url);
    // Lower case: Fastify lower-cases every name it stores, and skips the copy when it already is.
    reply.header(TRACE_HEADER_LOWER, trace.responseHeader);
  } catch (err) {
    tracer.diagnostics.once('error', 'fastify:begin', `could not trace a request: ${String(err)}`);
  }
  return trace;
}

function isIgnored(tracer: Tracer, ignore: NonNullable<FastifyXrayOptions['ignore']>, request: FastifyRequest): boolean {
  try {
    return ignore(request) === true;
  } catch (err) {
    tracer.diagnostics.once('error', 'fastify:ignore', `the ignore predicate threw (${String(err)}); the request is traced`);
    return false;
  }
}

/**
 * Fastify plugin (Fastify 4 and 5) that traces each request as an X-Ray segment:
 *
 * ```ts
 * await app.register(xray, { name: 'worker' });
 * ```
 *
 * For each request it continues the caller's trace from `X-Amzn-Trace-Id` or W3C `traceparent`
 * (README-propagation.md; or starts one), sets
 * the `X-Amzn-Trace-Id` response header, decorates `request.segment`, runs the rest of the
 * request with the segment as the current entity (so `capture()`, the logger and outgoing calls
 * find it across `await`), records the error that failed the request (`onError`), and closes the
 * segment once when the response finishes or the client goes away. The route template is
 * recorded as the `route` annotation; a route opts out with `config: { xray: false }`.
 * Wrapped with `fastify-plugin`, so it applies to the whole application: register it before
 * the routes and hooks it should see. Tracing never fails a request: internal errors go to the
 * tracer's diagnostics.
 */
export const xray = fp(xrayPlugin, { name: '@cruddur/middleware', fastify: '4.x || 5.x' });
