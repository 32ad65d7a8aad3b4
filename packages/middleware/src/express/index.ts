/**
 * @packageDocumentation
 * X-Ray tracing for Express 4 and 5: {@link xray} traces every request as a segment and
 * {@link xrayErrorHandler} records the error that failed it. Express itself is a peer
 * dependency; this module only uses its types.
 */
export { xray } from './middleware.js';
export { xrayErrorHandler } from './error-handler.js';
export type { ExpressXrayOptions } from './types.js';
