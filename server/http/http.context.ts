// Owns what HTTP routes share: the page context, limiters, client IP hashing and the author cookie.
import type { Request, Response } from 'express';
import type { PageContext } from '../articles/articles.page';
import { resolveActor, type TokenActor } from '../identity/actor';
import { AUTHOR_COOKIE, authorCookieOptions, hashToken, newAuthorToken, readAuthorToken } from '../identity/author.cookie';
import type { ClientIp } from '../security/client-ip';
import type { IpHasher } from '../security/ip';
import type { Limiters } from '../security/rate';
import type { Secrets } from '../security/secrets';
import type { FormErrorStore } from '../comments/form-errors';
import type { SiteRegistry } from '../embed/embed.sites';

export interface HttpContext extends PageContext {
  limiters: Limiters;
  clientIp: ClientIp;
  ipHash: IpHasher;
  secrets: Secrets;
  /** Refused no-JavaScript posts, kept for the page they redirect to. */
  formErrors: FormErrorStore;
  /** Notifications (notify/): whether mail is configured, and a nudge for the delivery worker. */
  notify?: { mailEnabled: boolean; nudge(): void };
  /** Embedding sites by origin (server/embed/). */
  sites: SiteRegistry;
}

export function cookieSecure(ctx: HttpContext, req: Request): boolean {
  const s = ctx.deps.config.cookieSecure;
  return s === 'auto' ? req.secure : s;
}

export function requestIpHash(ctx: HttpContext, req: Request): string {
  return ctx.ipHash(ctx.clientIp(req));
}

/**
 * The acting author. A request without the cookie gets a fresh token to act with; the route sets the
 * cookie (setAuthorCookie) only once the action succeeded, so a refused request leaves nothing behind.
 */
export async function httpActor(ctx: HttpContext, req: Request): Promise<{ actor: TokenActor; freshToken: string | null }> {
  const existing = readAuthorToken(req.headers.cookie);
  if (!existing) {
    // A token minted just now belongs to nobody yet: no lookup.
    const token = newAuthorToken();
    return { actor: { authorId: null, tokenHash: hashToken(token), ipHash: requestIpHash(ctx, req) }, freshToken: token };
  }
  return { actor: await resolveActor(ctx.deps.store, hashToken(existing), requestIpHash(ctx, req)), freshToken: null };
}

export function setAuthorCookie(ctx: HttpContext, req: Request, res: Response, token: string | null): void {
  if (token) res.cookie(AUTHOR_COOKIE, token, authorCookieOptions(cookieSecure(ctx, req)));
}
