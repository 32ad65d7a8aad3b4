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
): Promise<{ updated: number }> {
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
