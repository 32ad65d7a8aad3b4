/** What to do when code asks for the current segment outside any traced request. */
export type ContextMissingStrategy = 'LOG_ERROR' | 'RUNTIME_ERROR' | 'IGNORE_ERROR';

/** Thrown under `RUNTIME_ERROR` when there is no current segment. */
export class SegmentNotFoundError extends Error {
  /** Always `'SegmentNotFoundError'`, to tell the error apart after serialisation. */
  override name = 'SegmentNotFoundError';
}

/** Reads `AWS_XRAY_CONTEXT_MISSING`; `LOG_ERROR` when unset or unknown. */
export function contextMissingFromEnv(env: NodeJS.ProcessEnv = process.env): ContextMissingStrategy {
  const value = env.AWS_XRAY_CONTEXT_MISSING?.toUpperCase();
  return value === 'RUNTIME_ERROR' || value === 'IGNORE_ERROR' || value === 'LOG_ERROR' ? value : 'LOG_ERROR';
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
