import type { Socket } from 'socket.io-client';
import { connectSocket, emitAck, nextEvent, postComment, reader, useTestServer, type Reader } from './helpers/server';
import { auditEntries, commentBy, modSocket, signedIn, type ModAgent } from './helpers/moderation';

const MIN = 60_000;

describe('article and site settings, word lists and the rules through HTTP', () => {
  const s = useTestServer();
  let admin: ModAgent;
  let otherReader: Socket;

  beforeEach(async () => {
    admin = await signedIn(s, 'admin1', 'admin');
    otherReader = await connectSocket(s);
    await emitAck(otherReader, 'join', { article: s.article.slug });
  });

  const post = async (body: string, r: Reader = reader(s)) => postComment(r, s.article.slug, { body });
  const statusOf = async (body: string, r?: Reader) => {
    const res = await post(body, r);
    return res.status === 201 ? `${res.body.comment.status}` : `${res.status} ${res.body.error.code}`;
  };
  const heldReason = async (id: number) => (await admin.get(`/api/admin/comments?ids=${id}`)).body.items[0].comment.heldReason;
  const article = (settings: object) => admin.patch(`/api/admin/articles/${s.article.slug}`, settings);

  it('uses the site default moderation mode, which an article setting overrides and null restores', async () => {
    expect((await admin.patch('/api/admin/settings', { moderationMode: 'pre' })).status).toBe(200);
    expect(await statusOf('站点默认先审')).toBe('pending');
    expect((await article({ moderationMode: 'post' })).body.article).toMatchObject({ moderationMode: 'post' });
    expect(await statusOf('文章设为先发')).toBe('published');
    expect((await article({ moderationMode: null })).body.article.moderationMode).toBeNull();
    expect(await statusOf('回到站点默认')).toBe('pending');
    await admin.patch('/api/admin/settings', { moderationMode: 'post' });
    expect(await statusOf('站点改回先发')).toBe('published');
  });

  it('closes comments: readers and moderators hear article:updated, posting gets 403 comments_closed, reopening allows it', async () => {
    const modSock = await modSocket(s, admin);
    const readerHeard = nextEvent(otherReader, 'article:updated');
    const modHeard = nextEvent(modSock, 'article:updated');
    const res = await article({ commentsClosed: true });
    expect(res.status).toBe(200);
    expect(await readerHeard).toMatchObject({ article: s.article.slug, commentsClosed: true });
    expect(await modHeard).toMatchObject({ article: s.article.slug, commentsClosed: true });
    expect(await statusOf('关闭后发言')).toBe('403 comments_closed');
    expect((await reader(s).get(`/api/articles/${s.article.slug}/comments`)).body.commentsClosed).toBe(true);
    const reopened = nextEvent(otherReader, 'article:updated', (p: { commentsClosed: boolean }) => !p.commentsClosed);
    await article({ commentsClosed: false });
    await reopened;
    expect(await statusOf('重新开放')).toBe('published');
    expect((await auditEntries(admin)).slice(0, 2).map((e) => [e.action, e.details])).toEqual([
      ['article.settings', { commentsClosed: false, changes: [{ key: 'commentsClosed', from: true, to: false }], article: s.article.slug }],
      ['article.settings', { commentsClosed: true, changes: [{ key: 'commentsClosed', from: false, to: true }], article: s.article.slug }],
    ]);
    modSock.disconnect();
  });

  it('refuses a socket post on a closed article with comments_closed', async () => {
    const { reader: author } = await commentBy(s, '先发一条拿到身份');
    await article({ commentsClosed: true });
    const sock = await connectSocket(s, { cookie: author.cookie() });
    await emitAck(sock, 'join', { article: s.article.slug });
    expect(await emitAck(sock, 'comment:post', { authorName: '读者', body: '套接字发言' })).toMatchObject({ ok: false, error: { code: 'comments_closed' } });
    sock.disconnect();
  });

  it('refuses an empty or unknown article settings change (400, 404)', async () => {
    expect((await article({})).status).toBe(400);
    expect((await admin.patch('/api/admin/articles/nope', { commentsClosed: true })).status).toBe(404);
  });

  it('applies a banned word added through the API at once, evasions included, and forgets it when removed', async () => {
    const added = await admin.post('/api/admin/words', { word: '禁词', kind: 'banned' });
    expect(added.status).toBe(201);
    for (const body of ['禁词', '禁 词', '禁,词', '禁\u200b词']) expect({ body, got: await statusOf(`前面${body}后面`) }).toEqual({ body, got: '422 banned_word' });
    expect((await post('有禁词')).body.error.details).toEqual({ word: '禁词' });
    expect((await admin.delete(`/api/admin/words/${added.body.word.id}`)).status).toBe(200);
    expect(await statusOf('禁词已经解禁')).toBe('published');
    expect((await auditEntries(admin)).slice(0, 2).map((e) => [e.action, e.details])).toEqual([
      ['word.remove', { word: '禁词', kind: 'banned' }],
      ['word.add', { word: '禁词', kind: 'banned' }],
    ]);
  });

  it('stores a listed word normalized (full width, upper case) and matches it with word boundaries', async () => {
    const added = await admin.post('/api/admin/words', { word: 'ＡＳＳ', kind: 'banned' });
    expect(added.body.word.word).toBe('ass');
    expect((await admin.get('/api/admin/words')).body.words.map((w: { word: string }) => w.word)).toEqual(['ass']);
    expect(await statusOf('You ASS')).toBe('422 banned_word');
    expect(await statusOf('first class seats')).toBe('published');
  });

  it('holds a comment with a suspect word as suspect_word, visible to its author only', async () => {
    await admin.post('/api/admin/words', { word: '可疑', kind: 'suspect' });
    const author = reader(s);
    const res = await post('有点可 疑', author);
    expect(res.body.comment.status).toBe('pending');
    expect(await heldReason(res.body.comment.id)).toBe('suspect_word');
    expect((await reader(s).get(`/api/articles/${s.article.slug}/comments`)).body.comments).toEqual([]);
  });

  it('holds a first-time author posting a link, but not an author who already has a published comment', async () => {
    const first = await post('看看 https://example.com/a');
    expect(first.body.comment.status).toBe('pending');
    expect(await heldReason(first.body.comment.id)).toBe('first_time_link');
    const regular = reader(s);
    await post('先正常发一条', regular);
    expect(await statusOf('再发链接 https://example.com/b', regular)).toBe('published');
  });

  it('holds more than linkLimit links (default 2) as too_many_links, and follows a changed linkLimit', async () => {
    const r = reader(s);
    await post('先正常发一条', r);
    expect(await statusOf('两个 https://a.example.com https://b.example.com', r)).toBe('published');
    const three = await post('三个 https://a.example.com https://b.example.com https://c.example.com', r);
    expect(await heldReason(three.body.comment.id)).toBe('too_many_links');
    await admin.patch('/api/admin/settings', { linkLimit: 0, holdFirstLink: false });
    const one = await post('一个 https://d.example.com', reader(s));
    expect(await heldReason(one.body.comment.id)).toBe('too_many_links');
  });

  it('refuses the same comment twice within 10 minutes with 422 duplicate_comment, and allows it after', async () => {
    const r = reader(s);
    expect(await statusOf('一模一样的话', r)).toBe('published');
    expect(await statusOf('一模一样的话', r)).toBe('422 duplicate_comment');
    expect(await statusOf('一模一样的话', reader(s))).toBe('published');
    s.clock.advance(10 * MIN + 1000);
    expect(await statusOf('一模一样的话', r)).toBe('published');
  });

  it('holds a no-JavaScript form post whose honeypot field is filled as spam_suspected', async () => {
    const page = await reader(s).get(`/articles/${s.article.slug}`);
    const ts = /name="ts" value="([^"]+)"/.exec(page.text)![1];
    const form = (extra: Record<string, string>) =>
      reader(s).agent.post(`/articles/${s.article.slug}/comments`).set('Origin', s.origin).type('form').send({ authorName: '表单读者', ts, ...extra });
    const spam = await form({ body: '机器人填了蜜罐', website: 'http://spam.example' });
    expect(spam.status).toBe(303);
    expect(spam.headers.location).toContain('posted=pending');
    const id = Number(/#c-(\d+)$/.exec(spam.headers.location)![1]);
    expect(await heldReason(id)).toBe('spam_suspected');
    const human = await form({ body: '真人填写', website: '' });
    expect(human.headers.location).not.toContain('posted=pending');
  });
});

describe('the post-rate rule through HTTP', () => {
  const s = useTestServer({ env: { RATE_POST_AUTHOR: '2/60' } });

  it('refuses the third post in a minute with 429 rate_limited and a Retry-After header, and allows it once the minute has passed', async () => {
    const r = reader(s);
    expect((await postComment(r, s.article.slug, { body: '第一条' })).status).toBe(201);
    s.clock.advance(10_000);
    expect((await postComment(r, s.article.slug, { body: '第二条' })).status).toBe(201);
    const third = await postComment(r, s.article.slug, { body: '第三条' });
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('rate_limited');
    expect(third.headers['retry-after']).toBe('50');
    expect((await postComment(reader(s), s.article.slug, { body: '别人不受影响' })).status).toBe(201);
    s.clock.advance(50_000);
    expect((await postComment(r, s.article.slug, { body: '第三条' })).status).toBe(201);
  });
});

describe('the audit of an article mode reset', () => {
  const s = useTestServer();

  it('logs a reset to the site default as from → to (null), not as an empty change', async () => {
    const admin = await signedIn(s, 'reset-admin', 'admin');
    await admin.patch(`/api/admin/articles/${s.article.slug}`, { moderationMode: 'pre' }).expect(200);
    await admin.patch(`/api/admin/articles/${s.article.slug}`, { moderationMode: null }).expect(200);
    const [entry] = (await admin.get('/api/admin/audit')).body.entries;
    expect(entry).toMatchObject({ action: 'article.settings', details: { changes: [{ key: 'moderationMode', from: 'pre', to: null }] } });
  });
});
