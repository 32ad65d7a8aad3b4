import { ServiceError, notFound, unprocessable } from '../errors.js';
import { isHandle } from '../handles.js';
import { toUserShort, type UserItem, type UserShort } from '../model.js';
import { type ServiceContext } from './context.js';
import { charCount } from '../text-length.js';
import { asBody, trimmed } from './validation.js';

export const DISPLAY_NAME_MAX_CHARS = 100;
export const BIO_MAX_CHARS = 500;

/** The user named by `X-Cruddur-User`; unknown → 401 `["user_unknown"]`. */
export async function resolveUser(ctx: ServiceContext, handle: string): Promise<UserItem> {
  const user = handle ? await ctx.users.get(handle) : undefined;
  if (!user) throw new ServiceError(401, ['user_unknown']);
  return user;
}

/** GET /api/users/@:handle/short */
export async function userShort(ctx: ServiceContext, handle: string): Promise<UserShort> {
  const h = handle.trim();
  // A value that cannot be a handle names nobody: answered without a read.
  const user = isHandle(h) ? await ctx.users.get(h) : undefined;
  if (!user) throw notFound('user_not_found');
  return toUserShort(user);
}

/** POST /api/profile/update `{display_name, bio?}` — one conditional UpdateItem. */
export async function updateProfile(
  ctx: ServiceContext,
  user: UserItem,
  rawBody: unknown,
): Promise<UserShort & { bio: string }> {
  const body = asBody(rawBody);
  const errors: string[] = [];
  const displayName = trimmed(body.display_name);
  if (!displayName) errors.push('display_name_blank');
  else if (charCount(displayName) > DISPLAY_NAME_MAX_CHARS) errors.push('display_name_exceed_max_chars');
  const bio = body.bio === undefined || body.bio === null ? user.bio : trimmed(body.bio);
  if (charCount(bio) > BIO_MAX_CHARS) errors.push('bio_exceed_max_chars');
  if (errors.length > 0) throw unprocessable(errors);

  const updated = await ctx.users.updateProfile(user.handle, displayName, bio);
  if (!updated) throw new ServiceError(401, ['user_unknown']);
  return { ...toUserShort(updated), bio: updated.bio };
}
