import { forbidden, notFound } from '../errors.js';
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

/** 404 when the group does not exist, 403 when it does but the user has no row in it. */
export async function assertMember(ctx: ServiceContext, user: UserItem, groupUuid: string): Promise<GroupMemberItem> {
  if (!isUuid(groupUuid)) throw notFound('message_group_not_found');
  const row = await ctx.messages.getMembership(user.user_uuid, groupUuid.toLowerCase());
  if (row) return row;
  if (await ctx.messages.groupExists(groupUuid.toLowerCase())) throw forbidden('not_a_member');
  throw notFound('message_group_not_found');
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
