import { type Request } from 'express';
import { ServiceError } from '../errors.js';

/** Longest `Idempotency-Key` accepted; longer keys are refused, never cut (cutting made two keys collide). */
export const IDEMPOTENCY_KEY_MAX_CHARS = 255;
// Printable ASCII, space included (the IETF draft uses quoted strings; UUIDs and ULIDs fit).
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/**
 * The optional `Idempotency-Key` request header, whole: the server derives the new entity's uuid
 * from all of it, so two different keys never address the same entity.
 *
 * Absent → `undefined`. Present but empty (after trimming), longer than 255 characters or with
 * anything but printable ASCII → 422 `["idempotency_key_invalid"]`: silently ignoring or
 * shortening a key would turn a retry into a second write, or two writes into one.
 */
export function idempotencyKey(req: Request): string | undefined {
  const raw = req.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const key = (Array.isArray(raw) ? raw.join(',') : raw).trim();
  if (key === '' || key.length > IDEMPOTENCY_KEY_MAX_CHARS || !PRINTABLE_ASCII.test(key)) {
    throw new ServiceError(422, ['idempotency_key_invalid']);
  }
  return key;
}
