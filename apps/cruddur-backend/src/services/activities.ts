import { notFound, unprocessable } from '../errors.js';
import { isUuid } from '../ids.js';
import {
  toActivity,
  toNotification,
  toReply,
  type Activity,
  type ActivityItem,
  type Notification,
  type Reply,
  type UserItem,
} from '../model.js';
import { type ServiceContext } from './context.js';

export const HOME_LIMIT = 20;
export const NOTIFICATIONS_LIMIT = 20;
export const SEARCH_LIMIT = 20;

/** GET /api/activities/home — through the Redis cache when the service has one. */
export function homeActivities(ctx: ServiceContext): Promise<Activity[]> {
  const load = async (): Promise<Activity[]> => {
    const now = new Date().toISOString();
    const items = await ctx.activities.homeFeed(now, HOME_LIMIT);
    ctx.logger.info('home activities', { now, results: items.length });
    return items.map(toActivity);
  };
  return ctx.homeFeedCache ? ctx.homeFeedCache.read(load) : load();
}

export async function notificationActivities(ctx: ServiceContext, user: UserItem): Promise<Notification[]> {
  const items = await ctx.notifications.list(user.user_uuid, NOTIFICATIONS_LIMIT);
  return items.map(toNotification);
}

export async function searchActivities(ctx: ServiceContext, term: string): Promise<Activity[]> {
  const t = term.trim();
  if (!t) throw unprocessable(['search_term_blank']);
  const items = await ctx.activities.search(t, new Date().toISOString(), SEARCH_LIMIT);
  return items.map(toActivity);
}

/** An activity (or reply) that exists and has not expired, else 404. */
export async function liveActivity(ctx: ServiceContext, uuid: string): Promise<ActivityItem> {
  const item = isUuid(uuid) ? await ctx.activities.get(uuid.toLowerCase()) : undefined;
  if (!item || item.expires_at <= new Date().toISOString()) throw notFound('activity_not_found');
  return item;
}

/** One activity with its replies, oldest reply first. `handle`, when given (status alias), must match. */
export async function showActivity(
  ctx: ServiceContext,
  uuid: string,
  handle?: string,
): Promise<{ activity: Activity; replies: Reply[] }> {
  const item = await liveActivity(ctx, uuid);
  // Compared, never used as a key: any value is harmless here.
  if (handle !== undefined && item.handle !== handle) throw notFound('activity_not_found');
  const replies = await ctx.activities.replies(item.uuid);
  return { activity: toActivity(item), replies: replies.map(toReply) };
}
