// Assertions on segment documents shared by the framework tests.
import assert from 'node:assert/strict';
import type { SegmentDocument } from '../../src/index.js';

/** Asserts exactly these flags are set. */
export function assertFlags(doc: SegmentDocument, flags: { error?: true; throttle?: true; fault?: true }): void {
  assert.deepEqual({ error: doc.error, throttle: doc.throttle, fault: doc.fault }, { error: flags.error, throttle: flags.throttle, fault: flags.fault });
}

/** Asserts the cause is one exception of `type` with `message` and a parsed stack. */
export function assertCause(doc: SegmentDocument, type: string, message: string): void {
  const cause = doc.cause;
  assert.ok(cause !== undefined && typeof cause === 'object', `cause: ${JSON.stringify(cause)}`);
  assert.equal(cause.exceptions.length, 1, 'the error is recorded once');
  const [exception] = cause.exceptions;
  assert.match(exception!.id, /^[0-9a-f]{16}$/);
  assert.equal(exception!.type, type);
  assert.equal(exception!.message, message);
  const frame = exception!.stack?.[0];
  assert.ok(frame !== undefined && typeof frame.path === 'string' && typeof frame.line === 'number' && typeof frame.label === 'string', JSON.stringify(exception));
}
