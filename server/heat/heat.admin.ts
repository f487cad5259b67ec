// Owns the console routes of the heated-thread tools (declared in the admin route table, so the role guard
// applies): the pulse of every article. Slow mode and pre-moderation are set through PATCH /api/admin/articles.
import type { AdminRoute } from '../moderation/moderation.routes';
import type { HttpContext } from '../http/http.context';
import { readPulse } from './pulse';

export function heatAdminRoutes(ctx: HttpContext): AdminRoute[] {
  return [
    {
      method: 'get',
      path: '/api/admin/pulse',
      role: 'moderator',
      handler: async (_req, res) => void res.json(await readPulse(ctx.deps)),
    },
  ];
}
