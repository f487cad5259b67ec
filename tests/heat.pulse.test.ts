// The heat alarm and the console's pulse: comments per minute over the last hour, open reports and held items
// per article; one live alert per crossing of the site's thresholds, in the audit log.
import { postComment, reader, useTestServer, TEST_SLUG } from './helpers/server';
import { auditEntries, modSocket, signedIn } from './helpers/moderation';
import { createHeatWatch } from '../server/heat/pulse';

describe('heat alarm and pulse', () => {
  const s = useTestServer();
  const slug = TEST_SLUG;
  const burst = async (n: number) => {
    for (let i = 0; i < n; i++) await postComment(reader(s), slug, { body: `第 ${i} 条 ${Math.random()}` });
  };

  it('answers each article\'s comments per minute over the last hour, open reports and held items', async () => {
    const mod = await signedIn(s, 'pulse-mod');
    await burst(3);
    s.clock.advance(60_000);
    await burst(2);
    await mod.patch(`/api/admin/articles/${slug}`, { moderationMode: 'pre' }).expect(200);
    await burst(1);
    const c = (await postComment(reader(s), slug, { body: '会被举报' })).body.comment;
    await mod.patch(`/api/admin/articles/${slug}`, { moderationMode: null }).expect(200);
    const victim = (await postComment(reader(s), slug, { body: '被举报的' })).body.comment;
    await reader(s).post(`/api/comments/${victim.id}/report`, { reason: 'spam' }).expect(201);
    const p = (await mod.get('/api/admin/pulse')).body;
    expect(p.thresholds).toEqual({ commentsPerMinute: 10, openReports: 5 });
    const a = p.articles.find((x: { slug: string }) => x.slug === slug);
    expect(a.perMinute).toHaveLength(60);
    expect(a.perMinute.slice(-2)).toEqual([3, 5]);
    expect(a).toMatchObject({ openReports: 1, held: 2, hot: false, reasons: [], slowModeSeconds: 0 });
    expect(c.status).toBe('pending');
    expect((await reader(s).get('/api/admin/pulse')).status).toBe(401);
  });

  it('alerts once per crossing: live to the console, audited, again only after cooling down', async () => {
    const admin = await signedIn(s, 'heat-admin', 'admin');
    await admin.patch('/api/admin/settings', { heatCommentsPerMinute: 1 }).expect(200);
    const sock = await modSocket(s, admin);
    const alarms: { slug: string; reasons: string[] }[] = [];
    sock.on('heat:alarm', (a: { slug: string; reasons: string[] }) => alarms.push(a));
    await burst(6);
    expect((await s.app.heat.check()).map((a) => a.slug)).toEqual([slug]);
    expect(await s.app.heat.check()).toEqual([]);
    await burst(3);
    expect(await s.app.heat.check()).toEqual([]);
    s.clock.advance(6 * 60_000);
    expect(await s.app.heat.check()).toEqual([]);
    await burst(6);
    expect((await s.app.heat.check()).map((a) => a.reasons)).toEqual([['rate']]);
    const entries = (await auditEntries(admin)).filter((e: { action: string }) => e.action === 'article.heat_alarm');
    expect(entries).toHaveLength(2);
    expect(entries[0].details).toMatchObject({ article: slug, reasons: ['rate'] });
    // Both alerts reached the console live.
    for (let i = 0; i < 50 && alarms.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(alarms.map((a) => [a.slug, a.reasons])).toEqual([[slug, ['rate']], [slug, ['rate']]]);
  });

  it('keeps which alarms are up in the store: the check moving to another node (or a restart) neither repeats nor loses a crossing', async () => {
    const admin = await signedIn(s, 'heat-admin3', 'admin');
    await admin.patch('/api/admin/settings', { heatCommentsPerMinute: 1 }).expect(200);
    // The same app's deps with a publish of its own: another node that took the lease over (or this one restarted).
    const published: { type: string }[] = [];
    const other = createHeatWatch({ ...s.app.deps, publish: (e) => void published.push(e) });
    await burst(6);
    expect((await s.app.heat.check()).map((a) => a.slug)).toEqual([slug]);
    expect(await other.check()).toEqual([]);
    expect(published.filter((e) => e.type === 'heat.alarm')).toEqual([]);
    // Cooled down while the other node held the lease, then crossed again: that node alerts, once.
    s.clock.advance(6 * 60_000);
    expect(await other.check()).toEqual([]);
    await burst(6);
    expect((await other.check()).map((a) => a.slug)).toEqual([slug]);
    expect(await s.app.heat.check()).toEqual([]);
    expect(await other.check()).toEqual([]);
    expect(published.filter((e) => e.type === 'heat.alarm')).toHaveLength(1);
    expect((await auditEntries(admin)).filter((e: { action: string }) => e.action === 'article.heat_alarm')).toHaveLength(2);
  });

  it('counts open reports against their own threshold', async () => {
    const admin = await signedIn(s, 'heat-admin2', 'admin');
    await admin.patch('/api/admin/settings', { heatOpenReports: 2, reportThreshold: 100 }).expect(200);
    const a = (await postComment(reader(s), slug, { body: '甲' })).body.comment;
    const b = (await postComment(reader(s), slug, { body: '乙' })).body.comment;
    await reader(s).post(`/api/comments/${a.id}/report`, { reason: 'spam' }).expect(201);
    expect(await s.app.heat.check()).toEqual([]);
    await reader(s).post(`/api/comments/${b.id}/report`, { reason: 'abuse' }).expect(201);
    expect((await s.app.heat.check()).map((x) => x.reasons)).toEqual([['reports']]);
  });
});
