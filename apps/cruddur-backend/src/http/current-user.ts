import { type RequestHandler, type Response } from 'express';
import { type UserItem } from '../model.js';
import { type ServiceContext } from '../services/context.js';
import { resolveUser } from '../services/users.js';

/**
 * Authentication is out of scope: the current user is whoever the
 * `X-Cruddur-User` header names (default `andrewbrown`, as the original
 * hard-coded it before Cognito). Unknown handle → 401 `["user_unknown"]`.
 */
export const USER_HEADER = 'x-cruddur-user';
export const DEFAULT_USER = 'andrewbrown';

export function requireUser(ctx: ServiceContext): RequestHandler {
  return async (req, res, next) => {
    const handle = req.get(USER_HEADER)?.trim() || DEFAULT_USER;
    res.locals.user = await resolveUser(ctx, handle);
    next();
  };
}

export function currentUser(res: Response): UserItem {
  const user = res.locals.user as UserItem | undefined;
  if (!user) throw new Error('requireUser() must run before this handler');
  return user;
}

/** The optional `Idempotency-Key` request header. */
export function idempotencyKey(header: string | undefined): string | undefined {
  const key = header?.trim();
  return key ? key.slice(0, 200) : undefined;
}

/** A path parameter as a string (Express types allow arrays for wildcard segments). */
export function param(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join('/') : (value ?? '');
}
