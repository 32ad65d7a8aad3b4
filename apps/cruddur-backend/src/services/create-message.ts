import { notFound, unprocessable } from '../errors.js';
import { isHandle } from '../handles.js';
import { uuidFromName } from '../ids.js';
import { toMessage, type Message, type MessageItem, type UserItem } from '../model.js';
import { keys } from '../repositories/keys.js';
import { type ServiceContext } from './context.js';
import { assertMember } from './messages.js';
import { asBody, checkMessage, entityUuid, moderate, trimmed } from './validation.js';

export const MESSAGE_MAX_CHARS = 1024;

export function newMessageItem(
  sender: UserItem,
  uuid: string,
  groupUuid: string,
  message: string,
  createdAt: Date,
): MessageItem {
  const created = createdAt.toISOString();
  return {
    message_uuid: uuid,
    group_uuid: groupUuid,
    message_sk: keys.messageSk(created, uuid),
    user_uuid: sender.user_uuid,
    user_handle: sender.handle,
    user_display_name: sender.display_name,
    message,
    created_at: created,
  };
}

/**
 * The data steps of a message, each idempotent:
 *   1. claim item `MSGID#<uuid>/META` put-if-absent (fixes created_at and the sort key);
 *   2. conversation entry `MSG#<group>/<created_at>#<uuid>` put-if-absent.
 * Also used by the seed.
 */
export async function writeMessage(ctx: Pick<ServiceContext, 'messages'>, item: MessageItem): Promise<MessageItem> {
  const { item: stored } = await ctx.messages.claimMessage(item);
  if (stored.user_uuid !== item.user_uuid || stored.group_uuid !== item.group_uuid || stored.message !== item.message) {
    throw unprocessable(['message_uuid_conflict']);
  }
  await ctx.messages.putConversationEntry(stored);
  return stored;
}

/** The group uuid two users converge on when they have no conversation yet (same for both directions). */
export function pairGroupUuid(a: string, b: string): string {
  return uuidFromName(`message-group:${[a, b].sort().join(':')}`);
}

export type CreateMessageResult = (Message & { message_group_uuid: string }) | { message_group_uuid: string };

/**
 * POST /api/messages
 *   `{message, message_group_uuid}` → message into an existing group (patterns C + E);
 *   `{message, handle}`             → new conversation (pattern D).
 * Optional `mode: "update" | "create"` as in the original; optional `uuid` / `Idempotency-Key`.
 */
export async function createMessage(
  ctx: ServiceContext,
  user: UserItem,
  rawBody: unknown,
  idempotencyKey?: string,
): Promise<CreateMessageResult> {
  const body = asBody(rawBody);
  const errors: string[] = [];
  const message = checkMessage(body.message, MESSAGE_MAX_CHARS, 'message_exceed_max_chars_1024', errors);
  const groupUuid = trimmed(body.message_group_uuid).toLowerCase();
  const handle = trimmed(body.handle) || trimmed(body.user_receiver_handle);
  const mode = body.mode === 'create' || body.mode === 'update' ? body.mode : groupUuid ? 'update' : handle ? 'create' : undefined;
  if ((mode === 'update' || mode === undefined) && !groupUuid) errors.push('message_group_uuid_blank');
  if ((mode === 'create' || mode === undefined) && !handle) errors.push('user_reciever_handle_blank');
  const uuid = entityUuid(body.uuid, idempotencyKey, `message:${user.user_uuid}`, errors);
  if (errors.length > 0) throw unprocessable(errors);

  if (mode === 'update') return messageToGroup(ctx, user, groupUuid, uuid, message);
  return newConversation(ctx, user, handle, uuid, message);
}

async function messageToGroup(
  ctx: ServiceContext,
  user: UserItem,
  groupUuid: string,
  uuid: string,
  message: string,
): Promise<Message & { message_group_uuid: string }> {
  await assertMember(ctx, user, groupUuid);
  await moderate(ctx, 'message', message, user.handle);
  const stored = await writeMessage(ctx, newMessageItem(user, uuid, groupUuid, message, new Date()));
  await ctx.worker.fanout({
    message_group_uuid: groupUuid,
    sk: stored.message_sk,
    message: stored.message,
    sender_user_uuid: user.user_uuid,
    message_uuid: stored.message_uuid,
  });
  return { ...toMessage(stored), message_group_uuid: groupUuid };
}

async function newConversation(
  ctx: ServiceContext,
  user: UserItem,
  handle: string,
  uuid: string,
  message: string,
): Promise<{ message_group_uuid: string }> {
  // A value that cannot be a handle names nobody: answered without a read.
  const other = isHandle(handle) ? await ctx.users.get(handle) : undefined;
  if (!other) throw notFound('user_not_found');
  if (other.user_uuid === user.user_uuid) throw unprocessable(['user_reciever_handle_self']);
  await moderate(ctx, 'message', message, user.handle);

  // One conversation per pair: reuse the existing group, else the pair's derived uuid
  // (so concurrent or retried "new conversation" requests converge on one group).
  const groupUuid =
    (await ctx.messages.findGroupBetween(user.user_uuid, other.user_uuid)) ??
    pairGroupUuid(user.user_uuid, other.user_uuid);

  const stored = await writeMessage(ctx, newMessageItem(user, uuid, groupUuid, message, new Date()));
  const existing = await ctx.messages.createMemberRows(groupUuid, user, other, stored);
  if (existing > 0) {
    // A member row was already there (older conversation, a concurrent request or a retry):
    // it may show an older message, so move it forward like any message to an existing group.
    await ctx.worker.fanout({
      message_group_uuid: groupUuid,
      sk: stored.message_sk,
      message: stored.message,
      sender_user_uuid: user.user_uuid,
      message_uuid: stored.message_uuid,
    });
  }
  // The recipient is told about the conversation. The worker resolves the sender through the
  // backend (users short), so this request's trace crosses both ways. Keyed by the message, so a
  // retry writes no second notification.
  await ctx.worker.notify({
    type: 'message',
    recipient_user_uuid: other.user_uuid,
    actor_handle: user.handle,
    message_group_uuid: groupUuid,
    message: stored.message,
    event_uuid: stored.message_uuid,
    created_at: stored.created_at,
  });
  return { message_group_uuid: groupUuid };
}
