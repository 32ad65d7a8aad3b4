import { unprocessable } from '../errors.js';
import { toReply, type ActivityItem, type Reply, type UserItem } from '../model.js';
import { liveActivity } from './activities.js';
import { type ServiceContext } from './context.js';
import { asBody, checkMessage, entityUuid, moderate } from './validation.js';

export const REPLY_MAX_CHARS = 1024;

/** A reply's META item: an activity with `reply_to_activity_uuid`, expiring with its parent. */
export function newReplyItem(
  user: UserItem,
  uuid: string,
  parent: ActivityItem,
  message: string,
  createdAt: Date,
): ActivityItem {
  return {
    uuid,
    user_uuid: user.user_uuid,
    handle: user.handle,
    display_name: user.display_name,
    message,
    created_at: createdAt.toISOString(),
    expires_at: parent.expires_at,
    ttl: parent.ttl,
    likes_count: 0,
    replies_count: 0,
    reposts_count: 0,
    reply_to_activity_uuid: parent.uuid,
  };
}

/**
 * The data steps of "reply", each idempotent:
 *   1. reply META put-if-absent (`ACT#<reply>/META`: fixes created_at for retries);
 *   2. pointer row `ACT#<parent>/RPL#<created_at>#<reply>`, put-if-absent;
 *   3. parent replies_count recomputed from the RPL rows (raise-only).
 * Also used by the seed.
 */
export async function writeReply(ctx: Pick<ServiceContext, 'activities'>, item: ActivityItem): Promise<ActivityItem> {
  const { item: stored } = await ctx.activities.claim(item);
  if (
    stored.user_uuid !== item.user_uuid ||
    stored.message !== item.message ||
    stored.reply_to_activity_uuid !== item.reply_to_activity_uuid
  ) {
    throw unprocessable(['activity_uuid_conflict']);
  }
  await ctx.activities.indexReply(stored);
  await ctx.activities.refreshRepliesCount(item.reply_to_activity_uuid ?? '');
  return stored;
}

/** POST /api/activities/:uuid/reply `{message, uuid?}`; then the worker notifies the parent's author. */
export async function createReply(
  ctx: ServiceContext,
  user: UserItem,
  parentUuid: string,
  rawBody: unknown,
  idempotencyKey?: string,
): Promise<Reply> {
  const body = asBody(rawBody);
  const errors: string[] = [];
  const message = checkMessage(body.message, REPLY_MAX_CHARS, 'message_exceed_max_chars_1024', errors);
  const uuid = entityUuid(body.uuid, idempotencyKey, `reply:${user.user_uuid}`, errors);
  if (errors.length > 0) throw unprocessable(errors);

  const parent = await liveActivity(ctx, parentUuid);
  await moderate(ctx, 'reply', message, user.handle);
  const stored = await writeReply(ctx, newReplyItem(user, uuid, parent, message, new Date()));
  // The parent's replies_count is shown in the home feed.
  await ctx.homeFeedCache?.invalidate();

  if (parent.user_uuid !== user.user_uuid) {
    await ctx.worker.notify({
      type: 'reply',
      recipient_user_uuid: parent.user_uuid,
      actor_handle: user.handle,
      activity_uuid: parent.uuid,
      message: stored.message,
      event_uuid: stored.uuid,
      created_at: stored.created_at,
    });
  }
  return toReply(stored);
}
