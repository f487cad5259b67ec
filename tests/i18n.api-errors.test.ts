// API error messages follow the reader's language (the same choice as the page strings): ?lang=, the lang
// cookie, then Accept-Language, then DEFAULT_LANG; socket acks follow the handshake's language.
import request from 'supertest';
import { connectSocket, emitAck, reader, startServer, useTestServer, TEST_SLUG } from './helpers/server';
import { languageStorageOn } from '../server/i18n/request-lang';

describe('API error messages in the reader language', () => {
  const s = useTestServer();

  it('answers an empty comment with zh-CN messages by default', async () => {
    const res = await reader(s).post(`/api/articles/${TEST_SLUG}/comments`, { authorName: '', body: '' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('昵称 不能为空。');
    expect(res.body.error.details[0].message).toBe('昵称 不能为空。');
  });

  it('answers in English when Accept-Language prefers English, field problems included', async () => {
    const res = await reader(s).post(`/api/articles/${TEST_SLUG}/comments`, { authorName: '', body: '' }).set('Accept-Language', 'en-US,en;q=0.9,zh;q=0.5');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.message).toBe('Invalid input: authorName Name cannot be empty.; body Comment cannot be empty.');
    expect(res.body.error.details.map((d: { message: string }) => d.message)).toEqual(['Name cannot be empty.', 'Comment cannot be empty.']);
  });

  it('follows the lang cookie over Accept-Language, as the page strings do', async () => {
    const r = reader(s);
    await r.get('/?lang=en').expect(200);
    const res = await r.get('/api/articles/no-such-article/comments').set('Accept-Language', 'zh-CN');
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe('Article not found.');
    const zh = await reader(s).get('/api/articles/no-such-article/comments').set('Cookie', 'lang=zh-CN').set('Accept-Language', 'en');
    expect(zh.body.error.message).toBe('文章不存在。');
  });

  it('localizes refusals made by the moderation rules and the cross-site check', async () => {
    const long = await reader(s).post(`/api/articles/${TEST_SLUG}/comments`, { authorName: 'A', body: 'x'.repeat(5001) }).set('Accept-Language', 'en');
    expect(long.body.error).toMatchObject({ code: 'comment_too_long', message: 'Comments can be at most 5000 characters.' });
    const csrf = await request(s.url).post(`/api/articles/${TEST_SLUG}/comments`).set('Origin', 'https://evil.example').set('Accept-Language', 'en').send({ authorName: 'A', body: 'b' });
    expect(csrf.status).toBe(403);
    expect(csrf.body.error.message).toMatch(/^The request origin could not be verified/);
  });

  it('answers a socket in the language of its handshake', async () => {
    const en = await connectSocket(s, { cookie: 'lang=en' });
    const zh = await connectSocket(s);
    expect((await emitAck(en, 'join', { article: 'no-such-article' })).error?.message).toBe('Article not found.');
    expect((await emitAck(zh, 'join', { article: 'no-such-article' })).error?.message).toBe('文章不存在。');
  });
});

describe('languages side by side', () => {
  const s = useTestServer();

  it('keeps each answer in its own language when zh-CN and English requests interleave, and switches the storage off after', async () => {
    const ask = (lang: string) => reader(s).get('/api/articles/no-such-article/comments').set('Accept-Language', lang);
    const langs = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 'en' : 'zh-CN'));
    const answers = await Promise.all(langs.map(ask));
    answers.forEach((res, i) => expect(res.body.error.message).toBe(langs[i] === 'en' ? 'Article not found.' : '文章不存在。'));
    const en = await connectSocket(s, { cookie: 'lang=en' });
    const zh = await connectSocket(s);
    const acks = await Promise.all([0, 1, 2, 3].map((i) => emitAck(i % 2 ? zh : en, 'join', { article: 'no-such-article' })));
    expect(acks.map((a) => a.error?.message)).toEqual(['Article not found.', '文章不存在。', 'Article not found.', '文章不存在。']);
    expect(languageStorageOn()).toBe(false);
    // With nothing in another language in flight, a zh-CN answer runs without the storage and still reads in zh-CN.
    expect((await ask('zh-CN')).body.error.message).toBe('文章不存在。');
    expect((await ask('en')).body.error.message).toBe('Article not found.');
    en.close();
    zh.close();
  });
});

describe('API error messages with DEFAULT_LANG=en', () => {
  it('answers in English when the request says nothing about its language', async () => {
    const s = await startServer({ env: { DEFAULT_LANG: 'en' } });
    try {
      const res = await request(s.url).get('/api/articles/no-such-article/comments');
      expect(res.body.error.message).toBe('Article not found.');
    } finally {
      await s.close();
    }
  });
});
