import type { FastifyError, FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { currentEntity } from '../core/context.js';
import { Segment } from '../core/segment.js';
import { isClientError } from './status.js';
import type { ErrorReporter, ReportedRequest, RollbarPerson } from './types.js';

/** Options of the {@link rollbarFastify} plugin. */
export interface FastifyErrorReportingOptions {
  /** The reporter from {@link createErrorReporter}. */
  reporter: ErrorReporter;
  /** The person a request belongs to (e.g. from `request.user`); a throwing function is ignored. */
  person?: (request: FastifyRequest) => RollbarPerson | undefined;
  /** Also report errors with a 4xx `statusCode` (validation, not found). Default false. */
  reportClientErrors?: boolean;
}

const plugin: FastifyPluginCallback<FastifyErrorReportingOptions> = (fastify: FastifyInstance, options, done) => {
  const { reporter, person } = options;
  const reportClientErrors = options.reportClientErrors === true;
  fastify.addHook('onError', function rollbarOnError(request: FastifyRequest, _reply: FastifyReply, error: FastifyError, next: () => void): void {
    if (reporter.enabled && (reportClientErrors || !isClientError(error))) {
      try {
        reporter.reportError(error, {
          request: fastifyRequest(request),
          entity: currentEntity() ?? segmentOf(request),
          person: personOf(person, request),
        });
      } catch {
        // reporting must never change how the request is answered
      }
    }
    next();
  });
  done();
};

function fastifyRequest(request: FastifyRequest): ReportedRequest {
  const view: ReportedRequest = { method: request.method, url: request.url, headers: request.headers, ip: request.ip, protocol: request.protocol };
  const route = routeOf(request);
  if (route !== undefined) view.route = route;
  return view;
}

// Fastify 4 before `routeOptions.url` named the route `routerPath`.
function routeOf(request: FastifyRequest): string | undefined {
  const legacy = request as unknown as { routeOptions?: { url?: unknown }; routerPath?: unknown };
  const url = legacy.routeOptions?.url ?? legacy.routerPath;
  return typeof url === 'string' ? url : undefined;
}

// The tracing plugin decorates `request.segment`; read it without depending on it.
function segmentOf(request: FastifyRequest): Segment | undefined {
  const segment: unknown = (request as { segment?: unknown }).segment;
  return segment instanceof Segment ? segment : undefined;
}

function personOf(fn: ((request: FastifyRequest) => RollbarPerson | undefined) | undefined, request: FastifyRequest): RollbarPerson | undefined {
  if (!fn) return undefined;
  try {
    return fn(request);
  } catch {
    return undefined;
  }
}

/**
 * Fastify plugin (Fastify 4 and 5) that reports errors to Rollbar from the `onError` hook, with
 * their trace, without delaying the reply:
 *
 * ```ts
 * await app.register(rollbarFastify, { reporter });
 * ```
 * Wrapped with `fastify-plugin`, so it applies to the whole application.
 */
export const rollbarFastify = fp(plugin, { name: '@cruddur/middleware-rollbar', fastify: '4.x || 5.x' });
