import { type RequestHandler, type Response } from 'express';
import { badRequest } from '../errors.js';
import { isHandle } from '../handles.js';
import { type UserItem } from '../model.js';
import { type ServiceContext } from '../services/context.js';
import { resolveUser } from '../services/users.js';

/**
 * Authentication is out of scope: the current user is whoever the
 * `X-Cruddur-User` header names (default `andrewbrown`, as the original
 * hard-coded it before Cognito, but only when the header is absent).
 * Unknown handle → 401 `["user_unknown"]`.
 */
export const USER_HEADER = 'x-cruddur-user';
export const DEFAULT_USER = 'andrewbrown';

/**
 * The handle the request acts as. A header that is present must name a handle: an empty or
 * malformed value is 400 `["user_handle_invalid"]`, decided before any storage call, and never
 * falls back to the default user (a client that meant someone must not silently act as andrewbrown).
 */
export function requestedHandle(header: string | string[] | undefined): string {
  if (header === undefined) return DEFAULT_USER;
  const handle = (Array.isArray(header) ? header.join(',') : header).trim();
  if (!isHandle(handle)) throw badRequest('user_handle_invalid');
  return handle;
}

export function requireUser(ctx: ServiceContext): RequestHandler {
  return async (req, res, next) => {
    res.locals.user = await resolveUser(ctx, requestedHandle(req.headers[USER_HEADER]));
    next();
  };
}

export function currentUser(res: Response): UserItem {
  const user = res.locals.user as UserItem | undefined;
  if (!user) throw new Error('requireUser() must run before this handler');
  return user;
}

/** A path parameter as a string (Express types allow arrays for wildcard segments). */
export function param(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join('/') : (value ?? '');
}
