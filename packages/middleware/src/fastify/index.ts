/**
 * @packageDocumentation
 * X-Ray tracing for Fastify 4 and 5: the {@link xray} plugin traces every request as a segment.
 * Fastify itself is a peer dependency; this module only uses its types.
 */
import { xray } from './plugin.js';

export { xray };
export type { FastifyXrayOptions } from './types.js';
export default xray;
