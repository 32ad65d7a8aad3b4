import type { IncomingHttpHeaders } from 'node:http';
import fp from 'fastify-plugin';
import { currentEntity } from '../core/context.js';
import { Segment } from '../core/segment.js';
import { isClientError } from './status.js';
import type { ErrorReporter, ReportedRequest, RollbarPerson } from './types.js';

// The Fastify shapes below are written here, not imported from `fastify`: this subpath also
// serves Express services, whose type-check must not ask for Fastify. Fastify 4's and 5's own
// instance and request fit them (the build checks it: `fp()` takes only real Fastify plugins).

/** The parts of a Fastify request the reporter reads; Fastify's `FastifyRequest` fits. */
export interface FastifyRequestLike {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  ip: string;
  protocol: string;
}

/** The Fastify instance as the plugin uses it; Fastify's `FastifyInstance` fits. */
export interface FastifyInstanceLike {
  addHook(name: 'onError', hook: (request: FastifyRequestLike, reply: unknown, error: Error, done: () => void) => void): unknown;
}

/** A Fastify plugin taking {@link FastifyErrorReportingOptions}, as `app.register()` takes it. */
export type FastifyErrorReportingPlugin = (instance: FastifyInstanceLike, options: FastifyErrorReportingOptions, done: (err?: Error) => void) => void;

/** Options of the {@link rollbarFastify} plugin. */
export interface FastifyErrorReportingOptions {
  /** The reporter from {@link createErrorReporter}. */
  reporter: ErrorReporter;
  /**
   * The person a request belongs to (e.g. from `request.user`); a throwing function is ignored.
   * Declare `request` as Fastify's `FastifyRequest` to read what your application decorated.
   */
  person?(request: FastifyRequestLike): RollbarPerson | undefined;
  /** Also report errors with a 4xx `statusCode` (validation, not found). Default false. */
  reportClientErrors?: boolean;
}

const plugin: FastifyErrorReportingPlugin = (fastify, options, done) => {
  const { reporter, person } = options;
  const reportClientErrors = options.reportClientErrors === true;
  fastify.addHook('onError', function rollbarOnError(request: FastifyRequestLike, _reply: unknown, error: Error, next: () => void): void {
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

function fastifyRequest(request: FastifyRequestLike): ReportedRequest {
  const view: ReportedRequest = { method: request.method, url: request.url, headers: request.headers, ip: request.ip, protocol: request.protocol };
  const route = routeOf(request);
  if (route !== undefined) view.route = route;
  return view;
}

// Fastify 4 before `routeOptions.url` named the route `routerPath`.
function routeOf(request: FastifyRequestLike): string | undefined {
  const legacy = request as unknown as { routeOptions?: { url?: unknown }; routerPath?: unknown };
  const url = legacy.routeOptions?.url ?? legacy.routerPath;
  return typeof url === 'string' ? url : undefined;
}

// The tracing plugin decorates `request.segment`; read it without depending on it.
function segmentOf(request: FastifyRequestLike): Segment | undefined {
  const segment: unknown = (request as { segment?: unknown }).segment;
  return segment instanceof Segment ? segment : undefined;
}

function personOf(fn: FastifyErrorReportingOptions['person'], request: FastifyRequestLike): RollbarPerson | undefined {
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
export const rollbarFastify: FastifyErrorReportingPlugin = fp(plugin, { name: '@cruddur/middleware-rollbar', fastify: '4.x || 5.x' });
