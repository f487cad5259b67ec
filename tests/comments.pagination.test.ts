// Sorting (newest / oldest / top) and keyset cursors over more than one page of top-level comments.
import { postComment, reader, startServer, type Reader, type TestServer } from './helpers/server';

const TOTAL = 45;

describe('sorting and paging the thread', () => {
  let s: TestServer;
  let slug: string;
  let ids: number[];
  let likes: Map<number, number>;
  let r: Reader;

  beforeAll(async () => {
    s = await startServer();
    slug = s.article.slug;
    r = reader(s);
    ids = [];
    const author = reader(s);
    for (let i = 0; i < TOTAL; i++) {
      const res = await postComment(author, slug, { authorName: `读者${i % 5}`, body: `第 ${i} 条评论` });
      expect(res.status).toBe(201);
      ids.push(res.body.comment.id);
      // Replies are never top-level items, so they must not disturb the pages.
      if (i % 10 === 0) expect((await postComment(author, slug, { body: `回复第 ${i} 条`, parentId: res.body.comment.id })).status).toBe(201);
    }
    // Likes with many ties, so that the top order leans on its id tiebreak across page boundaries.
    const fans = await Promise.all([0, 1, 2].map((i) => s.store.authors.ensure(`fan-${i}`, s.clock.now, null)));
    likes = new Map(ids.map((id, i) => [id, (i * 7) % 4]));
    for (const [id, n] of likes) for (let k = 0; k < n; k++) await s.store.comments.toggleLike(id, fans[k], s.clock.now);
  });
  afterAll(async () => s.close());

  async function walk(sort: string, limit?: number): Promise<{ ids: number[]; pages: number }> {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: URLSearchParams = new URLSearchParams({ sort, ...(limit ? { limit: String(limit) } : {}), ...(cursor ? { cursor } : {}) });
      const res: { body: { comments: { id: number; pinned: boolean }[]; nextCursor: string | null } } = await r.get(`/api/articles/${slug}/comments?${q}`).expect(200);
      pages++;
      // Pinned comments ride on top of the first page, beyond its limit.
      expect(res.body.comments.filter((c: { pinned: boolean }) => !c.pinned).length).toBeLessThanOrEqual(limit ?? 20);
      seen.push(...res.body.comments.map((c: { id: number }) => c.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    return { ids: seen, pages };
  }

  it('pages newest first in pages of 20, with every comment exactly once', async () => {
    const { ids: seen, pages } = await walk('newest');
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it('pages oldest first with every comment exactly once', async () => {
    const { ids: seen } = await walk('oldest', 7);
    expect(seen).toEqual(ids);
  });

  it('pages most liked first, ties broken by newest, without duplicates or omissions', async () => {
    const expected = [...ids].sort((a, b) => likes.get(b)! - likes.get(a)! || b - a);
    const { ids: seen, pages } = await walk('top', 6);
    expect(pages).toBe(8);
    expect(seen).toEqual(expected);
    const first = (await r.get(`/api/articles/${slug}/comments?sort=top&limit=3`).expect(200)).body.comments;
    expect(first.map((c: { likes: number }) => c.likes)).toEqual([3, 3, 3]);
  });

  it('ends with a null cursor and reports the article count on every page', async () => {
    const p1 = (await r.get(`/api/articles/${slug}/comments?limit=${TOTAL}`).expect(200)).body;
    expect(p1.comments).toHaveLength(TOTAL);
    expect(p1.nextCursor).toBeNull();
    expect(p1.commentCount).toBe(TOTAL + 5);
  });

  it('keeps page two stable when a new comment arrives between page loads', async () => {
    const fresh = await startServer();
    try {
      const a = reader(fresh);
      const made: number[] = [];
      for (let i = 0; i < 25; i++) made.push((await postComment(a, fresh.article.slug, { body: `稳定性 ${i}` })).body.comment.id);
      const p1 = (await a.get(`/api/articles/${fresh.article.slug}/comments`).expect(200)).body;
      const late = (await postComment(reader(fresh), fresh.article.slug, { body: '插队的新评论' })).body.comment.id;
      const p2 = (await a.get(`/api/articles/${fresh.article.slug}/comments?cursor=${p1.nextCursor}`).expect(200)).body;
      const all = [...p1.comments, ...p2.comments].map((c: { id: number }) => c.id);
      expect(all).toEqual([...made].reverse());
      expect(all).not.toContain(late);
    } finally {
      await fresh.close();
    }
  });

  it('refuses a malformed cursor with 400 invalid_cursor', async () => {
    const forged = [
      'not-a-cursor',
      Buffer.from('{"id":3}').toString('base64url'),
      Buffer.from('["newest",-1]').toString('base64url'),
      Buffer.from('["newest","7"]').toString('base64url'),
      Buffer.from('["top",7]').toString('base64url'),
    ];
    for (const cursor of forged) {
      const sort = cursor === forged[4] ? 'top' : 'newest';
      const res = await r.get(`/api/articles/${slug}/comments?sort=${sort}&cursor=${encodeURIComponent(cursor)}`);
      expect({ cursor, status: res.status, code: res.body.error?.code }).toEqual({ cursor, status: 400, code: 'invalid_cursor' });
    }
  });

  it('refuses a cursor made for another sort order', async () => {
    const cursors: Record<string, string> = {};
    for (const sort of ['newest', 'oldest', 'top']) {
      cursors[sort] = (await r.get(`/api/articles/${slug}/comments?sort=${sort}`).expect(200)).body.nextCursor;
    }
    for (const [made, used] of [['newest', 'oldest'], ['oldest', 'top'], ['top', 'newest']]) {
      const res = await r.get(`/api/articles/${slug}/comments?sort=${used}&cursor=${cursors[made]}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_cursor');
    }
  });

  it('puts pinned comments first on the first page only, and not again among the pages', async () => {
    const pinnedId = ids[3];
    await s.store.comments.setPinned(pinnedId, true, s.clock.now);
    try {
      const p1 = (await r.get(`/api/articles/${slug}/comments`).expect(200)).body;
      expect(p1.comments[0]).toMatchObject({ id: pinnedId, pinned: true });
      expect(p1.comments).toHaveLength(21);
      const { ids: seen } = await walk('newest');
      expect(seen.filter((id) => id === pinnedId)).toHaveLength(1);
      expect(seen[0]).toBe(pinnedId);
      expect(new Set(seen).size).toBe(TOTAL);
      const top = (await r.get(`/api/articles/${slug}/comments?sort=top`).expect(200)).body.comments;
      expect(top[0].id).toBe(pinnedId);
    } finally {
      await s.store.comments.setPinned(pinnedId, false, s.clock.now);
    }
  });
});
