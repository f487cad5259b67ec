// Owns the moderator session over HTTP: who is signed in (signed cookie -> live session), signing in
// (rate limit, lockout, rotation) and the public shape of a moderator.
import type { Request, Response } from 'express';
import { parseInput } from '../comments/comments.schema';
import { cookieSecure, requestIpHash, type HttpContext } from '../http/http.context';
import { enforce } from '../security/rate';
import * as auth from './auth.service';
import type { Moderator } from '../db/moderators.types';
import { loginSchema } from './moderation.schema';
import { readSessionToken, SESSION_COOKIE, sessionCookieOptions, signToken } from './session.cookie';

export const publicModerator = (m: Moderator) => ({
  id: m.id,
  username: m.username,
  role: m.role,
  disabled: m.disabled,
  createdAt: new Date(m.createdAt).toISOString(),
});

export function currentModerator(ctx: HttpContext, req: Request) {
  return auth.sessionModerator(ctx.deps, readSessionToken(req.headers.cookie, ctx.secrets.sessionSecret));
}

/** Verifies the login and sets the session cookie; throws the login's AppError (401, 429) otherwise. */
export async function signIn(ctx: HttpContext, req: Request, res: Response): Promise<auth.LoginResult> {
  const { deps } = ctx;
  const ipHash = requestIpHash(ctx, req);
  await enforce([ctx.limiters.login, ipHash]);
  const { username, password } = parseInput(loginSchema, req.body);
  const result = await auth.login(deps, username, password, ipHash);
  // Rotation: a session this browser already held ends with the new login, so no old token lingers.
  const previous = readSessionToken(req.headers.cookie, ctx.secrets.sessionSecret);
  if (previous) await auth.logout(deps, previous);
  res.cookie(SESSION_COOKIE, signToken(result.token, ctx.secrets.sessionSecret), sessionCookieOptions(cookieSecure(ctx, req), result.expiresAt - deps.now()));
  return result;
}
