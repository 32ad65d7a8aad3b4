// NextToken for the paginated operations: the offset into a result list, bound to the request it
// came from so a token replayed with other parameters is refused instead of skipping traces.
import { createHash } from 'node:crypto';
import { invalidRequest } from './errors.js';

function fingerprint(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('base64url').slice(0, 12);
}

/** The token for the page starting at `offset`. */
export function encodeToken(offset: number, request: unknown): string {
  return Buffer.from(JSON.stringify({ o: offset, f: fingerprint(request) })).toString('base64url');
}

/** The offset a token stands for; 0 without one; throws InvalidRequestException for a foreign token. */
export function decodeToken(token: unknown, request: unknown): number {
  if (token === undefined || token === null || token === '') return 0;
  try {
    const parsed = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as { o?: unknown; f?: unknown };
    if (typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0 && parsed.f === fingerprint(request)) return parsed.o;
  } catch {
    // Fall through to the error below.
  }
  throw invalidRequest('NextToken is not valid for this request');
}

/** One page of `items` and the token for the next one. */
export function page<T>(items: readonly T[], offset: number, size: number, request: unknown): { items: T[]; nextToken: string | undefined } {
  const slice = items.slice(offset, offset + size);
  const next = offset + size < items.length ? encodeToken(offset + size, request) : undefined;
  return { items: slice, nextToken: next };
}
