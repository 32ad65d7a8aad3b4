import { MAX_CLOCK_SKEW_MS, skewOf } from '../clock-skew.js';
import { type Logger } from '../deps.js';
import { WorkerError } from '../errors.js';
import { keys } from '../keys.js';
import { type GroupRepository } from '../repositories/groups.js';

export interface FanoutRequest {
  message_group_uuid: string;
  /** Sort key of the message in `MSG#<group>`: `<created_at ISO>#<message_uuid>`. */
  sk: string;
  message: string;
  sender_user_uuid: string;
  message_uuid?: string;
}

/** The worker's clock and how far a sort key may be from it. */
export interface FanoutClock {
  now: () => number;
  maxSkewMs?: number;
}

/**
 * Refuses sort keys that are not plausibly "now": 422 `["sk_out_of_range"]`.
 *
 * - Later than now + skew: always refused. A member row only moves to a larger key, so one such
 *   key (forged, or from a backend host whose clock runs fast) would freeze the conversation
 *   preview until that date.
 * - Earlier than now − skew: accepted only for a message the conversation really holds under
 *   that key, sent by that sender with that text: the backend's retry of a real message (it
 *   reuses the stored sort key, however old) keeps working; a made-up old key does not.
 */
async function assertPlausibleSk(groups: GroupRepository, request: FanoutRequest, clock: FanoutClock): Promise<void> {
  const createdAt = request.sk.slice(0, request.sk.indexOf('#'));
  const verdict = skewOf(createdAt, clock.now(), clock.maxSkewMs ?? MAX_CLOCK_SKEW_MS);
  if (verdict === 'now') return;
  if (verdict === 'past') {
    const stored = await groups.storedMessage(request.message_group_uuid, request.sk);
    if (stored && stored.user_uuid === request.sender_user_uuid && stored.message === request.message) return;
  }
  throw new WorkerError(422, ['sk_out_of_range']);
}

/**
 * Pattern E without transactions: find every member row of the group (GSI)
 * and advance each with a single conditional update. Idempotent (a repeat
 * updates 0 rows) and order-independent (an older message never overwrites
 * a newer one), so concurrent and retried fan-outs converge on the newest.
 */
export async function fanout(
  groups: GroupRepository,
  logger: Logger,
  request: FanoutRequest,
  clock: FanoutClock = { now: Date.now },
): Promise<{ updated: number }> {
  await assertPlausibleSk(groups, request, clock);
  const rows = await groups.members(request.message_group_uuid);
  if (rows.length === 0) throw new WorkerError(404, ['message_group_not_found']);
  if (!rows.some((row) => row.pk === keys.groupMemberPk(request.sender_user_uuid))) {
    throw new WorkerError(403, ['not_a_member']);
  }
  const createdAt = request.sk.split('#')[0] ?? request.sk;
  const results = await Promise.all(
    rows.map((row) =>
      groups.advance(row, {
        sk: request.sk,
        message: request.message,
        created_at: createdAt,
        message_uuid: request.message_uuid,
      }),
    ),
  );
  const updated = results.filter(Boolean).length;
  logger.info('message group fan-out', {
    message_group_uuid: request.message_group_uuid,
    members: rows.length,
    updated,
  });
  return { updated };
}
