// Owns the reader HTTP routes of the heated-thread tools: reactions (toggle, the set and one's own), a
// comment's edit history and the article's picks. Each calls the same use case as its socket event.
import express, { Router } from 'express';
import { z } from 'zod';
import { httpActor, setAuthorCookie, type HttpContext } from '../http/http.context';
import { enforce } from '../security/rate';
import { parseId, parseInput } from '../comments/comments.schema';
import { REACTION_KINDS } from '../db/moderation.types';
import { listPicks, listRevisions, readerReactions, toggleReaction } from './heat.service';

export const reactionSchema = z.strictObject({ kind: z.enum(REACTION_KINDS) });
/** A page asks for the comments it shows: at most 200 ids, as digits separated by commas. */
export const idsQuery = z.object({
  ids: z
    .string()
    .max(3000)
    .regex(/^(\d{1,15}(,\d{1,15}){0,199})?$/)
    .transform((s) => (s ? s.split(',').map(Number) : []))
    .default([]),
});

export function heatRouter(ctx: HttpContext): Router {
  const r = Router();
  const { deps, limiters } = ctx;
  const json = express.json({ limit: 1024, strict: true });

  r.post('/api/comments/:id/reactions', json, async (req, res) => {
    const id = parseId(req.params.id);
    const { kind } = parseInput(reactionSchema, req.body);
    const { actor, freshToken } = await httpActor(ctx, req);
    // Reactions share the like limiter: per author and per network.
    await enforce([limiters.like, actor.tokenHash], [limiters.like, `ip:${actor.ipHash}`]);
    const a = await toggleReaction(deps, id, kind, actor);
    setAuthorCookie(ctx, req, res, freshToken);
    res.json({ id: a.id, kind: a.kind, on: a.on, reactions: a.reactions, seq: a.seq });
  });

  r.get('/api/articles/:slug/reactions', async (req, res) => {
    const { ids } = parseInput(idsQuery, req.query);
    const { actor } = await httpActor(ctx, req);
    res.set('Cache-Control', 'private, no-cache');
    res.json(await readerReactions(deps, ids, actor));
  });

  r.get('/api/comments/:id/revisions', async (req, res) => {
    res.set('Cache-Control', 'no-cache');
    res.json(await listRevisions(deps, parseId(req.params.id)));
  });

  r.get('/api/articles/:slug/featured', async (req, res) => {
    res.set('Cache-Control', 'no-cache');
    res.json(await listPicks(deps, String(req.params.slug)));
  });

  return r;
}
