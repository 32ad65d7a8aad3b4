import { createHash, timingSafeEqual } from 'node:crypto';
import { type FastifyInstance } from 'fastify';

/** The header that carries the shared secret of internal calls. */
export const INTERNAL_TOKEN_HEADER = 'x-cruddur-internal-token';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * True when `presented` is the expected secret. Both sides are hashed first so the comparison
 * runs on two equal-length buffers in constant time: neither the content nor the length of the
 * secret leaks through the answer's timing.
 */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  const ok = timingSafeEqual(digest(expected), digest(presented ?? ''));
  return ok && presented !== undefined;
}

/**
 * Requires `X-Cruddur-Internal-Token: <token>` on every `/internal/*` route: 401
 * `["internal_token_invalid"]` otherwise, decided before the body is read or anything is
 * stored. Without a token (none configured) every caller is accepted: the worker then listens on
 * the loopback only by default, and server.ts warns at start-up.
 */
export function requireInternalToken(app: FastifyInstance, token: string | undefined): void {
  if (!token) return;
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/internal/')) return undefined;
    const header = req.headers[INTERNAL_TOKEN_HEADER];
    if (!tokenMatches(token, typeof header === 'string' ? header : undefined)) {
      return reply.status(401).send(['internal_token_invalid']);
    }
    return undefined;
  });
}
