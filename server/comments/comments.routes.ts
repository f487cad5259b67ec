// Owns the comment HTTP routes: the JSON API and the no-JavaScript form POST. Each calls the same
// service function as its socket event.
import express, { Router, type Request, type Response } from 'express';
import { AppError, toErrorBody } from '../errors';
import { currentModerator } from '../moderation/moderation.session';
import { formElapsed } from '../articles/articles.page';
import { httpActor, setAuthorCookie, type HttpContext } from '../http/http.context';
import { createSharedSender, pageEtag, readReader, sendEncoded, setCacheControl } from '../http/http.caching';
import { reportComment } from '../moderation/moderation.service';
import { enforce } from '../security/rate';
import { strings } from '../i18n/strings';
import { msg } from '../i18n/messages';
import type { ErrorBody } from '../../contracts/api';
import { deleteComment, editComment, listReplies, readCommentPage, postComment, requireArticle, toggleLike } from './comments.service';
import { editCommentSchema, listQuerySchema, parseId, parseInput, postCommentSchema, reportSchema } from './comments.schema';
import { z } from 'zod';
import { requestByModerator } from '../heat/staff';

const repliesQuery = z.object({
  cursor: z.string().max(200).optional(),
  /** Plain alternative to cursor: replies after this id, in thread order. */
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

/** Refusals about one field, besides invalid_input's own list of fields. */
const CODE_FIELD: Record<string, 'authorName' | 'body'> = { name_too_long: 'authorName', comment_too_long: 'body', banned_word: 'body', duplicate_comment: 'body' };

/** The form's wording of a refusal: each field problem in its own words ("昵称 不能为空。"), never API keys. */
function formProblem(body: ErrorBody): { error: string; fields: ('authorName' | 'body')[] } {
  const details = Array.isArray(body.details) ? (body.details as { field?: string; message?: string }[]) : null;
  if (body.code === 'invalid_input' && details?.length) {
    const fields = details.map((d) => d.field).filter((f): f is 'authorName' | 'body' => f === 'authorName' || f === 'body');
    return { error: details.map((d) => d.message).join(' '), fields: [...new Set(fields)] };
  }
  return { error: body.message, fields: CODE_FIELD[body.code] ? [CODE_FIELD[body.code]] : [] };
}

export function commentsRouter(ctx: HttpContext): Router {
  const r = Router();
  const { deps, limiters } = ctx;
  const json = express.json({ limit: deps.config.maxBodyBytes, strict: true });
  // Percent-encoding triples a byte at worst: a 5,000-character Chinese comment is 45 KB on the wire.
  const form = express.urlencoded({ extended: false, limit: deps.config.maxBodyBytes * 3, parameterLimit: 20 });
  const sendShared = createSharedSender();

  r.get('/api/articles/:slug/comments', async (req, res) => {
    const q = parseInput(listQuerySchema, req.query);
    const reader = await readReader(ctx, req);
    const article = await requireArticle(deps, String(req.params.slug));
    const answer = await readCommentPage(deps, article, q, { authorId: reader.authorId }, ctx.pageCache);
    const tag = { articleId: article.id, seq: answer.page.seq, sort: q.sort, cursor: q.cursor, limit: q.limit, lang: strings().langTag };
    res.set('ETag', pageEtag(tag, { specific: answer.viewerSpecific, authorId: reader.authorId, secret: ctx.secrets.sessionSecret }));
    setCacheControl(res, reader);
    // Express answers 304 itself when If-None-Match holds this ETag (req.fresh).
    if (answer.json !== undefined) return void sendShared(req, res, answer.json);
    // The compression middleware skips this route (http.compression.ts): a reader's own view is encoded here.
    await sendEncoded(req, res.type('json'), Buffer.from(JSON.stringify(answer.page)));
  });

  r.get('/api/comments/:id/replies', async (req, res) => {
    const id = parseId(req.params.id);
    const q = parseInput(repliesQuery, req.query);
    const { actor } = await httpActor(ctx, req);
    const page = await listReplies(deps, id, q, { authorId: actor.authorId });
    // mine/liked/pending differ per reader: never stored by a shared cache.
    res.set('Cache-Control', 'private, no-cache');
    res.json(page);
  });

  r.post('/api/articles/:slug/comments', json, async (req, res) => {
    const { actor, freshToken } = await httpActor(ctx, req);
    await enforce([limiters.postAttempt, actor.ipHash]);
    const { asStaff, ...input } = parseInput(postCommentSchema, req.body);
    // The badge comes from the moderator session alone: a reader asking for it without one is refused.
    const staff = asStaff ? await currentModerator(ctx, req) : undefined;
    if (asStaff && !staff) throw new AppError('staff_signin_required', 403, msg('staff_signin_required'));
    const exempt = await requestByModerator(ctx, req);
    const { comment } = await postComment(deps, { slug: String(req.params.slug), ...input, staff, exempt }, actor);
    setAuthorCookie(ctx, req, res, freshToken);
    // Encoded here: the compression middleware, which wraps every response it sees, skips this route (http.compression.ts).
    await sendEncoded(req, res.status(201).type('json'), JSON.stringify({ comment }));
  });

  r.patch('/api/comments/:id', json, async (req, res) => {
    const id = parseId(req.params.id);
    const { body } = parseInput(editCommentSchema, req.body);
    const { actor } = await httpActor(ctx, req);
    await enforce([limiters.edit, actor.tokenHash]);
    res.json({ comment: await editComment(deps, id, body, actor) });
  });

  r.delete('/api/comments/:id', async (req, res) => {
    const id = parseId(req.params.id);
    const { actor } = await httpActor(ctx, req);
    await enforce([limiters.edit, actor.tokenHash]);
    res.json(await deleteComment(deps, id, actor));
  });

  r.post('/api/comments/:id/like', async (req, res) => {
    const id = parseId(req.params.id);
    const { actor, freshToken } = await httpActor(ctx, req);
    await enforce([limiters.like, actor.tokenHash], [limiters.like, `ip:${actor.ipHash}`]);
    const r2 = await toggleLike(deps, id, actor);
    setAuthorCookie(ctx, req, res, freshToken);
    res.json({ id: r2.id, likes: r2.likes, liked: r2.liked });
  });

  r.post('/api/comments/:id/report', json, async (req, res) => {
    const id = parseId(req.params.id);
    const input = parseInput(reportSchema, req.body);
    const { actor, freshToken } = await httpActor(ctx, req);
    await enforce([limiters.report, actor.tokenHash], [limiters.report, `ip:${actor.ipHash}`]);
    const r2 = await reportComment(deps, id, input, actor);
    setAuthorCookie(ctx, req, res, freshToken);
    res.status(201).json({ id: r2.id, reported: true });
  });

  // The form path: works with JavaScript off. Success redirects to the new comment; a refusal
  // re-renders the page with the message and what the reader typed.
  r.post('/articles/:slug/comments', form, async (req: Request, res: Response) => {
    const article = await requireArticle(deps, String(req.params.slug));
    const { actor, freshToken } = await httpActor(ctx, req);
    const raw = (req.body ?? {}) as Record<string, unknown>;
    const parentId = typeof raw.parentId === 'string' && /^\d{1,15}$/.test(raw.parentId) ? Number(raw.parentId) : null;
    const keep = { authorName: typeof raw.authorName === 'string' ? raw.authorName : '', body: typeof raw.body === 'string' ? raw.body : '', parentId };
    try {
      await enforce([limiters.postAttempt, actor.ipHash]);
      const input = parseInput(postCommentSchema, { authorName: raw.authorName, body: raw.body, parentId });
      const elapsed = formElapsed(ctx.formSecret, raw.ts, deps.now());
      const spam = { honeypot: typeof raw.website === 'string' && raw.website !== '', tooFast: elapsed === null || elapsed < deps.config.formMinMs };
      const { comment } = await postComment(deps, { slug: article.slug, ...input, spam, exempt: await requestByModerator(ctx, req) }, actor);
      setAuthorCookie(ctx, req, res, freshToken);
      const q = comment.status === 'pending' ? '?posted=pending' : '';
      res.redirect(303, `/articles/${encodeURIComponent(article.slug)}${q}#c-${comment.id}`);
    } catch (err) {
      const { status, body, headers } = toErrorBody(err, deps.log);
      if (status >= 500) throw err;
      if (headers) res.set(headers);
      // Post/redirect/get: the refusal and what the reader typed wait on a page that survives a reload.
      const id = ctx.formErrors.put({ slug: article.slug, ...keep, ...formProblem(body), status, ipHash: actor.ipHash });
      res.redirect(303, `/articles/${encodeURIComponent(article.slug)}?form=${id}#compose`);
    }
  });

  return r;
}

