// The Store contract: what every store (SQLite, PostgreSQL) must do, observed through the Store interface
// alone. describeStoreContract(name, open) runs it on a fresh, migrated, empty store per test.
import { SlowModeConflict, ThreadClosedConflict, type Article, type CommentRow, type NewComment, type Store } from '../server/db/store';
import { describeNotifyContract } from './store.notify-contract';

export interface OpenedStore {
  store: Store;
  close(): Promise<void>;
}

const T0 = 1_700_000_000_000;

export function describeStoreContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`Store contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    let article: Article;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
      article = await store.articles.insert({ slug: 'a', title: '文章', body: '第一段\n第二段', createdAt: T0 });
    });
    afterEach(async () => {
      await opened.close();
    });

    let tokens = 0;
    const post = async (over: Partial<NewComment> & { token?: string } = {}) => {
      const { token, ...rest } = over;
      const r = await store.comments.insert({
        articleId: article.id,
        parent: null,
        authorId: null,
        newAuthorTokenHash: token ?? `tok-${++tokens}`,
        authorName: '读者',
        body: '正文',
        html: '<p>正文</p>',
        status: 'published',
        heldReason: null,
        ipHash: 'net-1',
        createdAt: T0 + 1000,
        ...rest,
      });
      return r;
    };
    const reply = async (parent: CommentRow, over: Partial<NewComment> = {}) => post({ parent, ...over });
    const events = async () => store.comments.eventsSince(article.id, 0, 1000);

    describe('articles', () => {
      it('inserts and finds an article by slug and id, lists newest first, answers its body separately', async () => {
        const b = await store.articles.insert({ slug: 'b', title: 'B', body: 'x', createdAt: T0 + 5 });
        expect(await store.articles.getBySlug('a')).toEqual({
          id: article.id, slug: 'a', title: '文章', createdAt: T0, commentCount: 0, seq: 0, moderationMode: null, commentsClosed: false,
          byline: null, publishedAt: null, authorAccount: null, slowModeSeconds: 0,
        });
        expect((await store.articles.getById(b.id))?.slug).toBe('b');
        expect((await store.articles.list()).map((x) => x.slug)).toEqual(['b', 'a']);
        expect((await store.articles.first())?.slug).toBe('a');
        expect(await store.articles.body(article.id)).toBe('第一段\n第二段');
        expect(await store.articles.getBySlug('none')).toBeUndefined();
      });

      it('keeps an article\'s byline, date and author account from its front matter', async () => {
        const c = await store.articles.insert({ slug: 'c', title: 'C', body: 'x', createdAt: T0, byline: '张三', publishedAt: T0 - 5, authorAccount: 'zhang' });
        expect(await store.articles.getById(c.id)).toMatchObject({ byline: '张三', publishedAt: T0 - 5, authorAccount: 'zhang' });
      });

      it('stores a staff comment\'s badge and reads it back; other comments have none', async () => {
        const staff = (await post({ staff: 'author' })).change.comment;
        const plain = (await post()).change.comment;
        expect((await store.comments.get(staff.id))!.staff).toBe('author');
        expect((await store.comments.get(plain.id))!.staff).toBeNull();
      });

      it('changes article settings under a new seq logged as an article event', async () => {
        const r = await store.articles.updateSettings(article.id, { moderationMode: 'pre', commentsClosed: true }, T0 + 1);
        expect(r).toMatchObject({ seq: 1, article: { moderationMode: 'pre', commentsClosed: true, seq: 1 } });
        expect(await events()).toEqual([{ articleId: article.id, seq: 1, type: 'article', commentId: null, createdAt: T0 + 1 }]);
        expect((await store.articles.updateSettings(article.id, { moderationMode: null }, T0 + 2)).article).toMatchObject({ moderationMode: null, commentsClosed: true, seq: 2 });
      });
    });

    describe('SSO avatars', () => {
      it('keeps the https avatar a verified author posted with, on the top-level and the reply path alike', async () => {
        const s = await store.embed.createSite({ name: '头像站', origins: ['https://a.example'], moderationMode: null, ssoSecret: 'k'.repeat(32), ssoRequired: false, loginUrl: null }, T0);
        const top = (await post({ verifiedSiteId: s.id, verifiedAvatar: 'https://a.example/u/1.png' })).change.comment;
        const plain = (await post({})).change.comment;
        const answer = (await reply(top, { verifiedSiteId: s.id, verifiedAvatar: 'https://a.example/u/2.png' })).change.comment;
        expect(top.verifiedAvatar).toBe('https://a.example/u/1.png');
        expect((await store.comments.get(top.id))?.verifiedAvatar).toBe('https://a.example/u/1.png');
        expect((await store.comments.get(plain.id))?.verifiedAvatar ?? null).toBeNull();
        expect((await store.comments.get(answer.id))?.verifiedAvatar).toBe('https://a.example/u/2.png');
      });
    });

    describe('embedding sites and page threads', () => {
      const site = { name: '新闻站', origins: ['https://news.example.com', 'http://127.0.0.1:8080'], moderationMode: 'pre' as const, ssoSecret: null, ssoRequired: false, loginUrl: null };
      it('creates, lists and updates sites with their origins, mode and SSO settings', async () => {
        const s = await store.embed.createSite(site, T0);
        expect(s).toEqual({ id: s.id, ...site, createdAt: T0 });
        const u = await store.embed.updateSite(s.id, { ...site, origins: ['https://b.example'], ssoSecret: 'k'.repeat(32), ssoRequired: true, loginUrl: 'https://b.example/login' });
        expect(u).toMatchObject({ origins: ['https://b.example'], ssoSecret: 'k'.repeat(32), ssoRequired: true, loginUrl: 'https://b.example/login' });
        expect(await store.embed.listSites()).toEqual([u]);
        expect(await store.embed.getSite(s.id + 99)).toBeUndefined();
        expect(await store.embed.updateSite(s.id + 99, site)).toBeUndefined();
      });

      it('creates a page thread once per site and page key, with the site mode, counts it, and drops it only while empty', async () => {
        const s = await store.embed.createSite(site, T0);
        expect(await store.embed.pageThread(s.id, 'p1')).toBeUndefined();
        const p = { siteId: s.id, pageKey: 'p1', pageUrl: 'https://news.example.com/p1', slug: 's-p1', title: '页面', moderationMode: s.moderationMode, createdAt: T0 };
        const a = await store.embed.createPageThread(p);
        expect(a.created).toBe(true);
        expect(a.article).toMatchObject({ slug: 's-p1', title: '页面', moderationMode: 'pre', commentCount: 0, seq: 0 });
        const again = await store.embed.createPageThread({ ...p, slug: 's-p1-other' });
        expect(again).toEqual({ article: a.article, created: false });
        expect(await store.embed.pageThread(s.id, 'p1')).toEqual(a.article);
        const b = (await store.embed.createPageThread({ ...p, pageKey: 'p2', slug: 's-p2' })).article;
        expect(await store.embed.dropEmptyThread(b.id)).toBe(true);
        expect(await store.embed.pageThread(s.id, 'p2')).toBeUndefined();
        article = a.article;
        await post({ status: 'published' });
        expect(await store.embed.dropEmptyThread(a.article.id)).toBe(false);
        expect(await store.embed.counts(s.id, ['p1', 'p2', 'p1'])).toEqual([{ pageKey: 'p1', slug: 's-p1', commentCount: 1 }]);
        expect(await store.embed.listPages(s.id, 10)).toEqual([expect.objectContaining({ pageKey: 'p1', pageUrl: 'https://news.example.com/p1', commentCount: 1, commentsClosed: false })]);
        expect(await store.embed.dropEmptyThread((await store.articles.getBySlug('a'))!.id)).toBe(false);
      });

      it('renames only its own page threads and answers its newest published comments with their page', async () => {
        const s = await store.embed.createSite(site, T0);
        const other = await store.embed.createSite({ ...site, name: '别的站' }, T0);
        const own = (await store.embed.createPageThread({ siteId: s.id, pageKey: 'p1', pageUrl: 'https://news.example.com/p1', slug: 's-p1', title: '旧题', moderationMode: null, createdAt: T0 })).article;
        expect(await store.embed.renameThread(other.id, 's-p1', '别人改')).toBe(false);
        expect(await store.embed.renameThread(s.id, 's-p1', '新题')).toBe(true);
        expect((await store.articles.getBySlug('s-p1'))?.title).toBe('新题');
        article = own;
        await post({ body: '长'.repeat(300) });
        await post({ body: '待审', status: 'pending', heldReason: 'pre_moderation' });
        await post({ body: '最新' });
        article = (await store.articles.getBySlug('a'))!;
        await post({ body: '自有文章的评论' });
        const recent = await store.embed.recent(s.id, 10);
        expect(recent.map((r) => r.excerpt)).toEqual(['最新', '长'.repeat(200)]);
        expect(recent[0]).toMatchObject({ slug: 's-p1', title: '新题', pageUrl: 'https://news.example.com/p1', authorName: '读者' });
        expect(await store.embed.recent(s.id, 1)).toHaveLength(1);
      });

      it('merges a page thread into another of its site in one go: comments, likes, subscriptions, counts, events and an alias', async () => {
        const s = await store.embed.createSite(site, T0);
        const other = await store.embed.createSite({ ...site, name: '别的站' }, T0);
        const thread = async (siteId: number, pageKey: string, slug: string) =>
          (await store.embed.createPageThread({ siteId, pageKey, pageUrl: null, slug, title: slug, moderationMode: null, createdAt: T0 })).article;
        const into = await thread(s.id, 'new', 's-new');
        const from = await thread(s.id, 'old', 's-old');
        const foreign = await thread(other.id, 'x', 'o-x');
        article = into;
        await post({ body: '新址评论', token: 'both' });
        article = from;
        const top = await post({ body: '旧址评论' });
        const rep = await post({ parent: top.change.comment, body: '旧址回复', token: 'both' });
        await post({ body: '旧址待审', status: 'pending', heldReason: 'pre_moderation' });
        await store.comments.toggleLike(top.change.comment.id, rep.authorId, T0 + 2000);
        const sub = { scope: 'thread' as const, email: 'r@x.test', lang: 'zh-CN' as const, baseUrl: 'https://x.test', createdAt: T0 };
        const moved = await store.notify.subscribe({ ...sub, authorId: top.authorId, articleId: from.id, confirmHash: 'm1' });
        await store.notify.subscribe({ ...sub, authorId: rep.authorId, articleId: into.id, confirmHash: 'm2' });
        const dup = await store.notify.subscribe({ ...sub, authorId: rep.authorId, articleId: from.id, confirmHash: 'm3' });
        await store.notify.confirm('m3', T0);

        const refused = async (fromSlug: string, intoSlug: string, siteId = s.id) =>
          store.embed.mergeThreads({ siteId, fromSlug, intoSlug, at: T0 + 5000 });
        expect(await refused('s-old', 's-old')).toEqual({ ok: false, refusal: 'same_thread' });
        expect(await refused('s-old', 'o-x')).toEqual({ ok: false, refusal: 'other_site' });
        expect(await refused('s-old', 'a')).toEqual({ ok: false, refusal: 'other_site' });
        expect(await refused('s-old', 'none')).toEqual({ ok: false, refusal: 'target_not_found' });
        expect(await refused('o-x', 's-new')).toEqual({ ok: false, refusal: 'not_found' });
        expect((await store.articles.getBySlug('s-old'))?.seq).toBe(from.seq + 4);

        const r = await refused('s-old', 's-new');
        if (!r.ok) throw new Error(r.refusal);
        const ids = [top.change.comment.id, rep.change.comment.id, top.change.comment.id + 2];
        expect(r.merge.changes.map((c) => [c.comment.id, c.type, c.comment.articleId])).toEqual(ids.map((id) => [id, 'created', into.id]));
        expect(r.merge.changes.map((c) => c.seq)).toEqual([2, 3, 4]);
        expect(r.merge).toMatchObject({ seq: 5, into: { id: into.id, seq: 5, commentCount: 3, commentsClosed: false }, from: { id: from.id, commentCount: 0, commentsClosed: true } });
        expect((await store.comments.eventsSince(into.id, 1, 100)).map((e) => [e.seq, e.type, e.commentId])).toEqual([
          [2, 'created', ids[0]], [3, 'created', ids[1]], [4, 'created', ids[2]], [5, 'article', null],
        ]);
        expect(await store.comments.eventsSince(from.id, 0, 100)).toEqual([]);
        expect((await store.comments.getMany(ids)).map((c) => [c.articleId, c.likes, c.replyCount])).toEqual([[into.id, 1, 1], [into.id, 0, 0], [into.id, 0, 0]]);
        expect(await store.comments.likedBy(rep.authorId, ids)).toEqual(new Set([ids[0]]));
        expect((await store.notify.getSubscription(moved.id))?.articleId).toBe(into.id);
        expect((await store.notify.getSubscription(dup.id))?.articleId).toBe(into.id);
        expect((await store.notify.subscribersOf(from.id, null))).toEqual([]);
        expect((await store.embed.pageThread(s.id, 'old'))?.slug).toBe('s-new');
        expect(await store.embed.counts(s.id, ['old', 'new'])).toEqual([
          { pageKey: 'new', slug: 's-new', commentCount: 3 }, { pageKey: 'old', slug: 's-new', commentCount: 3 },
        ]);
        expect((await store.embed.listPages(s.id, 10)).map((p) => p.slug)).toEqual(['s-new']);
        expect(await store.embed.mergedInto('s-old')).toBe('s-new');
        expect(await store.embed.mergedInto('s-new')).toBeUndefined();
        expect(await refused('s-old', 's-new')).toEqual({ ok: false, refusal: 'merged' });
        expect(await refused('s-new', 's-old')).toEqual({ ok: false, refusal: 'merged' });
        void foreign;
      });

      it('refuses posts into a thread merged or closed after the post read it, in the write itself, storing nothing', async () => {
        const s = await store.embed.createSite(site, T0);
        const thread = async (pageKey: string, slug: string) =>
          (await store.embed.createPageThread({ siteId: s.id, pageKey, pageUrl: null, slug, title: slug, moderationMode: null, createdAt: T0 })).article;
        const into = await thread('new', 't-new');
        const from = await thread('old', 't-old');
        article = from;
        const top = await post({ body: '合并前' });
        // A merge racing a post: the post lands before it (and moves with it) or is refused, never left behind.
        const [raced, merged] = await Promise.allSettled([post({ body: '同时' }), store.embed.mergeThreads({ siteId: s.id, fromSlug: 't-old', intoSlug: 't-new', at: T0 + 5000 })]);
        expect(merged.status).toBe('fulfilled');
        if (raced.status === 'rejected') expect(raced.reason).toBeInstanceOf(ThreadClosedConflict);
        const seqAfterMerge = (await store.articles.getById(from.id))!.seq;
        // Posts with the stale thread (one alone, and several at once: PostgreSQL writes them as one batch).
        const late = await Promise.allSettled([post({ body: '晚了' }), post({ body: '晚了 2' }), post({ body: '晚了 3' }), reply(top.change.comment, { body: '晚了的回复' })]);
        for (const r of late) {
          expect(r.status).toBe('rejected');
          const err = (r as PromiseRejectedResult).reason;
          expect(err).toBeInstanceOf(ThreadClosedConflict);
          expect(err).toMatchObject({ reason: 'merged', into: 't-new' });
        }
        expect((await store.articles.getById(from.id))).toMatchObject({ seq: seqAfterMerge, commentCount: 0 });
        expect(await store.comments.eventsSince(from.id, 0, 100)).toEqual([]);
        const target = (await store.articles.getById(into.id))!;
        expect(target.commentCount).toBe(raced.status === 'fulfilled' ? 2 : 1);

        // Closed by a moderator after the read: refused the same way, as closed.
        await store.articles.updateSettings(into.id, { commentsClosed: true }, T0 + 6000);
        article = into;
        await expect(post({ body: '已关闭' })).rejects.toMatchObject({ reason: 'closed' });
        expect((await store.articles.getById(into.id))!.commentCount).toBe(target.commentCount);
      });
    });

    describe('comments, counts and the event log', () => {
      it('stores a comment with a new author, bumps seq, logs created and counts it on article and author', async () => {
        const r = await post({ token: 'me' });
        const author = await store.authors.getByTokenHash('me');
        expect(author).toMatchObject({ id: r.authorId, publishedCount: 1, lastIpHash: 'net-1' });
        expect(r).toMatchObject({ change: { seq: 1, type: 'created', comment: { articleId: article.id, status: 'published', depth: 0, authorId: r.authorId } }, ancestors: [], commentCount: 1 });
        expect(await store.comments.get(r.change.comment.id)).toEqual(r.change.comment);
        expect(await events()).toEqual([{ articleId: article.id, seq: 1, type: 'created', commentId: r.change.comment.id, createdAt: T0 + 1000 }]);
        expect((await store.articles.getById(article.id))).toMatchObject({ commentCount: 1, seq: 1 });
      });

      it('gives concurrent writes distinct consecutive seqs, each with its event row, and exact counts', async () => {
        const first = await post();
        const writes = await Promise.all([
          ...Array.from({ length: 12 }, (_, i) => post({ body: `并发 ${i}` })),
          ...Array.from({ length: 6 }, () => reply(first.change.comment)),
        ]);
        const likes = await Promise.all(writes.map((w) => store.comments.toggleLike(first.change.comment.id, w.authorId, T0 + 2000)));
        const seqs = [...writes.map((w) => w.change.seq), ...likes.map((l) => (l.capped ? -1 : l.seq))].sort((a, b) => a - b);
        expect(seqs).toEqual(Array.from({ length: 36 }, (_, i) => i + 2));
        expect((await events()).map((e) => e.seq)).toEqual(Array.from({ length: 37 }, (_, i) => i + 1));
        const a = (await store.articles.getById(article.id))!;
        expect(a).toMatchObject({ seq: 37, commentCount: 19 });
        expect(await store.comments.get(first.change.comment.id)).toMatchObject({ replyCount: 6, likes: 18 });
      });

      it('stores posts arriving at once each under its own seq and count: held ones uncounted, one fresh token one author, a bad one failing alone', async () => {
        const known = await post({ token: 'known' });
        const results = await Promise.allSettled([
          post({ token: 'fresh', body: '甲' }),
          post({ token: 'fresh', body: '乙' }),
          post({ status: 'pending', heldReason: 'first_link', body: '待审' }),
          post({ authorId: known.authorId, newAuthorTokenHash: undefined, ipHash: 'net-2', body: '又来' }),
          post({ authorId: 999_999, newAuthorTokenHash: undefined, body: '查无此人' }),
          ...Array.from({ length: 5 }, (_, i) => post({ body: `同时 ${i}` })),
        ]);
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', ...Array(5).fill('fulfilled')]);
        const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])).sort((a, b) => a.change.seq - b.change.seq);
        expect(ok.map((r) => r.change.seq)).toEqual(Array.from({ length: 9 }, (_, i) => i + 2));
        let count = 1;
        for (const r of ok) {
          if (r.change.comment.status === 'published') count++;
          expect(r.commentCount).toBe(count);
          expect(await store.comments.get(r.change.comment.id)).toEqual(r.change.comment);
        }
        const [a, b] = [ok.find((r) => r.change.comment.body === '甲')!, ok.find((r) => r.change.comment.body === '乙')!];
        expect(a.authorId).toBe(b.authorId);
        expect(await store.authors.getByTokenHash('fresh')).toMatchObject({ id: a.authorId, publishedCount: 2 });
        expect(await store.authors.getByTokenHash('known')).toMatchObject({ publishedCount: 2, lastIpHash: 'net-2' });
        expect((await events()).map((e) => [e.seq, e.commentId])).toEqual([known, ...ok].map((r) => [r.change.seq, r.change.comment.id]));
        expect(await store.articles.getById(article.id)).toMatchObject({ seq: 10, commentCount: 9 });
        // A burst of top-level posts only (written together on PostgreSQL): consecutive seqs and counts.
        const more = (await Promise.all(Array.from({ length: 6 }, (_, i) => post({ body: `再来 ${i}` })))).sort((x, y) => x.change.seq - y.change.seq);
        expect(more.map((r) => [r.change.seq, r.commentCount])).toEqual(Array.from({ length: 6 }, (_, i) => [11 + i, 10 + i]));
        expect((await events()).slice(10).map((e) => e.commentId)).toEqual(more.map((r) => r.change.comment.id));
        expect(await store.articles.getById(article.id)).toMatchObject({ seq: 16, commentCount: 15 });
      });

      it('keeps reply counts up the thread, and logs a placeholder appearing and vanishing with its last reply', async () => {
        const root = (await post()).change.comment;
        const mid = (await reply(root)).change.comment;
        const leaf = await reply(mid);
        expect(leaf.change.comment).toMatchObject({ parentId: mid.id, rootId: root.id, depth: 2, replyToName: '读者' });
        expect([(await store.comments.get(root.id))!.replyCount, (await store.comments.get(mid.id))!.replyCount]).toEqual([2, 1]);
        const del = await store.comments.setStatus(mid.id, { status: 'deleted', at: T0 + 5 });
        expect(del.change).toMatchObject({ type: 'updated', comment: { status: 'deleted', deletedAt: T0 + 5, replyCount: 1 } });
        expect(del.commentCount).toBe(2);
        const gone = await store.comments.setStatus(leaf.change.comment.id, { status: 'deleted', at: T0 + 6 });
        expect(gone.change.type).toBe('removed');
        expect(gone.ancestors).toEqual([{ seq: gone.change.seq + 1, type: 'removed', comment: expect.objectContaining({ id: mid.id, replyCount: 0 }) }]);
        expect(gone.commentCount).toBe(1);
        expect(await store.comments.get(root.id)).toMatchObject({ replyCount: 0 });
        const back = await store.comments.setStatus(leaf.change.comment.id, { status: 'published', at: T0 + 7 });
        expect(back.ancestors).toEqual([expect.objectContaining({ type: 'created', comment: expect.objectContaining({ id: mid.id, replyCount: 1 }) })]);
        expect(back.change.seq).toBe(back.ancestors[0].seq + 1);
        expect(back.commentCount).toBe(2);
      });

      it('holds a comment without counting it; approval counts it and resolves its reports', async () => {
        const held = await post({ status: 'pending', heldReason: 'link' });
        expect(held.change).toMatchObject({ type: 'created', comment: { status: 'pending', heldReason: 'link' } });
        expect(held.commentCount).toBe(0);
        expect(await store.authors.get(held.authorId)).toMatchObject({ publishedCount: 0 });
        const ok = await store.comments.setStatus(held.change.comment.id, { status: 'published', at: T0 + 9, moderatorId: null, resolveReports: true });
        expect(ok).toMatchObject({ commentCount: 1, change: { type: 'created', comment: { status: 'published', heldReason: null } } });
      });

      it('keeps every earlier text of an edited comment and answers the latest first, per comment', async () => {
        const c = (await post({ body: 'v1' })).change.comment;
        await store.comments.updateBody(c.id, { body: 'v2', html: '<p>v2</p>', editedAt: T0 + 10, status: 'published', heldReason: null });
        const r = await store.comments.updateBody(c.id, { body: 'v3', html: '<p>v3</p>', editedAt: T0 + 20, status: 'pending', heldReason: 'edit' });
        expect(r).toMatchObject({ change: { type: 'removed', comment: { body: 'v3', editedAt: T0 + 20, status: 'pending', heldReason: 'edit' } }, commentCount: 0 });
        expect(await store.comments.revisionsOf([c.id], 5)).toEqual([
          { commentId: c.id, body: 'v2', status: 'published', replacedAt: T0 + 20 },
          { commentId: c.id, body: 'v1', status: 'published', replacedAt: T0 + 10 },
        ]);
        expect(await store.comments.revisionsOf([c.id], 1)).toHaveLength(1);
        expect(await store.comments.revisionsOf([], 1)).toEqual([]);
      });

      it('pins and unpins under a new seq; a comment leaving the public view leaves the pinned slot', async () => {
        const c = (await post()).change.comment;
        const pin = await store.comments.setPinned(c.id, true, T0 + 3);
        expect(pin.change).toMatchObject({ type: 'updated', seq: 2, comment: { pinnedAt: T0 + 3 } });
        expect((await store.comments.listPinned(article.id, null)).map((x) => x.id)).toEqual([c.id]);
        await store.comments.setStatus(c.id, { status: 'rejected', at: T0 + 4, moderatorId: null });
        expect(await store.comments.get(c.id)).toMatchObject({ pinnedAt: null, status: 'rejected' });
        expect(await store.comments.listPinned(article.id, null)).toEqual([]);
      });

      it('answers events after a seq, bounded, and prunes events older than a time', async () => {
        for (let i = 0; i < 5; i++) await post({ createdAt: T0 + i });
        expect((await store.comments.eventsSince(article.id, 2, 2)).map((e) => e.seq)).toEqual([3, 4]);
        expect(await store.comments.pruneEvents(T0 + 3)).toBe(3);
        expect((await events()).map((e) => e.seq)).toEqual([4, 5]);
      });
    });

    describe('pages and reads', () => {
      it('pages top-level comments newest, oldest and most liked by keyset without duplicates or omissions', async () => {
        const ids: number[] = [];
        for (let i = 0; i < 7; i++) ids.push((await post({ token: `p${i}` })).change.comment.id);
        const fans = await Promise.all([1, 2, 3].map((i) => store.authors.ensure(`fan${i}`, T0, null)));
        for (const [n, id] of [[3, ids[2]], [1, ids[5]], [1, ids[1]]] as const) for (let k = 0; k < n; k++) await store.comments.toggleLike(id, fans[k], T0 + 1);
        const walk = async (sort: 'newest' | 'oldest' | 'top') => {
          const out: CommentRow[] = [];
          let after: { id: number; likes?: number } | undefined;
          for (;;) {
            const page = await store.comments.listTopLevel({ articleId: article.id, sort, after, limit: 3, viewerAuthorId: null });
            out.push(...page);
            if (page.length < 3) return out.map((c) => c.id);
            const last = page[page.length - 1];
            after = { id: last.id, likes: last.likes };
          }
        };
        expect(await walk('newest')).toEqual([...ids].reverse());
        expect(await walk('oldest')).toEqual(ids);
        expect(await walk('top')).toEqual([ids[2], ids[5], ids[1], ids[6], ids[4], ids[3], ids[0]]);
      });

      it('counts the top-level comments after a page, in each order, as their author or anyone sees them', async () => {
        const ids: number[] = [];
        for (let i = 0; i < 5; i++) ids.push((await post({ token: `c${i}` })).change.comment.id);
        const held = await post({ status: 'pending', heldReason: 'link', token: 'c-held' });
        const fan = await store.authors.ensure('c-fan', T0, null);
        await store.comments.toggleLike(ids[3], fan, T0 + 1);
        const count = (sort: 'newest' | 'oldest' | 'top', after?: { id: number; likes?: number }, viewer: number | null = null) =>
          store.comments.countTopLevel({ articleId: article.id, sort, after, viewerAuthorId: viewer });
        expect(await count('newest')).toBe(5);
        expect(await count('newest', undefined, held.authorId)).toBe(6);
        expect(await count('newest', { id: ids[3] })).toBe(3);
        expect(await count('oldest', { id: ids[3] })).toBe(1);
        expect(await count('top', { id: ids[3], likes: 1 })).toBe(4);
        expect(await count('top', { id: ids[2], likes: 0 })).toBe(2);
      });

      it('shows a held comment to its author only, and placeholders with replies to everyone', async () => {
        const held = await post({ status: 'pending', heldReason: 'link', token: 'holder' });
        const gone = (await post()).change.comment;
        await reply(gone);
        await store.comments.setStatus(gone.id, { status: 'deleted', at: T0 + 2 });
        const lonely = (await post()).change.comment;
        await store.comments.setStatus(lonely.id, { status: 'deleted', at: T0 + 3 });
        const page = (viewer: number | null) => store.comments.listTopLevel({ articleId: article.id, sort: 'oldest', limit: 10, viewerAuthorId: viewer }).then((r) => r.map((c) => c.id));
        expect(await page(null)).toEqual([gone.id]);
        expect(await page(held.authorId)).toEqual([held.change.comment.id, gone.id]);
      });

      it('answers the first replies of each root, then the rest of a thread after an id', async () => {
        const r1 = (await post()).change.comment;
        const r2 = (await post()).change.comment;
        const under1: number[] = [];
        for (let i = 0; i < 4; i++) under1.push((await reply(r1)).change.comment.id);
        const under2 = (await reply(r2)).change.comment.id;
        const first = await store.comments.listFirstReplies([r1.id, r2.id], 2, null);
        expect(first.map((c) => c.id)).toEqual([under1[0], under1[1], under2]);
        expect((await store.comments.listReplies(r1.id, under1[1], 10, null)).map((c) => c.id)).toEqual(under1.slice(2));
        expect(await store.comments.listFirstReplies([], 2, null)).toEqual([]);
      });

      it('answers many comments by id in the order asked, an author\'s recent comments and a network\'s post times', async () => {
        const a = await post({ token: 'x', createdAt: T0 + 1 });
        const b = await post({ token: 'x', createdAt: T0 + 2, ipHash: 'net-2' });
        expect((await store.comments.getMany([b.change.comment.id, a.change.comment.id])).map((c) => c.id)).toEqual([b.change.comment.id, a.change.comment.id]);
        expect(await store.comments.getMany([])).toEqual([]);
        expect((await store.comments.recentByAuthor(a.authorId, T0 + 2, 10)).map((c) => c.id)).toEqual([b.change.comment.id]);
        expect(await store.moderation.recentTimesByIp('net-1', T0)).toEqual([T0 + 1]);
        expect((await store.moderation.recentOfAuthors([a.authorId], 1)).map((c) => c.id)).toEqual([b.change.comment.id]);
        expect((await store.moderation.liveCommentsOfAuthor(a.authorId)).map((c) => c.id)).toEqual([a.change.comment.id, b.change.comment.id]);
      });

      it('answers a network\'s post times for a rate rule: none under the limit, else at least the newest `limit`, oldest first', async () => {
        for (let i = 1; i <= 4; i++) await post({ token: `n${i}`, createdAt: T0 + i * 10, ipHash: 'net-r' });
        await post({ token: 'other', createdAt: T0 + 25, ipHash: 'net-s' });
        expect(await store.moderation.recentTimesByIp('net-r', T0, 5)).toEqual([]);
        expect(await store.moderation.recentTimesByIp('net-r', T0 + 20, 4)).toEqual([]);
        expect(await store.moderation.recentTimesByIp('net-r', T0, 4)).toEqual([T0 + 10, T0 + 20, T0 + 30, T0 + 40]);
        const two = await store.moderation.recentTimesByIp('net-r', T0, 2);
        expect(two.slice(-2)).toEqual([T0 + 30, T0 + 40]);
        expect([...two].sort((x, y) => x - y)).toEqual(two);
      });

      it('answers a post\'s checks (its ban and its network\'s times) as activeBan and recentTimesByIp would', async () => {
        for (let i = 1; i <= 4; i++) await post({ token: `c${i}`, createdAt: T0 + i * 10, ipHash: 'net-c' });
        const author = await store.authors.ensure('checked', T0, null);
        const same = async (authorId: number | null, ipHash: string, now: number, since: number, limit: number) => {
          const both = await store.moderation.postChecks(authorId, ipHash, now, since, limit);
          expect(both).toEqual({ ban: await store.moderation.activeBan(authorId, ipHash, now), ipTimes: await store.moderation.recentTimesByIp(ipHash, since, limit) });
          return both;
        };
        expect(await same(author, 'net-c', T0 + 50, T0, 5)).toEqual({ ban: undefined, ipTimes: [] });
        expect((await same(null, 'net-c', T0 + 50, T0, 4)).ipTimes).toEqual([T0 + 10, T0 + 20, T0 + 30, T0 + 40]);
        expect((await same(null, 'net-none', T0 + 50, T0, 1)).ipTimes).toEqual([]);
        const byAuthor = await store.moderation.createBan({ authorId: author, ipHash: null, reason: '刷屏', createdAt: T0, expiresAt: T0 + 100, createdBy: null });
        expect((await same(author, 'net-c', T0 + 50, T0, 4)).ban).toEqual(byAuthor);
        expect((await same(author, 'net-c', T0 + 150, T0, 4)).ban).toBeUndefined();
        const byNet = await store.moderation.createBan({ authorId: null, ipHash: 'net-c', reason: '刷屏', createdAt: T0, expiresAt: null, createdBy: null });
        expect((await same(null, 'net-c', T0 + 1e9, T0, 4)).ban).toEqual(byNet);
        expect((await same(author, 'net-c', T0 + 50, T0 + 25, 2)).ban).toEqual(byNet);
      });

      it('keeps a network\'s post times true as posts come in after its first read, and as the window moves on', async () => {
        // Every post asks before it writes: the store's answer must follow the writes (SQLite keeps them in memory).
        const times = (now: number, limit = 3) => store.moderation.recentTimesByIp('net-w', now - 100, limit);
        expect(await times(T0 + 100)).toEqual([]);
        await post({ token: 'w1', createdAt: T0 + 10, ipHash: 'net-w' });
        await post({ token: 'w2', createdAt: T0 + 20, ipHash: 'net-w' });
        expect(await times(T0 + 100)).toEqual([]);
        await post({ token: 'w3', createdAt: T0 + 30, ipHash: 'net-w' });
        await post({ token: 'x1', createdAt: T0 + 31, ipHash: 'net-x' });
        expect(await times(T0 + 100)).toEqual([T0 + 10, T0 + 20, T0 + 30]);
        // The window slides past the first post: two left, under the limit.
        expect(await times(T0 + 115)).toEqual([]);
        await post({ token: 'w4', createdAt: T0 + 116, ipHash: 'net-w' });
        expect(await times(T0 + 116)).toEqual([T0 + 20, T0 + 30, T0 + 116]);
        expect(await times(T0 + 116, 2)).toEqual([T0 + 30, T0 + 116]);
        // A wider window than any asked before reads every post in it.
        expect(await store.moderation.recentTimesByIp('net-w', T0, 4)).toEqual([T0 + 10, T0 + 20, T0 + 30, T0 + 116]);
        // A post refused in its write (closed thread) is no post of the network.
        await store.articles.updateSettings(article.id, { commentsClosed: true }, T0 + 117);
        await expect(post({ token: 'w5', createdAt: T0 + 118, ipHash: 'net-w' })).rejects.toBeInstanceOf(ThreadClosedConflict);
        expect(await store.moderation.recentTimesByIp('net-w', T0, 5)).toEqual([]);
        expect(await store.moderation.recentTimesByIp('net-x', T0, 1)).toEqual([T0 + 31]);
      });

      it('finds a ban written just after a check that found none, whichever way it was written', async () => {
        const author = await store.authors.ensure('memo', T0, null);
        expect(await store.moderation.activeBan(author, 'net-m', T0 + 10)).toBeUndefined();
        expect((await store.moderation.postChecks(author, 'net-m', T0 + 10, T0, 5)).ban).toBeUndefined();
        const byNet = await store.moderation.createBan({ authorId: null, ipHash: 'net-m', reason: '刷屏', createdAt: T0 + 10, expiresAt: T0 + 20, createdBy: null });
        expect(await store.moderation.activeBan(author, 'net-m', T0 + 11)).toEqual(byNet);
        expect((await store.moderation.postChecks(null, 'net-m', T0 + 11, T0, 5)).ban).toEqual(byNet);
        // It runs out by itself; then none again, and a ban that comes with removals is found at once too.
        expect(await store.moderation.activeBan(author, 'net-m', T0 + 21)).toBeUndefined();
        expect(await store.moderation.activeBan(author, 'net-m', T0 + 22)).toBeUndefined();
        const { bans } = await store.moderation.banAuthor({
          bans: [{ authorId: author, ipHash: null, reason: 'troll', createdAt: T0 + 22, expiresAt: null, createdBy: null }],
          removeCommentsOf: null,
          audit: { moderatorId: null, action: 'author.ban', targetType: 'author', targetId: author, at: T0 + 22 },
        });
        expect(await store.moderation.activeBan(author, null, T0 + 23)).toEqual(bans[0]);
      });
    });

    describe('likes', () => {
      it('toggles one like per author with the kept count, and says which comments an author liked', async () => {
        const c = (await post()).change.comment;
        const fan = await store.authors.ensure('fan', T0, null);
        expect(await store.comments.toggleLike(c.id, fan, T0 + 1)).toEqual({ liked: true, likes: 1, seq: 2 });
        expect([...(await store.comments.likedBy(fan, [c.id, 999]))]).toEqual([c.id]);
        expect(await store.comments.toggleLike(c.id, fan, T0 + 2)).toEqual({ liked: false, likes: 0, seq: 3 });
        expect((await store.comments.likedBy(fan, [c.id])).size).toBe(0);
        expect((await events()).map((e) => e.type)).toEqual(['created', 'reaction', 'reaction']);
      });

      it('caps new likes per network within the window, also when they arrive at once, and still lets one be taken back', async () => {
        const c = (await post()).change.comment;
        const cap = { ipHash: 'net-x', limit: 3, windowMs: 60_000 };
        const fans = await Promise.all(Array.from({ length: 6 }, (_, i) => store.authors.ensure(`f${i}`, T0, null)));
        const res = await Promise.all(fans.map((f, i) => store.comments.toggleLike(c.id, f, T0 + 10 + i, cap)));
        expect(res.filter((r) => r.capped)).toHaveLength(3);
        expect(res.filter((r) => r.capped).every((r) => r.capped!.retryAt >= T0 + 10 + 60_000)).toBe(true);
        expect((await store.comments.get(c.id))!.likes).toBe(3);
        const liker = fans[res.findIndex((r) => !r.capped)];
        expect(await store.comments.toggleLike(c.id, liker, T0 + 20, cap)).toMatchObject({ liked: false, likes: 2 });
        // Once the window has passed, a fan that was capped may like.
        const refused = fans[res.findIndex((r) => r.capped)];
        expect(await store.comments.toggleLike(c.id, refused, T0 + 70_011, cap)).toMatchObject({ liked: true });
      });
    });

    describe('authors', () => {
      it('ensures one author per token, keeping the last known network, and prunes idle cookie-only authors', async () => {
        const id = await store.authors.ensure('t', T0, 'n1');
        expect(await store.authors.ensure('t', T0 + 1, null)).toBe(id);
        expect(await store.authors.get(id)).toMatchObject({ tokenHash: 't', createdAt: T0, publishedCount: 0, lastIpHash: 'n1' });
        const liker = await store.authors.ensure('liker', T0, null);
        await store.comments.toggleLike((await post()).change.comment.id, liker, T0 + 1);
        expect(await store.authors.pruneIdle(T0 + 10, 100)).toBe(1);
        expect(await store.authors.get(id)).toBeUndefined();
        expect(await store.authors.get(liker)).toBeDefined();
      });
    });

    describe('moderation', () => {
      it('stores settings and words (one per word and kind)', async () => {
        await store.moderation.setSettings({ linkLimit: '5', holdFirstLink: 'false' });
        await store.moderation.setSettings({ linkLimit: '6' });
        expect(await store.moderation.getSettings()).toEqual({ linkLimit: '6', holdFirstLink: 'false' });
        const w = await store.moderation.addWord('坏词', 'banned', T0);
        expect(await store.moderation.addWord('坏词', 'banned', T0 + 1)).toMatchObject({ id: w.id });
        await store.moderation.addWord('坏词', 'suspect', T0);
        expect((await store.moderation.listWords()).map((x) => x.kind)).toEqual(['banned', 'suspect']);
        expect(await store.moderation.removeWord(w.id)).toEqual(w);
        expect(await store.moderation.removeWord(w.id)).toBeUndefined();
      });

      it('creates, finds, lists and lifts bans by author or network, honouring expiry', async () => {
        const author = await store.authors.ensure('bad', T0, null);
        const byAuthor = await store.moderation.createBan({ authorId: author, ipHash: null, reason: 'spam', createdAt: T0, expiresAt: T0 + 100, createdBy: null });
        const byNet = await store.moderation.createBan({ authorId: null, ipHash: 'net-9', reason: 'spam', createdAt: T0, expiresAt: null, createdBy: null });
        expect(await store.moderation.activeBan(author, null, T0 + 50)).toEqual(byAuthor);
        expect(await store.moderation.activeBan(author, null, T0 + 100)).toBeUndefined();
        expect(await store.moderation.activeBan(null, 'net-9', T0 + 1e9)).toEqual(byNet);
        expect(await store.moderation.activeBan(author, 'net-9', T0 + 50)).toEqual(byNet);
        expect((await store.moderation.activeBansFor([author], T0 + 50)).map((b) => b.id)).toEqual([byAuthor.id]);
        expect((await store.moderation.listBans(T0 + 200, false)).map((b) => b.id)).toEqual([byNet.id]);
        expect((await store.moderation.listBans(T0 + 200, true)).map((b) => b.id)).toEqual([byNet.id, byAuthor.id]);
        const mod = await store.moderators.create({ username: 'm', passwordHash: 'h', role: 'admin', createdAt: T0 });
        expect(await store.moderation.liftBan(byNet.id, mod.id, T0 + 5)).toMatchObject({ id: byNet.id, liftedAt: T0 + 5 });
        expect(await store.moderation.liftBan(byNet.id, mod.id, T0 + 6)).toBeUndefined();
        expect(await store.moderation.getBan(byNet.id)).toMatchObject({ liftedAt: T0 + 5 });
      });

      it('answers the names an author and a network posted under, most recently used first, bounded per key', async () => {
        const first = await post({ token: 'names', authorName: '小明', ipHash: 'net-n', createdAt: T0 + 1 });
        const author = first.authorId;
        await post({ token: 'names', authorName: '明明', ipHash: 'net-n', createdAt: T0 + 2 });
        await post({ token: 'names', authorName: '小明', ipHash: 'net-n', createdAt: T0 + 3 });
        await post({ token: 'names', authorName: '阿明', ipHash: 'net-m', createdAt: T0 + 4 });
        await post({ token: 'other', authorName: '路人', ipHash: 'net-n', createdAt: T0 + 5 });
        const names = await store.moderation.namesUsed({ authorIds: [author, 999_999], ipHashes: ['net-n'] }, 2);
        expect(names.byAuthor[author]).toEqual(['阿明', '小明']);
        expect(names.byAuthor[999_999]).toEqual([]);
        expect(names.byNetwork['net-n']).toEqual(['路人', '小明']);
        expect(await store.moderation.namesUsed({ authorIds: [], ipHashes: [] }, 5)).toEqual({ byAuthor: {}, byNetwork: {} });
      });

      it('counts a report once per author; one network weighs as its heaviest reporter; crossing the threshold hides the comment', async () => {
        const c = (await post()).change.comment;
        const r = (tok: string, ip: string | null, weight: number) =>
          store.authors.ensure(tok, T0, ip).then((authorId) => store.moderation.addReport({ commentId: c.id, authorId, reason: 'spam', note: `${tok} note`, at: T0 + 5, threshold: 2, ipHash: ip, weight }));
        expect(await r('r1', 'net-a', 0.5)).toEqual({ created: true, reportCount: 1, hidden: null });
        expect(await r('r1', 'net-a', 0.5)).toEqual({ created: false, reportCount: 1, hidden: null });
        expect((await r('r2', 'net-a', 1)).hidden).toBeNull();
        const hid = await r('r3', 'net-b', 1);
        expect(hid.hidden?.change).toMatchObject({ type: 'removed', comment: { status: 'pending', heldReason: 'reports', reportsOpen: 3 } });
        expect(hid.hidden?.commentCount).toBe(0);
        expect(await store.moderation.reportSummaries([c.id])).toEqual([{ commentId: c.id, reason: 'spam', count: 3, notes: expect.arrayContaining(['r1 note', 'r2 note', 'r3 note']) }]);
        expect(await store.moderation.queueCounts()).toEqual({ pending: 0, reported: 1 });
        expect((await store.moderation.listQueue({ queue: 'reported', limit: 10 })).map((x) => x.id)).toEqual([c.id]);
        await store.comments.setStatus(c.id, { status: 'published', at: T0 + 6, moderatorId: null, resolveReports: true });
        expect(await store.moderation.reportSummaries([c.id])).toEqual([]);
        expect(await store.moderation.queueCounts(article.id)).toEqual({ pending: 0, reported: 0 });
      });

      it('walks the queues by keyset, oldest first for review and newest first for the lists', async () => {
        const held = [] as number[];
        for (let i = 0; i < 3; i++) held.push((await post({ status: 'pending', heldReason: 'link' })).change.comment.id);
        const pub = (await post()).change.comment.id;
        expect((await store.moderation.listQueue({ queue: 'pending', afterId: held[0], limit: 10 })).map((c) => c.id)).toEqual(held.slice(1));
        expect((await store.moderation.listQueue({ queue: 'published', articleId: article.id, limit: 10 })).map((c) => c.id)).toEqual([pub]);
        expect(await store.moderation.queueCounts(article.id)).toEqual({ pending: 3, reported: 0 });
      });

      it('writes audit lines and pages them newest first with the moderator name', async () => {
        const mod = await store.moderators.create({ username: 'boss', passwordHash: 'h', role: 'admin', createdAt: T0 });
        for (let i = 0; i < 3; i++) await store.moderation.audit({ moderatorId: mod.id, action: `a${i}`, targetType: 'site', targetId: null, details: { i }, at: T0 + i });
        const all = await store.moderation.listAudit({ limit: 10 });
        expect(all.map((a) => a.action)).toEqual(['a2', 'a1', 'a0']);
        expect(all[0]).toMatchObject({ moderatorId: mod.id, moderatorName: 'boss', targetType: 'site', targetId: null, reason: null, details: { i: 2 }, createdAt: T0 + 2 });
        expect((await store.moderation.listAudit({ beforeId: all[0].id, limit: 1 })).map((a) => a.action)).toEqual(['a1']);
      });

      it('bans an author, removes their live comments and audits it in one transaction', async () => {
        const mod = await store.moderators.create({ username: 'm', passwordHash: 'h', role: 'admin', createdAt: T0 });
        const troll = await post({ token: 'troll' });
        await post({ token: 'troll', status: 'pending', heldReason: 'link' });
        const other = await store.articles.insert({ slug: 'other', title: 'O', body: '', createdAt: T0 });
        await post({ token: 'troll', articleId: other.id });
        const done = await store.moderation.banAuthor({
          bans: [{ authorId: troll.authorId, ipHash: null, reason: 'troll', createdAt: T0 + 1, expiresAt: null, createdBy: mod.id }],
          removeCommentsOf: { authorId: troll.authorId, moderatorId: mod.id, note: 'troll' },
          audit: { moderatorId: mod.id, action: 'author.ban', targetType: 'comment', targetId: troll.change.comment.id, reason: 'troll', details: { scope: 'author' }, at: T0 + 1 },
        });
        expect(done.bans).toHaveLength(1);
        expect(done.removed.map((r) => r.change.comment.status)).toEqual(['rejected', 'rejected', 'rejected']);
        expect(await store.moderation.liveCommentsOfAuthor(troll.authorId)).toEqual([]);
        expect((await store.articles.getById(other.id))!.commentCount).toBe(0);
        expect((await store.moderation.listAudit({ limit: 1 }))[0].details).toEqual({ scope: 'author', banIds: [done.bans[0].id], removed: 3 });
      });

      it('leaves nothing behind when any part of a ban fails', async () => {
        const troll = await post({ token: 'troll' });
        await expect(
          store.moderation.banAuthor({
            // The second ban names neither an author nor a network: the CHECK fails after the first ban and the removals.
            bans: [
              { authorId: troll.authorId, ipHash: null, reason: 'x', createdAt: T0, expiresAt: null, createdBy: null },
              { authorId: null, ipHash: null, reason: 'x', createdAt: T0, expiresAt: null, createdBy: null },
            ],
            removeCommentsOf: { authorId: troll.authorId, moderatorId: 0, note: null },
            audit: { moderatorId: null, action: 'author.ban', targetType: 'comment', targetId: null, at: T0 },
          }),
        ).rejects.toHaveProperty('code');
        expect(await store.moderation.listBans(T0, true)).toEqual([]);
        expect(await store.comments.get(troll.change.comment.id)).toMatchObject({ status: 'published' });
        expect(await store.moderation.listAudit({ limit: 5 })).toEqual([]);
        expect((await store.articles.getById(article.id))).toMatchObject({ commentCount: 1, seq: 1 });
        expect((await events()).map((e) => e.seq)).toEqual([1]);
      });
    });

    describe('moderators', () => {
      it('creates accounts with names unique whatever their case, updates them and counts active admins', async () => {
        const m = await store.moderators.create({ username: 'Alice', passwordHash: 'h1', role: 'admin', createdAt: T0 });
        expect(m).toEqual({ id: m.id, username: 'Alice', passwordHash: 'h1', role: 'admin', createdAt: T0, disabled: false });
        expect((await store.moderators.getByUsername('ALICE'))?.id).toBe(m.id);
        await expect(store.moderators.create({ username: 'alice', passwordHash: 'h', role: 'moderator', createdAt: T0 })).rejects.toHaveProperty('code');
        await store.moderators.create({ username: 'bob', passwordHash: 'h', role: 'moderator', createdAt: T0 });
        expect((await store.moderators.list()).map((x) => x.username)).toEqual(['Alice', 'bob']);
        expect(await store.moderators.countActiveAdmins()).toBe(1);
        expect(await store.moderators.update(m.id, { disabled: true, passwordHash: 'h2' })).toMatchObject({ disabled: true, passwordHash: 'h2', role: 'admin' });
        expect(await store.moderators.countActiveAdmins()).toBe(0);
        expect(await store.moderators.update(9999, { disabled: true })).toBeUndefined();
      });

      it('keeps sessions until they expire, the account is disabled or they are ended', async () => {
        const m = await store.moderators.create({ username: 'm', passwordHash: 'h', role: 'moderator', createdAt: T0 });
        await store.moderators.createSession({ tokenHash: 's1', moderatorId: m.id, createdAt: T0, expiresAt: T0 + 100, notice: { failures: 2, networks: 1 } });
        await store.moderators.createSession({ tokenHash: 's2', moderatorId: m.id, createdAt: T0, expiresAt: T0 + 10 });
        expect(await store.moderators.sessionModerator('s1', T0 + 50)).toMatchObject({ id: m.id, expiresAt: T0 + 100, disabled: false, notice: { failures: 2, networks: 1 } });
        expect(await store.moderators.sessionModerator('s2', T0 + 10)).toBeUndefined();
        await store.moderators.pruneSessions(T0 + 10);
        expect(await store.moderators.deleteSessionsOf(m.id)).toBe(1);
        await store.moderators.createSession({ tokenHash: 's3', moderatorId: m.id, createdAt: T0, expiresAt: T0 + 100 });
        await store.moderators.update(m.id, { disabled: true });
        expect(await store.moderators.sessionModerator('s3', T0 + 1)).toBeUndefined();
        await store.moderators.deleteSession('s3');
        expect(await store.moderators.deleteSessionsOf(m.id)).toBe(0);
      });

      it('counts login failures in a window, locks at the limit, counts racing failures exactly, clears and prunes', async () => {
        const r = { now: T0, windowMs: 1000, limit: 3, lockMs: 5000 };
        const counted = await Promise.all(Array.from({ length: 5 }, () => store.moderators.countFailure('k', r)));
        expect(counted.map((f) => f.failures).sort()).toEqual([1, 2, 3, 4, 5]);
        expect(await store.moderators.getFailure('k')).toEqual({ key: 'k', failures: 5, firstAt: T0, lockedUntil: T0 + 5000 });
        expect(await store.moderators.countFailure('k', { ...r, now: T0 + 6000 })).toMatchObject({ failures: 1, firstAt: T0 + 6000 });
        await store.moderators.countFailure('old', r);
        expect(await store.moderators.pruneFailures(T0 + 6000, 1000)).toBe(1);
        await store.moderators.clearFailure('k');
        expect(await store.moderators.getFailure('k')).toBeUndefined();
      });

      it('logs failed logins and tells the owner at the next login how many since the previous one, from how many networks', async () => {
        const m = await store.moderators.create({ username: 'm', passwordHash: 'h', role: 'moderator', createdAt: T0 });
        await store.moderators.logFailure(m.id, 'n1', T0 + 1);
        await store.moderators.logFailure(m.id, 'n2', T0 + 2);
        await store.moderators.logFailure(m.id, 'n2', T0 + 3);
        expect(await store.moderators.recordLogin(m.id, T0 + 10)).toEqual({ failures: 3, networks: 2 });
        expect(await store.moderators.recordLogin(m.id, T0 + 20)).toEqual({ failures: 0, networks: 0 });
        expect(await store.moderators.pruneFailureLog(T0 + 3)).toBe(2);
      });
    });

    describeNotifyContract(() => ({ store, article, post }));
    describe('heated threads (issue 15)', () => {
      it('keeps slow mode on the article and answers an author\'s or network\'s last post time there', async () => {
        const r = await store.articles.updateSettings(article.id, { slowModeSeconds: 120 }, T0 + 1);
        expect(r.article.slowModeSeconds).toBe(120);
        expect(await store.comments.lastPostAt(article.id, null, 'net-9')).toBeNull();
        const a = await post({ createdAt: T0 + 5000, ipHash: 'net-9' });
        await post({ createdAt: T0 + 7000, ipHash: 'net-8' });
        expect(await store.comments.lastPostAt(article.id, a.authorId, 'net-none')).toBe(T0 + 5000);
        expect(await store.comments.lastPostAt(article.id, null, 'net-8')).toBe(T0 + 7000);
        const other = await store.articles.insert({ slug: 'o', title: 'O', body: 'x', createdAt: T0 });
        expect(await store.comments.lastPostAt(other.id, a.authorId, 'net-9')).toBeNull();
      });

      it('refuses in the write a slow-mode post that comes within the interval of the author\'s last one, even sent at once', async () => {
        const me = await store.authors.ensure('slow', T0, 'net-1');
        const slow = { authorId: me, newAuthorTokenHash: undefined, slowModeMs: 60_000 };
        const both = await Promise.allSettled([post({ ...slow, createdAt: T0 + 1000 }), post({ ...slow, createdAt: T0 + 1001 })]);
        expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
        const refused = both.find((r): r is PromiseRejectedResult => r.status === 'rejected')!.reason as SlowModeConflict;
        expect(refused).toBeInstanceOf(SlowModeConflict);
        expect(refused.lastAt).toBe(T0 + 1000);
        // Nothing of the refused post was stored: one comment, one event.
        expect(await store.comments.lastPostAt(article.id, me, null)).toBe(T0 + 1000);
        expect((await events()).length).toBe(1);
        await expect(post({ ...slow, createdAt: T0 + 60_999 })).rejects.toBeInstanceOf(SlowModeConflict);
        // Exactly one interval later passes; another author and a post without slow mode were never held.
        await post({ ...slow, createdAt: T0 + 61_000 });
        await post({ createdAt: T0 + 61_001, slowModeMs: 60_000 });
        await post({ authorId: me, newAuthorTokenHash: undefined, createdAt: T0 + 61_002 });
        expect((await events()).length).toBe(4);
      });

      it('raises a heat alarm once per crossing with its audit line, and takes down those no longer hot', async () => {
        const other = await store.articles.insert({ slug: 'h', title: 'H', body: 'x', createdAt: T0 });
        const audit = (slug: string) => ({ moderatorId: null, action: 'article.heat_alarm', targetType: 'article', targetId: null, details: { article: slug }, at: T0 });
        const heatLines = async () => (await store.moderation.listAudit({ limit: 50 })).filter((e) => e.action === 'article.heat_alarm').length;
        expect(await Promise.all([store.moderation.raiseHeatAlarm(article.id, audit('a')), store.moderation.raiseHeatAlarm(article.id, audit('a'))])).toEqual(
          expect.arrayContaining([true, false]),
        );
        expect(await store.moderation.raiseHeatAlarm(other.id, audit('h'))).toBe(true);
        expect(await heatLines()).toBe(2);
        await store.moderation.settleHeatAlarms([other.id]);
        expect(await store.moderation.raiseHeatAlarm(other.id, audit('h'))).toBe(false);
        expect(await store.moderation.raiseHeatAlarm(article.id, audit('a'))).toBe(true);
        await store.moderation.settleHeatAlarms([]);
        expect(await store.moderation.raiseHeatAlarm(other.id, audit('h'))).toBe(true);
        expect(await heatLines()).toBe(4);
      });

      it('toggles reactions by kind with kept counts, score and a logged event; caps one kind per network', async () => {
        const c = (await post()).change.comment;
        const fan = await store.authors.ensure('fan', T0, 'net-2');
        const cap = { ipHash: 'net-2', limit: 1, windowMs: 60_000 };
        const on = await store.comments.toggleReaction(c.id, fan, 'agree', T0 + 10, cap);
        expect(on).toMatchObject({ on: true, counts: { agree: 1 }, articleId: article.id });
        await store.comments.toggleReaction(c.id, fan, 'laugh', T0 + 11, cap);
        const other = await store.authors.ensure('other', T0, 'net-2');
        expect(await store.comments.toggleReaction(c.id, other, 'agree', T0 + 12, cap)).toEqual({ capped: { retryAt: T0 + 10 + 60_000 } });
        const row = (await store.comments.get(c.id))!;
        expect([JSON.parse(row.reactionCounts), row.score]).toEqual([{ agree: 1, laugh: 1 }, 2]);
        expect(await store.comments.reactedBy(fan, [c.id, 999])).toEqual(new Map([[c.id, ['agree', 'laugh']]]));
        const off = await store.comments.toggleReaction(c.id, fan, 'agree', T0 + 13);
        expect(off).toMatchObject({ on: false, counts: { laugh: 1 } });
        expect((await store.comments.get(c.id))!.score).toBe(1);
        expect((await events()).filter((e) => e.type === 'reaction').length).toBe(3);
        if (!off.capped) expect((await events()).at(-1)?.seq).toBe(off.seq);
      });

      it('marks picks under a logged update and lists published ones, newest pick first', async () => {
        const a = (await post()).change.comment;
        const b = (await post()).change.comment;
        await store.comments.setFeatured(a.id, true, T0 + 10);
        const r = await store.comments.setFeatured(b.id, true, T0 + 20);
        expect(r.change).toMatchObject({ type: 'updated', comment: { id: b.id, featuredAt: T0 + 20 } });
        expect((await store.comments.listFeatured(article.id, 10)).map((x) => x.id)).toEqual([b.id, a.id]);
        await store.comments.setStatus(b.id, { status: 'rejected', at: T0 + 30 });
        await store.comments.setFeatured(a.id, false, T0 + 40);
        expect(await store.comments.listFeatured(article.id, 10)).toEqual([]);
      });

      it('counts comments per article per minute since a time, and open reports and held comments per article', async () => {
        const m = 60_000;
        const base = Math.floor(T0 / m) * m;
        await post({ createdAt: base - 1 });
        await post({ createdAt: base });
        await post({ createdAt: base + 59_999 });
        const late = (await post({ createdAt: base + m })).change.comment;
        await post({ createdAt: base + m + 1, status: 'pending', heldReason: 'pre_moderation' });
        expect(await store.comments.pulse(base, m)).toEqual([
          { articleId: article.id, bucket: base / m, count: 2 },
          { articleId: article.id, bucket: base / m + 1, count: 2 },
        ]);
        const fan = await store.authors.ensure('reporter', T0, 'net-3');
        await store.moderation.addReport({ commentId: late.id, authorId: fan, reason: 'spam', note: null, at: T0 + 1, threshold: 100, ipHash: 'net-3', weight: 1 });
        expect(await store.comments.attention()).toEqual([{ articleId: article.id, openReports: 1, held: 1 }]);
      });

      it('ranks the top page by score (likes and reactions)', async () => {
        const a = (await post()).change.comment;
        const b = (await post()).change.comment;
        const fan = await store.authors.ensure('fan2', T0, null);
        await store.comments.toggleReaction(b.id, fan, 'wow', T0 + 1);
        await store.comments.toggleLike(a.id, fan, T0 + 2);
        await store.comments.toggleReaction(a.id, fan, 'sad', T0 + 3);
        const top = await store.comments.listTopLevel({ articleId: article.id, sort: 'top', limit: 10, viewerAuthorId: null });
        expect(top.map((x) => [x.id, x.score])).toEqual([[a.id, 2], [b.id, 1]]);
      });
    });

    describe('imports', () => {
      it('imports a thread once: new articles, replies under their parents, counts and events as if posted', async () => {
        const c = (key: string, parentKey: string | null, articleSlug: string, at: number) => ({
          key, parentKey, articleSlug, authorTokenHash: `src-${key}`, authorName: `来自 ${key}`, body: key, html: `<p>${key}</p>`, status: 'published' as const, createdAt: at, ipHash: null,
        });
        const batch = {
          articles: [{ slug: 'a', title: '文章', createdAt: T0 }, { slug: 'imported', title: '搬来的文章', createdAt: T0 }],
          comments: [c('d:1', null, 'a', T0 + 1), c('d:2', 'd:1', 'a', T0 + 2), c('d:3', null, 'imported', T0 + 3)],
          maxDepth: 8,
        };
        expect(await store.transfer.importBatch(batch)).toEqual({ inserted: 3, existing: 0, articlesCreated: 1 });
        const rows = await store.comments.getMany([1, 2, 3, 4, 5, 6]);
        const byBody = new Map(rows.map((r) => [r.body, r]));
        expect(byBody.get('d:2')).toMatchObject({ parentId: byBody.get('d:1')!.id, depth: 1, authorName: '来自 d:2', status: 'published' });
        expect(byBody.get('d:1')).toMatchObject({ replyCount: 1, articleId: article.id });
        expect((await store.articles.getBySlug('a'))!.commentCount).toBe(2);
        expect((await store.articles.getBySlug('imported'))!.commentCount).toBe(1);
        expect((await events()).map((e) => e.type)).toEqual(['created', 'created']);
        expect(await store.transfer.importBatch(batch)).toEqual({ inserted: 0, existing: 3, articlesCreated: 0 });
      });
    });

    describe('store', () => {
      it('answers healthy and grants its own lease again', async () => {
        expect(await store.health()).toEqual({ ok: true });
        expect(await store.tryLease('job', 60_000)).toBe(true);
        expect(await store.tryLease('job', 60_000)).toBe(true);
      });
    });
  });
}
