import { notFound, unprocessable } from '../errors.js';
import { isHandle } from '../handles.js';
import { toActivity, toProfile, type Activity, type Profile } from '../model.js';
import { type ServiceContext } from './context.js';

export const USER_ACTIVITIES_LIMIT = 40;

/** GET /api/activities/@:handle — a profile and its latest activities. */
export async function userActivities(
  ctx: ServiceContext,
  handle: string,
): Promise<{ profile: Profile; activities: Activity[] }> {
  const h = handle.trim();
  if (!h) throw unprocessable(['blank_user_handle']);
  // A value that cannot be a handle names nobody: answered without a read.
  const user = isHandle(h) ? await ctx.users.get(h) : undefined;
  if (!user) throw notFound('user_not_found');

  // Custom traced block (the original's `mock-data` subsegment): `capture`
  // opens and closes it exactly once, also when the body throws; the
  // metadata records when the query ran and how many results it returned.
  return ctx.instrumentation.capture('mock-data', async (block) => {
    const now = new Date().toISOString();
    const items = await ctx.activities.userFeed(h, now, USER_ACTIVITIES_LIMIT);
    const activities = items.map(toActivity);
    block.addMetadata('user-activities', { now, 'results-size': activities.length });
    return { profile: toProfile(user), activities };
  });
}
