// Owns the embed's side of the heated-thread tools and the reply inbox: the own page's reader routes
// (reactions, edit history, picks, /api/me/replies) under /api/embed, so they get the embed's exact-origin
// CORS and bearer/SSO identity (no cookie, no CSRF check), each calling the same use case as the own page.
import express, { type Request, type Response, type Router } from 'express';
import type { HttpContext } from '../http/http.context';
import type { EmbedIdentity } from './embed.identity';
import { enforce } from '../security/rate';
import { parseInput } from '../comments/comments.schema';
import { readerToolRoutes } from '../heat/heat.routes';
import { listReplies, markRepliesRead } from '../notify/notify.service';
import { readSchema } from '../notify/notify.routes';

type Who = (req: Request, res: Response, write: boolean) => Promise<EmbedIdentity>;

/** Registers on the embed router, after its CORS step (which answers preflights and refuses other origins). */
export function embedToolRoutes(r: Router, ctx: HttpContext, who: Who): void {
  const { deps, limiters } = ctx;
  const json = express.json({ limit: 2048, strict: true });

  // A write: a site that requires SSO refuses it without one, like a like. A token minted for the reader
  // goes back in the body, once the write went through.
  readerToolRoutes(
    r,
    ctx,
    '/api/embed',
    async (req, res, write) => {
      const { actor, freshToken } = await who(req, res, write);
      return { actor, succeeded: () => (freshToken ? { token: freshToken } : {}) };
    },
    2048,
  );

  // Reading an inbox creates nobody: a reader without a token has none.
  r.get('/api/embed/me/replies', async (req, res) => {
    res.set('Cache-Control', 'private, no-store');
    const { actor } = await who(req, res, false);
    res.json({ ...(await listReplies(deps, actor.authorId)), mailAvailable: false });
  });

  r.post('/api/embed/me/replies/read', json, async (req, res) => {
    res.set('Cache-Control', 'private, no-store');
    const { ids } = parseInput(readSchema, req.body ?? {});
    const { actor } = await who(req, res, false);
    await enforce([limiters.edit, `read:${actor.tokenHash}`]);
    res.json(await markRepliesRead(deps, actor.authorId, ids ?? null));
  });
}
