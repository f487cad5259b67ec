// Owns the reader HTTP routes of the heated-thread tools: reactions (toggle, the set and one's own), a
// comment's edit history and the article's picks. Each calls the same use case as its socket event.
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { httpActor, setAuthorCookie, type HttpContext } from '../http/http.context';
import { enforce } from '../security/rate';
import { parseId, parseInput } from '../comments/comments.schema';
import { REACTION_KINDS } from '../db/moderation.types';
import type { TokenActor } from '../identity/actor';
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

/**
 * Who asks, as the own page (author cookie) or the embed (bearer or SSO) knows them. `succeeded` runs once a
 * write went through: it hands back a token minted for the reader (the own page's cookie, the embed's body
 * field) and answers what the response body adds for it.
 */
export type ReaderIdentify = (req: Request, res: Response, write: boolean) => Promise<{ actor: TokenActor; succeeded: (res: Response) => Record<string, unknown> }>;

/**
 * The reader routes of the heated-thread tools under prefix: '/api' for the own page, '/api/embed' on the
 * embed's router (its exact-origin CORS, bearer or SSO identity). The same use cases either way.
 */
export function readerToolRoutes(r: Router, ctx: HttpContext, prefix: string, identify: ReaderIdentify, jsonLimit = 1024): void {
  const { deps, limiters } = ctx;
  const json = express.json({ limit: jsonLimit, strict: true });

  r.post(`${prefix}/comments/:id/reactions`, json, async (req, res) => {
    const id = parseId(req.params.id);
    const { kind } = parseInput(reactionSchema, req.body);
    const { actor, succeeded } = await identify(req, res, true);
    // Reactions share the like limiter: per author and per network.
    await enforce([limiters.like, actor.tokenHash], [limiters.like, `ip:${actor.ipHash}`]);
    const a = await toggleReaction(deps, id, kind, actor);
    res.json({ id: a.id, kind: a.kind, on: a.on, reactions: a.reactions, seq: a.seq, ...succeeded(res) });
  });

  r.get(`${prefix}/articles/:slug/reactions`, async (req, res) => {
    const { ids } = parseInput(idsQuery, req.query);
    const { actor } = await identify(req, res, false);
    res.set('Cache-Control', 'private, no-cache');
    res.json(await readerReactions(deps, ids, actor));
  });

  r.get(`${prefix}/comments/:id/revisions`, async (req, res) => {
    res.set('Cache-Control', 'no-cache');
    res.json(await listRevisions(deps, parseId(req.params.id)));
  });

  r.get(`${prefix}/articles/:slug/featured`, async (req, res) => {
    res.set('Cache-Control', 'no-cache');
    res.json(await listPicks(deps, String(req.params.slug)));
  });
}

export function heatRouter(ctx: HttpContext): Router {
  const r = Router();
  readerToolRoutes(r, ctx, '/api', async (req) => {
    const { actor, freshToken } = await httpActor(ctx, req);
    return {
      actor,
      succeeded: (res) => {
        setAuthorCookie(ctx, req, res, freshToken);
        return {};
      },
    };
  });
  return r;
}
