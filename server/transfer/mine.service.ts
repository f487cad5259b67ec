// Owns an author's own data: every comment they posted (by their author identity), to download, and deleting
// them all with the same semantics as deleting one (placeholders stay where replies hang), published live.
import { localWrite } from '../realtime/local-writes';
import type { Actor, Deps } from '../deps';
import type { Article } from '../db/store';
import type { FeedComment } from '../db/transfer.types';
import { publishWrite } from '../comments/comments.service';

const PAGE = 500;

export interface MyComment {
  id: number;
  article: { slug: string; title: string };
  parentId: number | null;
  authorName: string;
  body: string;
  status: string;
  createdAt: string;
  editedAt: string | null;
  likes: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function toMine(c: FeedComment): MyComment {
  return {
    id: c.id,
    article: { slug: c.slug, title: c.title },
    parentId: c.parentId,
    authorName: c.authorName,
    body: c.body,
    // 'rejected' is what moderators removed: the author sees it as removed, as everywhere else.
    status: c.status === 'rejected' ? 'removed' : c.status,
    createdAt: iso(c.createdAt)!,
    editedAt: iso(c.editedAt),
    likes: c.likes,
  };
}

/** Pages through the author's comments (not deleted ones), oldest first; nothing for a reader who never posted. */
export async function* myComments(deps: Pick<Deps, 'store'>, actor: Pick<Actor, 'authorId'>): AsyncIterable<MyComment> {
  if (actor.authorId === null) return;
  let after = 0;
  for (;;) {
    const page = await deps.store.transfer.listByAuthor(actor.authorId, after, PAGE);
    for (const c of page) yield toMine(c);
    if (page.length < PAGE) return;
    after = page[page.length - 1].id;
  }
}

/**
 * Deletes every published or held comment of the author, one write each (what the moderators removed stays
 * removed), and tells each article's readers. Returns how many went and how many left a placeholder.
 */
export const deleteAllMine = localWrite(async function deleteAllMine(deps: Deps, actor: Pick<Actor, 'authorId'>): Promise<{ deleted: number; placeholders: number }> {
  let deleted = 0;
  let placeholders = 0;
  if (actor.authorId === null) return { deleted, placeholders };
  const articles = new Map<number, Article>();
  let after = 0;
  for (;;) {
    const page = await deps.store.transfer.listByAuthor(actor.authorId, after, PAGE);
    for (const c of page) {
      if (c.status !== 'published' && c.status !== 'pending') continue;
      const result = await deps.store.comments.setStatus(c.id, { status: 'deleted', at: deps.now() });
      let article = articles.get(c.articleId);
      if (!article) {
        article = (await deps.store.articles.getById(c.articleId))!;
        articles.set(c.articleId, article);
      }
      publishWrite(deps, article, result);
      deleted++;
      if (result.change.comment.replyCount > 0) placeholders++;
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1].id;
  }
  deps.log.info('author deleted all their comments', { authorId: actor.authorId, deleted });
  return { deleted, placeholders };
});
