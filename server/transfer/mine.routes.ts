// Owns the routes of an author's own data: download all of one's comments (JSON) and delete them all after
// a confirmation, from the JSON API or the page's no-JavaScript form. Rate-limited, never cached.
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { httpActor, type HttpContext } from '../http/http.context';
import { enforce } from '../security/rate';
import { parseInput } from '../comments/comments.schema';
import { SLUG_RE } from '../articles/articles.content';
import { msg } from '../i18n/messages';
import { deleteAllMine, myComments } from './mine.service';

const confirmSchema = z.object({
  confirm: z.literal('delete-all', { error: () => msg('confirm_delete_all') }),
  /** The form path: the article to go back to. */
  back: z.string().regex(SLUG_RE).optional(),
});

export function mineRouter(ctx: HttpContext): Router {
  const r = Router();
  const { deps, limiters } = ctx;
  const json = express.json({ limit: 1024, strict: true });
  const form = express.urlencoded({ extended: false, limit: 1024, parameterLimit: 5 });
  // Each of these walks all of one author's comments: a few per minute per identity and per network.
  const limit = async (req: Request) => {
    const { actor } = await httpActor(ctx, req);
    await enforce([limiters.edit, `me:${actor.tokenHash}`], [limiters.edit, `me-ip:${actor.ipHash}`]);
    return actor;
  };

  r.get('/api/me/comments/export', async (req, res) => {
    const actor = await limit(req);
    res.set({ 'Cache-Control': 'private, no-store', 'Content-Disposition': 'attachment; filename="my-comments.json"' });
    res.type('application/json; charset=utf-8');
    res.write(`{"exportedAt":${JSON.stringify(new Date(deps.now()).toISOString())},"comments":[`);
    let first = true;
    for await (const c of myComments(deps, actor)) {
      res.write(`${first ? '' : ','}\n${JSON.stringify(c)}`);
      first = false;
    }
    res.end('\n]}\n');
  });

  r.post('/api/me/comments/delete-all', json, form, async (req, res) => {
    res.set('Cache-Control', 'private, no-store');
    const input = parseInput(confirmSchema, req.body ?? {});
    const actor = await limit(req);
    const result = await deleteAllMine(deps, actor);
    if (req.is('application/x-www-form-urlencoded')) {
      const to = input.back ? `/articles/${input.back}` : '/';
      return void res.redirect(303, `${to}?deleted=${result.deleted}#my-comments`);
    }
    res.json(result);
  });

  return r;
}
