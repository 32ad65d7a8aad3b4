import { unprocessable } from '../errors.js';
import { toActivity, type Activity, type ActivityItem, type UserItem } from '../model.js';
import { type ServiceContext } from './context.js';
import { asBody, checkMessage, entityUuid, moderate, trimmed } from './validation.js';

const HOUR = 3600;
export const TTL_SECONDS: ReadonlyMap<string, number> = new Map([
  ['30-days', 30 * 24 * HOUR],
  ['7-days', 7 * 24 * HOUR],
  ['3-days', 3 * 24 * HOUR],
  ['1-day', 24 * HOUR],
  ['12-hours', 12 * HOUR],
  ['3-hours', 3 * HOUR],
  ['1-hour', HOUR],
]);

export const ACTIVITY_MAX_CHARS = 280;

/** A new activity's META item (not yet written). */
export function newActivityItem(
  user: UserItem,
  uuid: string,
  message: string,
  createdAt: Date,
  ttlSeconds: number,
): ActivityItem {
  const expires = new Date(createdAt.getTime() + ttlSeconds * 1000);
  return {
    uuid,
    user_uuid: user.user_uuid,
    handle: user.handle,
    display_name: user.display_name,
    message,
    created_at: createdAt.toISOString(),
    expires_at: expires.toISOString(),
    ttl: Math.floor(expires.getTime() / 1000),
    likes_count: 0,
    replies_count: 0,
    reposts_count: 0,
  };
}

/**
 * The data steps of "create activity", each idempotent, in crash-safe order:
 *   1. META put-if-absent (a retry gets the stored item: same created_at, same derived keys);
 *   2. FEED#home + UACT#<handle> pointer rows, put-if-absent;
 *   3. cruds_count recomputed from the UACT rows (raise-only).
 * Also used by the seed.
 */
export async function writeActivity(ctx: Pick<ServiceContext, 'activities' | 'users'>, item: ActivityItem): Promise<ActivityItem> {
  const { item: stored } = await ctx.activities.claim(item);
  if (
    stored.user_uuid !== item.user_uuid ||
    stored.message !== item.message ||
    stored.reply_to_activity_uuid !== undefined
  ) {
    throw unprocessable(['activity_uuid_conflict']);
  }
  await ctx.activities.indexActivity(stored);
  await ctx.users.refreshCrudsCount(stored.handle);
  return stored;
}

/** POST /api/activities `{message, ttl, uuid?}` (+ optional `Idempotency-Key` header). */
export async function createActivity(
  ctx: ServiceContext,
  user: UserItem,
  rawBody: unknown,
  idempotencyKey?: string,
): Promise<Activity> {
  const body = asBody(rawBody);
  const errors: string[] = [];
  const ttlSeconds = TTL_SECONDS.get(trimmed(body.ttl));
  if (ttlSeconds === undefined) errors.push('ttl_blank');
  const message = checkMessage(body.message, ACTIVITY_MAX_CHARS, 'message_exceed_max_chars', errors);
  const uuid = entityUuid(body.uuid, idempotencyKey, `activity:${user.user_uuid}`, errors);
  if (errors.length > 0 || ttlSeconds === undefined) throw unprocessable(errors);

  await moderate(ctx, 'activity', message, user.handle);
  const stored = await writeActivity(ctx, newActivityItem(user, uuid, message, new Date(), ttlSeconds));
  // Before answering: the author's next read of the home feed must show the post.
  await ctx.homeFeedCache?.invalidate();
  return toActivity(stored);
}
