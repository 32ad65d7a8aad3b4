import { notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import {
  toMessage,
  toMessageGroup,
  type GroupMemberItem,
  type Message,
  type MessageGroup,
  type UserItem,
} from '../model.js';
import { type ServiceContext } from './context.js';

export const GROUPS_LIMIT = 20;
export const MESSAGES_LIMIT = 40;

/**
 * The caller's member row of a group, else 404 `["message_group_not_found"]`.
 *
 * A group the caller is not a member of answers exactly like a group that does not exist (same
 * status, same body, and the same single GetItem of the caller's own row in both cases): group
 * ids are derived from the two members' public uuids, so a distinct answer would tell anyone
 * whether two users have a private conversation. A malformed id is answered without a read; that
 * reveals nothing, since no group can have it.
 */
export async function assertMember(ctx: ServiceContext, user: UserItem, groupUuid: string): Promise<GroupMemberItem> {
  if (!isUuid(groupUuid)) throw notFound('message_group_not_found');
  const row = await ctx.messages.getMembership(user.user_uuid, groupUuid.toLowerCase());
  if (!row) throw notFound('message_group_not_found');
  return row;
}

/** GET /api/message_groups — newest conversation first. */
export async function listMessageGroups(ctx: ServiceContext, user: UserItem): Promise<MessageGroup[]> {
  const rows = await ctx.messages.listGroups(user.user_uuid, GROUPS_LIMIT);
  return rows.map(toMessageGroup);
}

/** GET /api/messages/:message_group_uuid — the last 40 messages, oldest first. */
export async function listMessages(ctx: ServiceContext, user: UserItem, groupUuid: string): Promise<Message[]> {
  const row = await assertMember(ctx, user, groupUuid);
  const items = await ctx.messages.listMessages(row.message_group_uuid, MESSAGES_LIMIT);
  return items.map(toMessage);
}
