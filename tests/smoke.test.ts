import { connectSocket, emitAck, nextEvent, postComment, reader, useTestServer } from './helpers/server';

describe('smoke', () => {
  const s = useTestServer();

  it('a second client sees a comment posted by the first', async () => {
    const a = reader(s);
    const b = await connectSocket(s);
    const j = await emitAck(b, 'join', { article: s.article.slug });
    expect(j.ok).toBe(true);
    const created = nextEvent(b, 'comment:created');
    const res = await postComment(a, s.article.slug, { body: '你好' });
    expect(res.status).toBe(201);
    const e = await created;
    expect(e.comment.body).toBe('你好');
    b.disconnect();
  });
});
