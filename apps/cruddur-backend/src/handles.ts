/**
 * What a user handle may look like: 1–64 ASCII letters, digits, `_`, `.` or `-`.
 *
 * Checked before a handle reaches a DynamoDB key, so that a hostile value (kilobytes long,
 * control characters, non-ASCII) is answered as the client's mistake instead of failing inside
 * DynamoDB (key too large → 500 and a Rollbar item that any anonymous client could repeat).
 * The worker's request schema uses the same rule.
 */
export const HANDLE_MAX_CHARS = 64;
const HANDLE_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/** True when `value` can name a user. */
export function isHandle(value: string): boolean {
  return HANDLE_RE.test(value);
}
