/**
 * @packageDocumentation
 * Rollbar error reports linked to their X-Ray traces: each item carries the trace id, the
 * segment id and a link to the trace; the segment carries the item's uuid. Express error
 * middleware and a Fastify plugin, typed by shapes of their own: neither Express nor Fastify is
 * needed to use or type-check the other.
 */
export { createErrorReporter } from './reporter.js';
export { ReporterConfigError } from './settings.js';
export { rollbarErrorHandler, type ExpressErrorReportingOptions, type ExpressRequestLike, type ExpressErrorMiddleware } from './express.js';
export { rollbarFastify, type FastifyErrorReportingOptions, type FastifyErrorReportingPlugin, type FastifyInstanceLike, type FastifyRequestLike } from './fastify.js';
export type {
  ErrorReporter,
  ErrorReporterOptions,
  ErrorReporterStats,
  ReportContext,
  ReportLevel,
  ReportedRequest,
  RollbarPerson,
} from './types.js';
