// Moderator alerts by mail over real SMTP (immediately, hourly digest, off), and the promise that no address
// ever leaves: every GET route's JSON, the page, the admin API and export, and the log are scanned for it.
import { createLogger } from '../server/log';
import { exportAll } from '../server/transfer/export.service';
import { postComment, reader, startServer, TEST_SLUG, type TestServer } from './helpers/server';
import { adminRouteTable, concretePath, signedIn } from './helpers/moderation';
import { linkIn, startSmtp, type TestSmtp } from './helpers/smtp';

let smtp: TestSmtp;
let s: TestServer;
let lines: string[];

beforeEach(async () => {
  smtp = await startSmtp();
  lines = [];
  s = await startServer({ env: { SMTP_URL: smtp.url, NOTIFY_POLL_MS: '50' }, log: createLogger('debug', (l) => lines.push(l)) });
});
afterEach(async () => {
  await s.close();
  await smtp.close();
});

const passes = async () => {
  await s.app.notify.worker.runOnce();
  await s.app.notify.worker.runOnce();
};

describe('moderator alerts', () => {
  it('mails a held comment at once to a moderator who asked for immediate alerts, escaped', async () => {
    const mod = await signedIn(s, 'mod1');
    const set = await mod.post('/api/admin/notify/alerts', { email: 'mod1@example.com', mode: 'immediate' });
    expect(set.status).toBe(200);
    expect(JSON.stringify(set.body)).not.toContain('example.com');
    await s.store.articles.updateSettings(s.article.id, { moderationMode: 'pre' }, s.clock.now);
    await postComment(reader(s), TEST_SLUG, { authorName: '可疑<i>', body: '<img src=x onerror=alert(1)> 待审' });
    const [mail] = await smtp.waitFor(1);
    expect(mail.to).toEqual(['mod1@example.com']);
    expect(mail.subject).toContain('1 条评论需要处理');
    expect(mail.html).toContain('待审核');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt; 待审');
    expect(mail.html).not.toContain('<img');
    expect(linkIn(mail.text, '/admin')).toMatch(/\/admin$/);
  });

  it('batches alerts into one mail an hour in hourly mode, skips what was decided meanwhile, and sends nothing when off', async () => {
    const mod = await signedIn(s, 'mod2');
    await mod.post('/api/admin/notify/alerts', { email: 'mod2@example.com', mode: 'hourly' });
    const first = await postComment(reader(s), TEST_SLUG, { body: '第一条' });
    await reader(s).post(`/api/comments/${first.body.comment.id}/report`, { reason: 'abuse' });
    const [mail] = await smtp.waitFor(1);
    expect(mail.html).toContain('被举报');
    const second = await postComment(reader(s), TEST_SLUG, { body: '第二条' });
    const third = await postComment(reader(s), TEST_SLUG, { body: '第三条' });
    await reader(s).post(`/api/comments/${second.body.comment.id}/report`, { reason: 'spam' });
    await reader(s).post(`/api/comments/${third.body.comment.id}/report`, { reason: 'spam' });
    await passes();
    expect(smtp.mails).toHaveLength(1);
    // The third's report is dismissed before the hour is over: it leaves the digest.
    await s.store.comments.setStatus(third.body.comment.id, { status: 'published', at: s.clock.now, moderatorId: mod.moderator.id, resolveReports: true });
    s.clock.advance(60 * 60_000);
    await passes();
    const mails = await smtp.waitFor(2);
    expect(mails[1].text).toContain('第二条');
    expect(mails[1].text).not.toContain('第三条');

    await mod.post('/api/admin/notify/alerts', { mode: 'off' });
    const fourth = await postComment(reader(s), TEST_SLUG, { body: '第四条' });
    await reader(s).post(`/api/comments/${fourth.body.comment.id}/report`, { reason: 'spam' });
    s.clock.advance(2 * 60 * 60_000);
    await passes();
    expect(smtp.mails).toHaveLength(2);
  });
});

describe('addresses never leave', () => {
  it('appear in no GET answer (public, own data, admin, export), no page and no log line', async () => {
    const admin = await signedIn(s, 'root', 'admin');
    await admin.post('/api/admin/notify/alerts', { email: 'root-secret@example.com', mode: 'immediate' });
    const b = reader(s);
    const mine = await postComment(b, TEST_SLUG, { authorName: '乙', body: '订阅者' });
    expect((await b.post('/api/subscriptions', { email: 'reader-secret@example.com', scope: 'replies', article: TEST_SLUG })).status).toBe(202);
    const [confirm] = await smtp.waitFor(1);
    await reader(s).agent.post(linkIn(confirm.text, '/subscriptions/confirm').replace(/^https?:\/\/[^/]+/, '')).type('form').send('');
    await postComment(reader(s), TEST_SLUG, { body: '回复', parentId: mine.body.comment.id });
    await smtp.waitFor(2);
    await passes();

    const id = mine.body.comment.id;
    const publicGets = [
      '/api/articles',
      `/api/articles/${TEST_SLUG}/comments`,
      `/api/comments/${id}/replies`,
      '/api/me/replies',
      '/api/me/comments/export',
      `/articles/${TEST_SLUG}`,
      `/articles/${TEST_SLUG}/comments.atom`,
      '/comments.atom',
      '/',
    ];
    const seen: string[] = [];
    for (const p of publicGets) seen.push(`${p} ${(await b.get(p)).text}`);
    // Routes under /api/admin/sites take a site's id: one exists, so they answer with data, not 404.
    const site = await admin.post('/api/admin/sites', { name: '新闻站', origins: ['https://news.example.com'] });
    const siteId = (site.body as { site: { id: number } }).site.id;
    for (const route of adminRouteTable(s).filter((r) => r.method === 'get')) {
      const params = { id: route.path.startsWith('/api/admin/sites/') ? siteId : id, slug: TEST_SLUG };
      const res = await admin.get(concretePath(route.path, params));
      seen.push(`${route.path} ${res.status} ${res.text}`);
    }
    for (const p of ['/api/admin/deliveries?channel=mail', '/api/admin/deliveries?channel=webhook']) seen.push(`${p} ${(await admin.get(p)).text}`);
    let dump = '';
    await exportAll(s.store, async (line) => void (dump += line), s.clock.now);
    seen.push(`export ${dump}`);
    expect(seen.filter((t) => /^\S+ (\d+ )?/.test(t) && / 404 /.test(t.slice(0, 80)))).toEqual([]);
    const item = (await admin.get(`/api/admin/comments?ids=${id}`)).body.items[0];
    expect(item.author.mailSubscribed).toBe(true);
    const leaks = seen.filter((t) => /secret@example\.com/.test(t)).map((t) => t.slice(0, 120));
    expect(leaks).toEqual([]);
    expect(seen.some((t) => t.includes('/api/admin/notify ') && t.includes('"emailSet":true'))).toBe(true);
    expect(lines.filter((l) => l.includes('@example.com'))).toEqual([]);
  });
});
