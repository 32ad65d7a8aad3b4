import { createHash, randomUUID } from 'node:crypto';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const MAX_UUID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/**
 * A uuid a client may choose for a new entity: well formed, and not the nil or max uuid, which
 * are placeholders ("no id") in most code bases; accepting them would let every client that
 * forgot to fill its id in collide on one entity.
 */
export function isClientUuid(value: string): boolean {
  const lower = value.toLowerCase();
  return isUuid(value) && lower !== NIL_UUID && lower !== MAX_UUID;
}

/**
 * A stable UUID derived from a name (SHA-256, version 8 layout): the same
 * name always gives the same UUID. Used to turn an idempotency key into an
 * entity id so that a retried request addresses the same items.
 */
export function uuidFromName(name: string): string {
  const bytes = createHash('sha256').update(name).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function newUuid(): string {
  return randomUUID();
}
