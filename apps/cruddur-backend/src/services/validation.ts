import { type ModerationKind } from '../clients/worker.js';
import { unprocessable } from '../errors.js';
import { isClientUuid, newUuid, uuidFromName } from '../ids.js';
import { charCount } from '../text-length.js';
import { type ServiceContext } from './context.js';

export type Body = Record<string, unknown>;

/** Request bodies arrive as `unknown`; anything but a JSON object reads as `{}`. */
export function asBody(value: unknown): Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Body) : {};
}

export function trimmed(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/**
 * Pushes `message_blank` / `<tooLongCode>` into `errors`; returns the trimmed message. `max` counts
 * user-perceived characters (see text-length.ts), not UTF-16 code units.
 */
export function checkMessage(value: unknown, max: number, tooLongCode: string, errors: string[]): string {
  const message = trimmed(value);
  if (!message) errors.push('message_blank');
  else if (charCount(message) > max) errors.push(tooLongCode);
  return message;
}

/**
 * The id of a new entity, chosen so that a retried request addresses the
 * same items: the client's own `uuid` if it sent one; else a UUID derived
 * from its `Idempotency-Key` header (scoped by user and kind, so two users'
 * keys never collide); else a fresh random UUID (then a retry is a new entity).
 */
export function entityUuid(
  clientUuid: unknown,
  idempotencyKey: string | undefined,
  scope: string,
  errors: string[],
): string {
  if (clientUuid !== undefined && clientUuid !== null) {
    if (typeof clientUuid === 'string' && isClientUuid(clientUuid)) return clientUuid.toLowerCase();
    errors.push('uuid_invalid');
    return '';
  }
  if (idempotencyKey) return uuidFromName(`${scope}:${idempotencyKey}`);
  return newUuid();
}

/** Ask the worker; `allowed: false` → 422 `["message_rejected"]` (worker down → 502 from the client). */
export async function moderate(
  ctx: ServiceContext,
  kind: ModerationKind,
  message: string,
  handle: string,
): Promise<void> {
  const verdict = await ctx.worker.moderate(kind, message, handle);
  if (!verdict.allowed) {
    ctx.logger.info('message rejected by moderation', { kind, handle, reasons: verdict.reasons });
    throw unprocessable(['message_rejected']);
  }
}
