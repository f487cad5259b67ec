// Owns telling the article page whether its viewer may post as staff, and with which badge. Asked by the
// page script, never rendered into the page: the page stays one cached page for everyone.
import { Router } from 'express';
import type { HttpContext } from '../http/http.context';
import { currentModerator } from '../moderation/moderation.session';
import { requireArticle, staffBadge } from './comments.service';

export function staffRouter(ctx: HttpContext): Router {
  const r = Router();
  r.get('/api/articles/:slug/staff', async (req, res) => {
    const article = await requireArticle(ctx.deps, String(req.params.slug));
    const mod = await currentModerator(ctx, req);
    res.set('Cache-Control', 'private, no-store');
    res.json({ badge: mod ? staffBadge(article, mod) : null });
  });
  return r;
}
