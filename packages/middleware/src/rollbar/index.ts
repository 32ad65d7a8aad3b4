/**
 * @packageDocumentation
 * Rollbar error reports linked to their X-Ray traces: each item carries the trace id, the
 * segment id and a link to the trace; the segment carries the item's uuid. Express error
 * middleware and a Fastify plugin; Express and Fastify are peers used only for their types.
 */
export { createErrorReporter } from './reporter.js';
export { ReporterConfigError } from './settings.js';
export { rollbarErrorHandler, type ExpressErrorReportingOptions } from './express.js';
export { rollbarFastify, type FastifyErrorReportingOptions } from './fastify.js';
export type {
  ErrorReporter,
  ErrorReporterOptions,
  ErrorReporterStats,
  ReportContext,
  ReportLevel,
  ReportedRequest,
  RollbarPerson,
} from './types.js';
