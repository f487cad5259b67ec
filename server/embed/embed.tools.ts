// Owns the embed's side of the heated-thread tools and the reply inbox: the own page's reader routes
// (reactions, edit history, picks, /api/me/replies) under /api/embed, so they get the embed's exact-origin
// CORS and bearer/SSO identity (no cookie, no CSRF check), each calling the same use case as the own page.
import express, { type Request, type Response, type Router } from 'express';
import type { HttpContext } from '../http/http.context';
import type { EmbedIdentity } from './embed.identity';
import { enforce } from '../security/rate';
import { parseId, parseInput } from '../comments/comments.schema';
import { idsQuery, reactionSchema } from '../heat/heat.routes';
import { listPicks, listRevisions, readerReactions, toggleReaction } from '../heat/heat.service';
import { listReplies, markRepliesRead } from '../notify/notify.service';
import { readSchema } from '../notify/notify.routes';

type Who = (req: Request, res: Response, write: boolean) => Promise<EmbedIdentity>;

/** Registers on the embed router, after its CORS step (which answers preflights and refuses other origins). */
export function embedToolRoutes(r: Router, ctx: HttpContext, who: Who): void {
  const { deps, limiters } = ctx;
  const json = express.json({ limit: 2048, strict: true });

  // A write: a site that requires SSO refuses it without one, like a like.
  r.post('/api/embed/comments/:id/reactions', json, async (req, res) => {
    const id = parseId(req.params.id);
    const { kind } = parseInput(reactionSchema, req.body);
    const { actor, freshToken } = await who(req, res, true);
    await enforce([limiters.like, actor.tokenHash], [limiters.like, `ip:${actor.ipHash}`]);
    const a = await toggleReaction(deps, id, kind, actor);
    res.json({ id: a.id, kind: a.kind, on: a.on, reactions: a.reactions, ...(freshToken ? { token: freshToken } : {}) });
  });

  r.get('/api/embed/articles/:slug/reactions', async (req, res) => {
    const { ids } = parseInput(idsQuery, req.query);
    const { actor } = await who(req, res, false);
    res.set('Cache-Control', 'private, no-cache');
    res.json(await readerReactions(deps, ids, actor));
  });

  r.get('/api/embed/comments/:id/revisions', async (req, res) => {
    res.set('Cache-Control', 'no-cache');
    res.json(await listRevisions(deps, parseId(req.params.id)));
  });

  r.get('/api/embed/articles/:slug/featured', async (req, res) => {
    res.set('Cache-Control', 'no-cache');
    res.json(await listPicks(deps, String(req.params.slug)));
  });

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
