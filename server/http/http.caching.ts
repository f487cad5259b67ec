// Owns HTTP caching of reads: who is reading (without minting an identity), the Cache-Control a response may
// carry, and the seq-based ETag of a comment page.
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Request, Response } from 'express';
import { hashToken, readAuthorToken } from '../identity/author.cookie';
import type { HttpContext } from './http.context';

/**
 * A shared cache (CDN, nginx) may keep an anonymous answer 5 s and serve it up to 30 s more while it fetches a
 * fresh one. The page's seq makes that safe: the live script joins with since = seq and catches up on the rest.
 */
export const PUBLIC_CACHE_CONTROL = 'public, max-age=0, s-maxage=5, stale-while-revalidate=30';
export const PRIVATE_CACHE_CONTROL = 'private, no-cache';

export interface Reader {
  authorId: number | null;
  /** The request carries an author cookie: its answer is never public, even when it equals the public one. */
  identified: boolean;
}

/** The reader of a GET: the author behind their cookie, if any. A read never creates an identity. */
export async function readReader(ctx: HttpContext, req: Request): Promise<Reader> {
  const token = readAuthorToken(req.headers.cookie);
  if (!token) return { authorId: null, identified: false };
  const author = await ctx.deps.store.authors.getByTokenHash(hashToken(token));
  return { authorId: author?.id ?? null, identified: true };
}

/**
 * Public only for a reader without identity, and never when the response sets a cookie: a shared cache would
 * hand that cookie (an identity) to everyone. Vary: Cookie keeps caches that honour it from mixing the two.
 */
export function setCacheControl(res: Response, reader: Reader): void {
  const shared = !reader.identified && !res.getHeader('Set-Cookie');
  res.set('Cache-Control', shared ? PUBLIC_CACHE_CONTROL : PRIVATE_CACHE_CONTROL);
  res.vary('Cookie');
}

const short = (s: string) => crypto.createHash('sha256').update(s).digest('base64url').slice(0, 12);

/**
 * Weak ETag of a comment page: article, seq, sort, cursor, limit, language, and whose view it is. Every visible
 * change bumps seq, so equal tags mean an equal answer. A reader's own view is tagged per reader (hashed with a
 * server secret, so the tag does not show their id).
 */
export function pageEtag(
  p: { articleId: number; seq: number; sort: string; cursor?: string; limit: number; lang: string },
  viewer: { specific: boolean; authorId: number | null; secret: string },
): string {
  const who = viewer.specific ? `v${short(`${viewer.secret}:${viewer.authorId}`)}` : 'p';
  return `W/"${p.articleId}.${p.seq}.${p.sort}.${p.cursor ? short(p.cursor) : '-'}.${p.limit}.${p.lang}.${who}"`;
}

/** The client takes gzip (an Accept-Encoding that prefers it to identity). */
export function takesGzip(req: Request): boolean {
  const ae = req.headers['accept-encoding'];
  return typeof ae === 'string' && ae !== '' && req.acceptsEncodings('gzip', 'identity') === 'gzip';
}

/**
 * The client takes brotli and weighs it at least as high as gzip. Browsers list it after gzip at the same weight
 * ("gzip, deflate, br, zstd"), where the usual negotiation picks the first listed: among equals, brotli is preferred.
 */
export function takesBrotli(req: Request): boolean {
  const ae = req.headers['accept-encoding'];
  if (typeof ae !== 'string' || !/\bbr\b/i.test(ae)) return false;
  const q = new Map<string, number>();
  for (const part of ae.split(',')) {
    const [name, ...params] = part.trim().split(';');
    const weight = params.map((p) => /^\s*q=([\d.]+)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined);
    q.set(name.trim().toLowerCase(), weight === undefined ? 1 : Number(weight));
  }
  const br = q.get('br') ?? 0;
  return br > 0 && br >= (q.get('gzip') ?? q.get('*') ?? 0);
}

/**
 * Brotli at quality 5 for answers compressed once and sent many times: a fifth to a quarter smaller than gzip on a
 * comment page, at about gzip's speed (quality 11 would be a little smaller again but ten times slower, and a hot
 * article's answers are rebuilt at every change).
 */
export const brotli = (body: Buffer): Buffer =>
  zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } });

const gzipAsync = promisify(zlib.gzip);

/**
 * Sends an answer built for this request alone (a reader's own view), gzipped on the thread pool when the client
 * takes it, as the compression middleware did before these routes started encoding their answers themselves.
 */
export async function sendEncoded(req: Request, res: Response, body: Buffer | string): Promise<void> {
  res.vary('Accept-Encoding');
  if (body.length < 1024 || !takesGzip(req)) return void res.send(body);
  const z = await gzipAsync(body);
  res.set('Content-Encoding', 'gzip');
  res.send(z);
}

/**
 * Sends a shared, already serialized JSON answer. A browser asking for brotli or gzip gets it compressed once per
 * answer (kept beside it until the page cache drops the answer), not on every request as the compression middleware
 * would: on a hot first page that compression costs more than everything else in the request.
 */
export function createSharedSender(): (req: Request, res: Response, body: Buffer) => void {
  const encoded = { br: new WeakMap<Buffer, Buffer>(), gzip: new WeakMap<Buffer, Buffer>() };
  return (req, res, body) => {
    res.type('json');
    res.vary('Accept-Encoding');
    if (body.length < 1024) return void res.send(body);
    const encoding = takesBrotli(req) ? 'br' : takesGzip(req) ? 'gzip' : null;
    if (!encoding) return void res.send(body);
    let z = encoded[encoding].get(body);
    if (!z) encoded[encoding].set(body, (z = encoding === 'br' ? brotli(body) : zlib.gzipSync(body)));
    res.set('Content-Encoding', encoding);
    res.send(z);
  };
}
