// Reply chains are capped at MAX_DEPTH: each write walks a comment's ancestors, so the cap bounds its cost.
import { MAX_DEPTH } from '../server/comments/comments.service';
import { connectSocket, emitAck, postComment, reader, useTestServer } from './helpers/server';

describe('reply depth', () => {
  const s = useTestServer();

  it(`accepts a reply at depth ${MAX_DEPTH} and refuses one deeper with 422 thread_too_deep on both transports`, async () => {
    const r = reader(s);
    let parentId: number | undefined;
    for (let depth = 0; depth <= MAX_DEPTH; depth++) {
      const res = await postComment(r, s.article.slug, { body: `第 ${depth} 层`, parentId });
      expect({ depth, status: res.status }).toEqual({ depth, status: 201 });
      expect(res.body.comment.depth).toBe(depth);
      parentId = res.body.comment.id;
    }
    const stored = s.db.prepare('SELECT COUNT(*) FROM comments').pluck().get();

    const res = await postComment(r, s.article.slug, { body: '太深了', parentId });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'thread_too_deep', details: { max: MAX_DEPTH } });
    expect(res.body.error.message).toContain(String(MAX_DEPTH));

    const socket = await connectSocket(s, { cookie: r.cookie() });
    expect((await emitAck(socket, 'join', { article: s.article.slug })).ok).toBe(true);
    const ack = await emitAck(socket, 'comment:post', { authorName: '读者', body: '还是太深', parentId });
    expect(ack).toMatchObject({ ok: false, error: { code: 'thread_too_deep' } });

    expect(s.db.prepare('SELECT COUNT(*) FROM comments').pluck().get()).toBe(stored);
    // The chain's root still counts every reply, and a reply higher up is still welcome.
    const root = s.db.prepare('SELECT reply_count FROM comments WHERE parent_id IS NULL').pluck().get();
    expect(root).toBe(MAX_DEPTH);
    expect((await postComment(r, s.article.slug, { body: '回到上层', parentId: parentId! - 1 })).status).toBe(201);
  });
});
