// Owns when the compression middleware runs: not for a client that accepts no encoding, and not on the read
// routes that send their own encoded bytes (first comment pages and article pages, gzipped once per cached answer,
// and a new comment's answer, which is usually under the 1 KB worth compressing).
import type { Request, RequestHandler } from 'express';

/** GET /, /articles/:slug and /api/articles/:slug/comments: http.caching.ts and articles.page.ts encode these. */
const SELF_ENCODED = /^\/(?:articles\/[^/]+|api\/articles\/[^/]+\/comments)?$/;

/** POST /api/articles/:slug/comments: the post route encodes its answer itself (http.caching.ts sendEncoded). */
const POST_ENCODED = /^\/api\/articles\/[^/]+\/comments$/;

export const encodesItself = (req: Request): boolean =>
  req.method === 'GET' || req.method === 'HEAD' ? SELF_ENCODED.test(req.path) : req.method === 'POST' && POST_ENCODED.test(req.path);

/**
 * The middleware wraps every response it sees (write, end, header hooks, Accept-Encoding negotiation): about a
 * sixth of a cached first page's CPU time. Without Accept-Encoding it would send identity anyway, so it is skipped;
 * so is every route that already chose its encoding.
 */
export function compressWhenUseful(compress: RequestHandler): RequestHandler {
  return (req, res, next) => {
    if (!req.headers['accept-encoding'] || encodesItself(req)) return next();
    compress(req, res, next);
  };
}
