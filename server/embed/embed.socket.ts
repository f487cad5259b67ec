// Owns the embed's side of Socket.IO: who an embed socket is (bearer token or SSO token in the handshake's
// `auth`, never a cookie) and watching threads by slug for live counts and a page's first comment.
import type { Server, Socket } from 'socket.io';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';
import { hashToken } from '../identity/author.cookie';
import type { SocketData } from '../realtime/io';
import { watchRoom } from '../realtime/rooms';
import type { SocketEvents } from '../realtime/socket.handler';
import { parseInput } from '../comments/comments.schema';
import type { Limiters } from '../security/rate';
import { readBearer, ssoTokenHash, verifySso } from './embed.identity';
import type { SiteRegistry } from './embed.sites';
import type { Site } from '../db/store';
import type { Maybe } from '../shared/maybe';
import { MAX_COUNT_PAGES } from './embed.service';
import { isPageSlug } from './embed.pages';
import { z } from 'zod';

export type EmbedSocketData = SocketData & { siteId?: number; watching?: string[] };

const watchSchema = z.strictObject({ slugs: z.array(z.string().max(40).refine(isPageSlug)).max(MAX_COUNT_PAGES) });

/**
 * Runs after the own page's identity step: a socket from an allowed site's origin is that site's, and
 * its identity comes from `auth` alone. A bad token refuses the connection with a clear error.
 */
export function useEmbedIdentity(io: Server, deps: Deps, sites: SiteRegistry): void {
  /** The embed socket's identity, from its handshake `auth` alone (a bad SSO token throws). */
  const identify = async (socket: Socket, site: Site) => {
    const data = socket.data as EmbedSocketData;
    const auth = (socket.handshake.auth ?? {}) as { token?: unknown; sso?: unknown };
    data.siteId = site.id;
    if (auth.sso !== undefined && auth.sso !== '') {
      const user = await verifySso(site, auth.sso, deps.now());
      data.tokenHash = ssoTokenHash(site.id, user.sub);
    } else {
      const token = readBearer(typeof auth.token === 'string' ? `Bearer ${auth.token}` : undefined);
      data.tokenHash = token ? hashToken(token) : null;
    }
  };
  io.use((socket, next) => {
    const refuse = (err: unknown) => {
      const e = err instanceof AppError ? err : new AppError('unavailable', 503, msg('internal_error'));
      next(Object.assign(new Error(e.message), { data: { code: e.code } }));
    };
    const origin = socket.request.headers.origin;
    let site: Maybe<Site | undefined>;
    try {
      site = sites.forOrigin(typeof origin === 'string' ? origin : undefined);
    } catch (err) {
      return refuse(err);
    }
    // The page's own sockets pass at once while the sites list is cached: a reconnect storm is thousands of them.
    if (site === undefined) return next();
    Promise.resolve(site)
      .then((s) => (s ? identify(socket, s) : undefined))
      .then(() => next(), refuse);
  });
}

/** Writes the own page makes over its socket; an embed makes them over HTTP, where the site's SSO rules apply. */
const WRITES = new Set(['comment:post', 'comment:edit', 'comment:delete', 'comment:like', 'comment:report', 'comment:react']);

export function registerEmbedEvents(events: SocketEvents, ctx: { deps: Deps; limiters: Limiters }): void {
  events.guard((socket, event) =>
    (socket.data as EmbedSocketData).siteId !== undefined && WRITES.has(event) ? { code: 'embed_write_over_http', message: msg('embed_write_over_http') } : undefined,
  );
  events.ack('embed:watch', { log: ctx.deps.log, limiter: ctx.limiters.socketEvents }, async (socket, payload) => {
    const data = socket.data as EmbedSocketData;
    const { slugs } = parseInput(watchSchema, payload);
    for (const s of data.watching ?? []) await socket.leave(watchRoom(s));
    data.watching = [...new Set(slugs)];
    for (const s of data.watching) await socket.join(watchRoom(s));
    // Counts as of now, after joining: a thread created between the reader's page load and this watch is not missed.
    const articles = await Promise.all(data.watching.map((s) => ctx.deps.store.articles.getBySlug(s)));
    const counts: Record<string, number> = {};
    for (const a of articles) if (a) counts[a.slug] = a.commentCount;
    return { counts };
  });
}
