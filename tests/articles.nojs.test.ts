// Without JavaScript: a refused post lands on a page that survives a reload (post/redirect/get) and
// shows only to the network that typed it, for a while; 展开 N 条回复 and 加载更多 are real pages.
import request from 'supertest';
import { createFormErrorStore, type KeptForm } from '../server/comments/form-errors';
import { postComment, reader, useTestServer, TEST_SLUG, type Reader } from './helpers/server';

const slug = TEST_SLUG;

async function refuse(r: Reader, s: { origin: string }, fields: Record<string, string>) {
  const res = await r.agent.post(`/articles/${slug}/comments`).set('Origin', s.origin).type('form').send({ ts: '', website: '', parentId: '', ...fields });
  expect(res.status).toBe(303);
  return String(res.headers.location).replace(/#.*$/, '');
}

describe('a refused no-JavaScript post', () => {
  const s = useTestServer();

  it('names the fields in Chinese, marks them invalid and focuses the first, and shows again on reload', async () => {
    const r = reader(s);
    const url = await refuse(r, s, { authorName: '', body: '' });
    for (let i = 0; i < 2; i++) {
      const page = await r.get(url).expect(400);
      expect(page.text).toContain('<p class="form-error" role="alert" id="form-error">昵称 不能为空。 评论内容 不能为空。</p>');
      expect(page.text).not.toMatch(/authorName 昵称|body 评论/);
      expect(page.text).toMatch(/<input id="f-name"[^>]* aria-invalid="true" aria-describedby="form-error" autofocus>/);
      expect(page.text).toMatch(/<textarea id="f-body"[^>]* aria-invalid="true" aria-describedby="form-error">/);
    }
  });

  it('keeps a reply a reply: the form comes back under "回复 name" with the text', async () => {
    const parent = (await postComment(reader(s), slug, { authorName: '楼主', body: '原帖' })).body.comment.id;
    const r = reader(s);
    const url = await refuse(r, s, { authorName: '', body: '回复的草稿', parentId: String(parent) });
    const page = await r.get(url).expect(400);
    expect(page.text).toContain('<legend>回复 楼主</legend>');
    expect(page.text).toContain(`name="parentId" value="${parent}"`);
    expect(page.text).toContain('>回复的草稿</textarea>');
  });

  it('says the form expired after 15 minutes, without the text', async () => {
    const r = reader(s);
    const url = await refuse(r, s, { authorName: '', body: '私人的草稿' });
    s.clock.advance(15 * 60_000 + 1);
    const late = await r.get(url).expect(200);
    expect(late.text).not.toContain('私人的草稿');
    expect(late.text).toContain('这个出错页面已经过期');
  });
});

describe('the kept-forms store', () => {
  const entry = (i: number): KeptForm => ({ slug, authorName: `n${i}`, body: 'x'.repeat(50_000), parentId: null, error: 'e', fields: [], status: 400, ipHash: 'ip' });

  it('holds at most max entries, dropping the oldest, and cuts each text to what a post may hold', () => {
    const store = createFormErrorStore(() => 0, { max: 3 });
    const ids = [1, 2, 3, 4].map((i) => store.put(entry(i)));
    expect(store.get(ids[0], 'ip')).toBeUndefined();
    expect(store.get(ids[3], 'ip')!.authorName).toBe('n4');
    expect(store.get(ids[3], 'ip')!.body.length).toBe(6000);
    expect(store.get(ids[3], 'other-ip')).toBeUndefined();
  });
});

describe('展开 and 加载更多 without JavaScript', () => {
  const s = useTestServer();

  it('links 展开 N 条回复 to a page of the comment with all its replies', async () => {
    const r = reader(s);
    const root = (await postComment(r, slug, { authorName: '楼主', body: '有很多回复的楼' })).body.comment.id;
    for (let i = 1; i <= 6; i++) await postComment(r, slug, { body: `第 ${i} 条回复`, parentId: root });
    const page = await request(s.url).get(`/articles/${slug}`).expect(200);
    expect(page.text).toContain(`<a class="act act-more-replies" data-act="more-replies" data-remaining="3" href="?replies=${root}#c-${root}">展开 3 条回复</a>`);
    const expanded = await request(s.url).get(`/articles/${slug}?replies=${root}`).expect(200);
    for (let i = 1; i <= 6; i++) expect(expanded.text).toContain(`第 ${i} 条回复`);
    expect(expanded.text).not.toContain('act-more-replies');
    expect(expanded.text).toContain(`<a href="?#c-${root}">返回全文和评论</a>`);
    await request(s.url).get(`/articles/${slug}?replies=999999`).set('Accept', 'text/html').expect(404);
  });

  it('pages the top-level comments by a plain 加载更多 link', async () => {
    const r = reader(s);
    for (let i = 0; i < 21; i++) await postComment(r, slug, { body: `评论 ${i}` });
    const first = await request(s.url).get(`/articles/${slug}`).expect(200);
    const href = /<a class="btn load-more" id="load-more" href="([^"]+)"/.exec(first.text)![1].replace(/&amp;/g, '&');
    const second = await request(s.url).get(`/articles/${slug}${href.replace(/#.*$/, '')}`).expect(200);
    expect(second.text).toContain('>评论 0</p>');
  });
});
