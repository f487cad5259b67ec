// Reply mail over real SMTP: double opt-in, the reply mail (escaped, threaded, linked, RFC 8058 one-click
// unsubscribe), digest batching per thread, and the mails that must not leave (removed reply, banned reader).
import request from 'supertest';
import { postComment, reader, startServer, TEST_SLUG, type Reader, type TestServer } from './helpers/server';
import { linkIn, startSmtp, type TestSmtp } from './helpers/smtp';

let smtp: TestSmtp;
let s: TestServer;

beforeEach(async () => {
  smtp = await startSmtp();
  s = await startServer({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'Yilun <notify@yilun.test>', NOTIFY_POLL_MS: '50', NOTIFY_RETRY_MS: '50' } });
});
afterEach(async () => {
  await s.close();
  await smtp.close();
});

const pass = () => s.app.notify.worker.runOnce();
const path = (url: string) => url.replace(/^https?:\/\/[^/]+/, '');

/** B posts a comment, subscribes to replies and confirms through the mailed link. */
async function subscribedAuthor(email = 'b@example.com', scope: 'replies' | 'thread' = 'replies'): Promise<{ b: Reader; commentId: number }> {
  const b = reader(s);
  const posted = await postComment(b, TEST_SLUG, { authorName: '乙', body: '我的观点' });
  expect(posted.status).toBe(201);
  const before = smtp.mails.length;
  const sub = await b.post('/api/subscriptions', { email, scope, article: TEST_SLUG });
  expect(sub.status).toBe(202);
  expect(JSON.stringify(sub.body)).not.toContain(email);
  const [confirm] = (await smtp.waitFor(before + 1)).slice(before);
  expect(confirm.to).toEqual([email]);
  const link = path(linkIn(confirm.text, '/subscriptions/confirm'));
  // The link opens a page with a button (mail scanners follow GETs); the POST confirms.
  expect((await request(s.url).get(link)).status).toBe(200);
  expect((await request(s.url).post(link).type('form').send('')).status).toBe(200);
  return { b, commentId: posted.body.comment.id };
}

describe('reply notifications by mail', () => {
  it('mails nothing but the confirmation until the link is followed, and the link works once', async () => {
    const b = reader(s);
    const posted = await postComment(b, TEST_SLUG, { authorName: '乙', body: '观点' });
    expect((await b.post('/api/subscriptions', { email: 'b@example.com', scope: 'replies', article: TEST_SLUG })).status).toBe(202);
    const [confirm] = await smtp.waitFor(1);
    expect(confirm.subject).toContain('测试文章');
    expect(confirm.html).toContain('/subscriptions/confirm?token=');
    const a = reader(s);
    await postComment(a, TEST_SLUG, { authorName: '甲', body: '确认前的回复', parentId: posted.body.comment.id });
    await pass();
    await pass();
    expect(smtp.mails).toHaveLength(1);
    const link = path(linkIn(confirm.text, '/subscriptions/confirm'));
    expect((await request(s.url).post(link).type('form').send('')).status).toBe(200);
    expect((await request(s.url).post(link).type('form').send('')).status).toBe(410);
  });

  it('mails a confirmed reader the reply, escaped, linked to the comment, threaded, with one-click unsubscribe', async () => {
    const { commentId } = await subscribedAuthor();
    const a = reader(s);
    const reply = await postComment(a, TEST_SLUG, { authorName: '甲<b>', body: '<script>alert(1)</script> & 你好', parentId: commentId });
    const mails = await smtp.waitFor(2);
    const m = mails[1];
    expect(m.to).toEqual(['b@example.com']);
    expect(m.subject).toContain('测试文章');
    expect(m.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; 你好');
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain('甲&lt;b&gt;');
    expect(m.text).toContain('<script>alert(1)</script> & 你好');
    expect(m.html).toContain(`/articles/${TEST_SLUG}#c-${reply.body.comment.id}`);
    expect(m.headers['message-id']).toMatch(/^<mail-sub-\d+-\d+-[0-9a-f]+@yilun\.test>$/);
    expect(m.headers['references']).toMatch(/^<thread-\d+-sub-\d+@yilun\.test>$/);
    expect(m.headers['in-reply-to']).toBe(m.headers['references']);
    expect(m.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const unsub = /^<([^>]+)>$/.exec(m.headers['list-unsubscribe'])![1];
    expect(m.text).toContain(unsub);

    // RFC 8058: the mail provider POSTs the form body, with no cookie and no Origin.
    const one = await request(s.url).post(path(unsub)).type('form').send('List-Unsubscribe=One-Click');
    expect(one.status).toBe(200);
    s.clock.advance(60 * 60_000);
    await postComment(a, TEST_SLUG, { authorName: '甲', body: '退订之后', parentId: commentId });
    await pass();
    await pass();
    expect(smtp.mails).toHaveLength(2);
    expect((await request(s.url).post('/subscriptions/unsubscribe?token=1.t.forged-forged-forged-forged-xx').type('form').send('')).status).toBe(410);
  });

  it('batches replies that arrive within NOTIFY_DIGEST_MINUTES into one mail per thread', async () => {
    const { commentId } = await subscribedAuthor();
    const a = reader(s);
    await postComment(a, TEST_SLUG, { authorName: '甲', body: '第一条回复', parentId: commentId });
    await smtp.waitFor(2);
    s.clock.advance(60_000);
    await postComment(a, TEST_SLUG, { authorName: '甲', body: '第二条回复', parentId: commentId });
    await postComment(reader(s), TEST_SLUG, { authorName: '丙', body: '第三条回复', parentId: commentId });
    await pass();
    await pass();
    expect(smtp.mails).toHaveLength(2);
    s.clock.advance(15 * 60_000);
    await pass();
    const mails = await smtp.waitFor(3);
    expect(mails[2].subject).toContain('2 条新回复');
    expect(mails[2].text).toContain('第二条回复');
    expect(mails[2].text).toContain('第三条回复');
    expect(mails[2].headers['references']).toBe(mails[1].headers['references']);
  });

  it('does not mail a reply removed before its mail left, nor a reader who was banned', async () => {
    const { b, commentId } = await subscribedAuthor();
    const a = reader(s);
    await postComment(a, TEST_SLUG, { authorName: '甲', body: '第一条', parentId: commentId });
    await smtp.waitFor(2);
    const gone = await postComment(a, TEST_SLUG, { authorName: '甲', body: '马上删掉', parentId: commentId });
    expect((await a.delete(`/api/comments/${gone.body.comment.id}`)).status).toBe(200);
    s.clock.advance(16 * 60_000);
    await pass();
    await pass();
    expect(smtp.mails).toHaveLength(2);
    // The worker may plan the removed reply's mail before the removal (then it is cancelled when it is due)
    // or after it (then no mail is planned at all): either way nothing more is sent and nothing is left waiting.
    const log = await s.store.notify.listDeliveries('mail', 10);
    expect(log.filter((d) => d.status === 'sent')).toHaveLength(2);
    expect(log.filter((d) => d.status !== 'sent' && d.status !== 'cancelled')).toEqual([]);

    const me = await b.get('/api/me/replies');
    expect(me.status).toBe(200);
    const author = (await s.store.comments.get(commentId))!.authorId;
    await s.store.moderation.createBan({ authorId: author, ipHash: null, reason: '刷屏', createdAt: s.clock.now, expiresAt: null, createdBy: null });
    await postComment(a, TEST_SLUG, { authorName: '甲', body: '封禁之后', parentId: commentId });
    s.clock.advance(16 * 60_000);
    await pass();
    await pass();
    expect(smtp.mails).toHaveLength(2);
    expect((await s.store.notify.listDeliveries('mail', 1))[0]).toMatchObject({ status: 'cancelled', lastError: 'reader banned' });
  });

  it('mails every new comment of the article to a thread subscriber, but not their own', async () => {
    const c = reader(s);
    await postComment(c, TEST_SLUG, { authorName: '丙', body: '我先说' });
    expect((await c.post('/api/subscriptions', { email: 'c@example.com', scope: 'thread', article: TEST_SLUG })).status).toBe(202);
    const [confirm] = await smtp.waitFor(1);
    expect((await request(s.url).post(path(linkIn(confirm.text, '/subscriptions/confirm'))).type('form').send('')).status).toBe(200);
    await postComment(c, TEST_SLUG, { authorName: '丙', body: '我自己的' });
    await pass();
    expect(smtp.mails).toHaveLength(1);
    await postComment(reader(s), TEST_SLUG, { authorName: '丁', body: '新的顶层评论' });
    const mails = await smtp.waitFor(2);
    expect(mails[1].to).toEqual(['c@example.com']);
    expect(mails[1].text).toContain('新的顶层评论');
  });

  it('refuses a bad address or scope with 400 and stores nothing', async () => {
    const b = reader(s);
    for (const body of [{ email: 'not-an-address', scope: 'replies', article: TEST_SLUG }, { email: 'b@example.com', scope: 'all', article: TEST_SLUG }, { email: 'b@example.com', scope: 'replies' }]) {
      const r = await b.post('/api/subscriptions', body);
      expect(r.status).toBe(400);
      expect(JSON.stringify(r.body)).not.toContain('b@example.com');
    }
    expect((await b.post('/api/subscriptions', { email: 'b@example.com', scope: 'replies', article: 'nope' })).status).toBe(404);
    expect(s.db.prepare('SELECT COUNT(*) FROM mail_subscriptions').pluck().get()).toBe(0);
  });
});

describe('without SMTP_URL', () => {
  it('answers 404 mail_unavailable to a subscription and says mail is unavailable', async () => {
    const plain = await startServer();
    try {
      const b = reader(plain);
      const r = await b.post('/api/subscriptions', { email: 'b@example.com', scope: 'replies', article: TEST_SLUG });
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('mail_unavailable');
      expect((await b.get('/api/me/replies')).body.mailAvailable).toBe(false);
    } finally {
      await plain.close();
    }
  });
});
