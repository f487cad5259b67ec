// Edits go through review like new comments: every rule runs on the new text, and an edit of a comment a
// moderator approved or pinned goes back to the queue, with the text it replaced shown in the console.
import type { Socket } from 'socket.io-client';
import { connectSocket, emitAck, nextEvent, postComment, reader, useTestServer, type Reader } from './helpers/server';
import { commentBy, forId, signedIn, type ModAgent } from './helpers/moderation';

describe('edits run the moderation rules and return vouched-for comments to review', () => {
  const s = useTestServer();
  let mod: ModAgent;
  let watcher: Socket;

  beforeEach(async () => {
    mod = await signedIn(s, 'mod1');
    watcher = await connectSocket(s);
    expect((await emitAck(watcher, 'join', { article: s.article.slug })).ok).toBe(true);
  });

  const row = (id: number) =>
    s.db.prepare('SELECT status, held_reason AS heldReason, pinned_at AS pinnedAt, body FROM comments WHERE id = ?').get(id) as {
      status: string;
      heldReason: string | null;
      pinnedAt: number | null;
      body: string;
    };
  const publicIds = async () => ((await reader(s).get(`/api/articles/${s.article.slug}/comments`)).body.comments as { id: number }[]).map((c) => c.id);
  const edit = (r: Reader, id: number, body: string) => r.patch(`/api/comments/${id}`, { body });
  const consoleItem = async (id: number) => (await mod.get(`/api/admin/comments?ids=${id}`)).body.items[0];

  it('holds an edit that adds a link to a first-time author\'s only comment, and takes it off the public page live', async () => {
    const { reader: author, comment } = await commentBy(s, '一条普通的评论');
    expect(comment.status).toBe('published');
    const removed = nextEvent(watcher, 'comment:removed', forId(comment.id));
    const res = await edit(author, comment.id, '快来看 https://spam.example/buy');
    expect(res.status).toBe(200);
    expect(res.body.comment).toMatchObject({ status: 'pending', mine: true });
    expect(row(comment.id)).toMatchObject({ status: 'pending', heldReason: 'first_time_link' });
    expect((await removed).comment).toBeNull();
    expect(await publicIds()).toEqual([]);
    const item = await consoleItem(comment.id);
    expect(item.queues).toEqual(['pending']);
    expect(item.revisions).toEqual([{ body: '一条普通的评论', status: 'published', replacedAt: new Date(s.clock.now).toISOString() }]);
  });

  it('lets an author with another published comment edit a link in (the edited comment does not count for itself)', async () => {
    const { reader: author } = await commentBy(s, '第一条');
    const { comment } = await commentBy(s, '第二条', author);
    const res = await edit(author, comment.id, '参考 https://example.com/doc');
    expect(res.body.comment.status).toBe('published');
  });

  it('refuses an edit that turns a comment into a copy of the author\'s other recent one (422 duplicate_comment)', async () => {
    const { reader: author } = await commentBy(s, '买买买 便宜货');
    const { comment } = await commentBy(s, '另一条', author);
    const res = await edit(author, comment.id, '买买买  便宜货');
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('duplicate_comment');
    expect(row(comment.id).body).toBe('另一条');
  });

  it('sends an approved comment back to review on edit; the console shows the approved text as 编辑前', async () => {
    expect((await mod.patch(`/api/admin/articles/${s.article.slug}`, { moderationMode: 'pre' })).status).toBe(200);
    const { reader: author, comment } = await commentBy(s, '审核通过的原文');
    expect((await mod.post(`/api/admin/comments/${comment.id}/approve`, {})).status).toBe(200);
    expect((await mod.patch(`/api/admin/articles/${s.article.slug}`, { moderationMode: null })).status).toBe(200);
    expect(await publicIds()).toEqual([comment.id]);

    const removed = nextEvent(watcher, 'comment:removed', forId(comment.id));
    const res = await edit(author, comment.id, '改成了 <b>别的</b> 内容');
    expect(res.status).toBe(200);
    expect(res.body.comment.status).toBe('pending');
    expect(row(comment.id)).toMatchObject({ status: 'pending', heldReason: 'edited_after_approval' });
    expect((await removed).comment).toBeNull();
    expect(await publicIds()).toEqual([]);

    const item = await consoleItem(comment.id);
    expect(item.comment).toMatchObject({ status: 'pending', heldReason: 'edited_after_approval', body: '改成了 <b>别的</b> 内容' });
    expect(item.revisions.map((r: { body: string; status: string }) => [r.body, r.status])).toEqual([['审核通过的原文', 'published']]);

    // A second edit keeps it in review and keeps both earlier texts, newest first.
    expect((await edit(author, comment.id, '第三版')).body.comment.status).toBe('pending');
    expect((await consoleItem(comment.id)).revisions.map((r: { body: string }) => r.body)).toEqual(['改成了 <b>别的</b> 内容', '审核通过的原文']);

    // Approving the edit publishes the new text live.
    const created = nextEvent(watcher, 'comment:created', forId(comment.id));
    expect((await mod.post(`/api/admin/comments/${comment.id}/approve`, {})).status).toBe(200);
    expect((await created).comment.body).toBe('第三版');
  });

  it('unpins a pinned comment that its author edits and holds it for review, over the socket too', async () => {
    const { reader: author, comment } = await commentBy(s, '置顶的好评论');
    expect((await mod.post(`/api/admin/comments/${comment.id}/pin`, {})).status).toBe(200);
    const socket = await connectSocket(s, { cookie: author.cookie() });
    expect((await emitAck(socket, 'join', { article: s.article.slug })).ok).toBe(true);

    const removed = nextEvent(watcher, 'comment:removed', forId(comment.id));
    const ack = await emitAck<{ comment: { status: string } }>(socket, 'comment:edit', { id: comment.id, body: '置顶后偷偷改成广告' });
    expect(ack.ok).toBe(true);
    expect(ack.data!.comment.status).toBe('pending');
    expect(row(comment.id)).toMatchObject({ status: 'pending', heldReason: 'edited_after_approval', pinnedAt: null });
    expect((await removed).comment).toBeNull();
    expect((await consoleItem(comment.id)).revisions[0].body).toBe('置顶的好评论');
  });

  it('keeps an unreviewed published comment published after a harmless edit', async () => {
    const { reader: author } = await commentBy(s, '老读者的第一条');
    const { comment } = await commentBy(s, '第二条', author);
    const updated = nextEvent(watcher, 'comment:updated', forId(comment.id));
    expect((await edit(author, comment.id, '第二条(补充)')).body.comment.status).toBe('published');
    expect((await updated).comment.body).toBe('第二条(补充)');
    expect((await postComment(author, s.article.slug, { body: '还能继续发' })).status).toBe(201);
  });
});
