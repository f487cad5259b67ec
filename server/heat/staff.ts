// Owns telling whether a poster is a signed-in moderator (slow mode exempts them), over HTTP and on a socket
// alike: the same signed session cookie, checked against a live session.
import type { Request } from 'express';
import type { Deps } from '../deps';
import type { HttpContext } from '../http/http.context';
import { sessionModerator } from '../moderation/auth.service';
import { readSessionToken } from '../moderation/session.cookie';

export async function moderatorCookie(deps: Deps, secret: string, cookieHeader: string | undefined): Promise<boolean> {
  const token = readSessionToken(cookieHeader, secret);
  if (!token) return false;
  const m = await sessionModerator(deps, token);
  return m !== undefined && !m.disabled;
}

export const requestByModerator = (ctx: HttpContext, req: Request) => moderatorCookie(ctx.deps, ctx.secrets.sessionSecret, req.headers.cookie);
