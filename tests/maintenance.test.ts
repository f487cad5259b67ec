// Scheduled chores keep tables bounded: old article events, dead login counters, old failure-log rows,
// expired sessions and cookie-only authors who left nothing behind are pruned by runOnce() (the timer
// calls the same), with the test's clock.
import { createMaintenance, RETENTION } from '../server/maintenance/schedule';
import { silentLogger } from '../server/log';
import { reader, useTestServer } from './helpers/server';
import { commentBy, createMod, signedIn } from './helpers/moderation';

const DAY = 24 * 3_600_000;

describe('maintenance', () => {
  const s = useTestServer();
  const count = (table: string) => s.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;

  it('prunes article events older than 7 days, keeping newer ones', async () => {
    await commentBy(s, '旧的');
    s.clock.advance(RETENTION.events + 1);
    await commentBy(s, '新的');
    expect(count('article_events')).toBe(2);
    expect((await s.app.maintenance.runOnce()).events).toBe(1);
    expect(count('article_events')).toBe(1);
  });

  it('expires cookie-only authors that left nothing behind, and keeps authors with comments, likes, reports or bans', async () => {
    const mod = await signedIn(s, 'mod1');
    const { comment } = await commentBy(s, '作者留下了评论');
    const { comment: other } = await commentBy(s, '另一位作者');
    const liker = reader(s);
    await liker.post(`/api/comments/${comment.id}/like`);
    const reporter = reader(s);
    await reporter.post(`/api/comments/${comment.id}/report`, { reason: 'spam' });
    const undone = reader(s);
    await undone.post(`/api/comments/${comment.id}/like`);
    await undone.post(`/api/comments/${comment.id}/like`);
    await mod.post('/api/admin/bans', { commentId: other.id, scope: 'author', reason: '测试', removeComments: true });
    // Rejecting the banned author's comment leaves them at 0 published, but their comment and ban keep them.
    expect(count('authors')).toBe(5);
    const likes = s.db.prepare('SELECT likes FROM comments WHERE id = ?').pluck().get(comment.id);

    expect((await s.app.maintenance.runOnce()).authors).toBe(0);
    s.clock.advance(RETENTION.idleAuthors + 1);
    expect((await s.app.maintenance.runOnce()).authors).toBe(1);
    expect(count('authors')).toBe(4);
    expect(s.db.prepare('SELECT likes FROM comments WHERE id = ?').pluck().get(comment.id)).toBe(likes);
    // The expired reader's cookie still works: their next like makes them a new row.
    expect((await undone.post(`/api/comments/${comment.id}/like`)).body).toMatchObject({ liked: true });
  });

  it('prunes login counters once their window and lock are over, and failure-log rows after 30 days', async () => {
    await createMod(s, 'mod1');
    const res = await reader(s).post('/api/admin/login', { username: 'mod1', password: 'wrong password!' });
    expect(res.status).toBe(401);
    expect(count('login_failures')).toBeGreaterThan(0);
    expect(count('login_failure_log')).toBe(1);
    s.clock.advance(16 * 60_000);
    expect((await s.app.maintenance.runOnce()).loginCounters).toBeGreaterThan(0);
    expect(count('login_failures')).toBe(0);
    expect(count('login_failure_log')).toBe(1);
    s.clock.advance(RETENTION.loginFailureLog);
    expect((await s.app.maintenance.runOnce()).loginFailureLog).toBe(1);
  });

  it('runs on its timer and stops when asked', async () => {
    let runs = 0;
    const store = { ...s.store, comments: { ...s.store.comments, pruneEvents: async () => (runs++, 0) } };
    const m = createMaintenance({ store, now: () => s.clock.now, log: silentLogger, intervalMs: 10 });
    m.start();
    await new Promise((r) => setTimeout(r, 60));
    m.stop();
    const seen = runs;
    expect(seen).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 40));
    expect(runs).toBe(seen);
  });
});
