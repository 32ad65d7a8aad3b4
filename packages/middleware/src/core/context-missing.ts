import { envReader, type Env } from './env.js';

/** What to do when code asks for the current segment outside any traced request. */
export type ContextMissingStrategy = 'LOG_ERROR' | 'RUNTIME_ERROR' | 'IGNORE_ERROR';

/** Thrown under `RUNTIME_ERROR` when there is no current segment. */
export class SegmentNotFoundError extends Error {
  /** Always `'SegmentNotFoundError'`, to tell the error apart after serialisation. */
  override name = 'SegmentNotFoundError';
}

const STRATEGIES: readonly ContextMissingStrategy[] = ['LOG_ERROR', 'RUNTIME_ERROR', 'IGNORE_ERROR'];

/**
 * Reads `AWS_XRAY_CONTEXT_MISSING` (any case); `LOG_ERROR` when unset.
 * @throws ConfigError for a value that names no strategy.
 */
export function contextMissingFromEnv(env: Env = process.env): ContextMissingStrategy {
  return envReader(env).choice('AWS_XRAY_CONTEXT_MISSING', STRATEGIES) ?? 'LOG_ERROR';
}

/** The explanation users see: what happened and what to do about it. */
export function contextMissingMessage(operation: string): string {
  return (
    `${operation}: no segment in the current context. This code runs outside a traced request ` +
    `(at start-up, in a timer, or in a callback created before the request), or the request ` +
    `middleware is not installed. Install the Express middleware or the Fastify plugin before your ` +
    `routes, call this only while handling a request, and open subsegments with capture() instead ` +
    `of beginning your own segment. Set AWS_XRAY_CONTEXT_MISSING=IGNORE_ERROR to silence this.`
  );
}
