// The Store contract for notifications (part of describeStoreContract): the outbox rows every comment write,
// report and ban leaves in its own transaction, idempotent event processing, the inbox, subscriptions,
// digests, deliveries, webhooks and moderator alerts, alike on SQLite and PostgreSQL.
import type { Article, CommentRow, NewComment, Store, WriteResult } from '../server/db/store';
import type { NewDelivery } from '../server/db/notify.types';

const T0 = 1_700_000_000_000;

export function describeNotifyContract(get: () => { store: Store; article: Article; post: (over?: Partial<NewComment>) => Promise<WriteResult & { authorId: number }> }): void {
  describe('notifications', () => {
    const delivery = (over: Partial<NewDelivery> = {}): NewDelivery => ({ channel: 'webhook', idemKey: 'k1', kind: 'webhook', targetId: 1, payload: '{"a":1}', nextAt: T0, createdAt: T0, ...over });

    it('records an outbox event with each comment write, report and ban, in the same transaction', async () => {
      const { store, post } = get();
      const c = (await post()).change.comment;
      const held = (await post({ status: 'pending', heldReason: 'links' })).change.comment;
      await store.comments.updateBody(c.id, { body: '改', html: '<p>改</p>', editedAt: T0 + 2, status: 'published', heldReason: null });
      const reporter = await store.authors.ensure('rep', T0, null);
      await store.moderation.addReport({ commentId: c.id, authorId: reporter, reason: 'spam', note: null, at: T0 + 3, threshold: 99, ipHash: null, weight: 1 });
      await store.comments.setStatus(held.id, { status: 'published', at: T0 + 4 });
      await store.moderation.banAuthor({
        bans: [{ authorId: c.authorId, ipHash: null, reason: 'spam', createdAt: T0 + 5, expiresAt: null, createdBy: null }],
        removeCommentsOf: null,
        audit: { moderatorId: null, action: 'ban', targetType: 'author', targetId: c.authorId, at: T0 + 5 },
      });
      await store.comments.setStatus(c.id, { status: 'deleted', at: T0 + 6 });
      const events = await store.notify.pendingEvents(100);
      expect(events.map((e) => [e.kind, e.commentId])).toEqual([
        ['comment.created', c.id],
        ['comment.held', held.id],
        ['comment.edited', c.id],
        ['comment.reported', c.id],
        ['comment.created', held.id],
        ['author.banned', null],
        ['comment.removed', c.id],
      ]);
      expect(events[5].authorId).toBe(c.authorId);
    });

    it('applies an event plan once: inbox rows, digest items and deliveries, then marks it processed', async () => {
      const { store, post } = get();
      const parent = (await post()).change.comment;
      const r = (await post({ parent, newAuthorTokenHash: 'other' })).change.comment;
      const [ev] = (await store.notify.pendingEvents(10)).filter((e) => e.commentId === r.id);
      const plan = { inbox: [{ authorId: parent.authorId, commentId: r.id, createdAt: T0 }], pending: [{ recipient: 'sub:1', commentId: r.id, kind: 'reply', createdAt: T0 }], deliveries: [delivery()] };
      expect(await store.notify.applyEvent(ev.id, plan, T0 + 1)).toEqual({ inboxAdded: [{ authorId: parent.authorId, commentId: r.id }] });
      expect(await store.notify.applyEvent(ev.id, plan, T0 + 2)).toEqual({ inboxAdded: [] });
      expect((await store.notify.pendingEvents(10)).map((e) => e.id)).not.toContain(ev.id);
      expect(await store.notify.dueDeliveries(T0, 10)).toHaveLength(1);
      expect(await store.notify.openRecipients()).toEqual([{ recipient: 'sub:1', firstAt: T0 }]);
      const rest = (await store.notify.pendingEvents(10)).map((e) => e.id);
      await store.notify.markProcessed(rest, T0 + 3);
      expect(await store.notify.pendingEvents(10)).toEqual([]);
      expect(await store.notify.pruneOutbox(T0 + 1)).toBe(0);
      expect(await store.notify.pruneOutbox(T0 + 10)).toBe(1 + rest.length);
    });

    it('keeps an inbox newest first with its unread count, and marks some or all read', async () => {
      const { store, post } = get();
      const p = (await post()).change.comment;
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) ids.push((await post({ parent: p as CommentRow, newAuthorTokenHash: `x${i}` })).change.comment.id);
      for (const id of ids) {
        const ev = (await store.notify.pendingEvents(100)).find((e) => e.commentId === id)!;
        await store.notify.applyEvent(ev.id, { inbox: [{ authorId: p.authorId, commentId: id, createdAt: T0 + id }], pending: [], deliveries: [] }, T0);
      }
      const inbox = await store.notify.inbox(p.authorId, 2);
      expect(inbox.unread).toBe(3);
      expect(inbox.items.map((i) => i.commentId)).toEqual([ids[2], ids[1]]);
      expect(await store.notify.markRead(p.authorId, [ids[0]], T0 + 9)).toBe(1);
      expect(await store.notify.markRead(p.authorId, null, T0 + 9)).toBe(2);
      expect((await store.notify.inbox(p.authorId, 10)).unread).toBe(0);
    });

    it('subscribes with a one-time confirmation, finds subscribers by scope, and unsubscribes one or every one of an address', async () => {
      const { store, article } = get();
      const a1 = await store.authors.ensure('s1', T0, null);
      const a2 = await store.authors.ensure('s2', T0, null);
      const base = { articleId: article.id, lang: 'zh-CN' as const, baseUrl: 'https://x', createdAt: T0 };
      const s1 = await store.notify.subscribe({ ...base, authorId: a1, scope: 'replies', email: 'one@x.test', confirmHash: 'h1' });
      const s2 = await store.notify.subscribe({ ...base, authorId: a2, scope: 'thread', email: 'one@x.test', confirmHash: 'h2' });
      expect(s1.needsConfirm).toBe(true);
      expect(await store.notify.subscribersOf(article.id, a1)).toEqual([]);
      expect(await store.notify.confirm('h1', T0 + 1)).toMatchObject({ id: s1.id, confirmedAt: T0 + 1 });
      expect(await store.notify.confirm('h1', T0 + 2)).toBeUndefined();
      await store.notify.confirm('h2', T0 + 1);
      expect(await store.notify.subscribe({ ...base, authorId: a1, scope: 'replies', email: 'one@x.test', confirmHash: 'h3' })).toEqual({ id: s1.id, needsConfirm: false });
      expect((await store.notify.subscribersOf(article.id, a1)).map((s) => s.id).sort()).toEqual([s1.id, s2.id].sort());
      expect((await store.notify.subscribersOf(article.id, null)).map((s) => s.id)).toEqual([s2.id]);
      expect([...(await store.notify.withSubscription([a1, a2, 999]))].sort()).toEqual([a1, a2].sort());
      expect(await store.notify.unsubscribe(s1.id, false)).toBe(1);
      expect(await store.notify.getSubscription(s2.id)).toBeDefined();
      expect(await store.notify.unsubscribe(s2.id, true)).toBe(1);
      expect(await store.notify.getSubscription(s2.id)).toBeUndefined();
    });

    it('batches a recipient’s open items into one delivery, stamps the send, and records attempts', async () => {
      const { store, article, post } = get();
      const c = (await post()).change.comment;
      const a = await store.authors.ensure('s1', T0, null);
      const sub = await store.notify.subscribe({ articleId: article.id, authorId: a, scope: 'thread', email: 'e@x.test', lang: 'en', baseUrl: 'https://x', confirmHash: 'h', createdAt: T0 });
      const ev = (await store.notify.pendingEvents(10))[0];
      await store.notify.applyEvent(ev.id, { inbox: [], pending: [{ recipient: `sub:${sub.id}`, commentId: c.id, kind: 'reply', createdAt: T0 }], deliveries: [] }, T0);
      const id = await store.notify.batchPending(`sub:${sub.id}`, delivery({ channel: 'mail', idemKey: 'm1', kind: 'replies', targetId: sub.id, payload: '{}' }), T0 + 5);
      expect(id).toBeDefined();
      expect(await store.notify.batchPending(`sub:${sub.id}`, delivery({ idemKey: 'm2' }), T0 + 6)).toBeUndefined();
      expect(await store.notify.itemsOf(id!)).toEqual([{ recipient: `sub:${sub.id}`, commentId: c.id, kind: 'reply' }]);
      expect((await store.notify.getSubscription(sub.id))?.lastSentAt).toBe(T0 + 5);
      await store.notify.finishDelivery(id!, { status: 'pending', attempts: 1, nextAt: T0 + 100, lastError: 'HTTP 500', responseCode: 500, latencyMs: 3, doneAt: null, scrub: false });
      expect(await store.notify.dueDeliveries(T0 + 99, 10)).toEqual([]);
      expect(await store.notify.dueDeliveries(T0 + 100, 10)).toMatchObject([{ id, attempts: 1, lastError: 'HTTP 500' }]);
      await store.notify.finishDelivery(id!, { status: 'sent', attempts: 2, nextAt: T0 + 100, lastError: null, responseCode: 250, latencyMs: 4, doneAt: T0 + 101, scrub: true });
      expect(await store.notify.getDelivery(id!)).toMatchObject({ status: 'sent', attempts: 2, payload: '{}', doneAt: T0 + 101 });
      expect(await store.notify.addDelivery(delivery({ idemKey: 'm1' }))).toBeUndefined();
      expect((await store.notify.listDeliveries('mail', 10)).map((d) => d.id)).toEqual([id]);
    });

    it('keeps webhooks, moderator alerts and the private-destination flag', async () => {
      const { store } = get();
      const w = await store.notify.createWebhook({ url: 'https://h.test/x', format: 'feishu', secret: 's'.repeat(20), events: ['comment.created'], enabled: true, createdAt: T0 });
      expect(await store.notify.updateWebhook(w.id, { enabled: false, events: ['comment.held'] })).toMatchObject({ id: w.id, enabled: false, events: ['comment.held'], format: 'feishu' });
      expect(await store.notify.listWebhooks()).toHaveLength(1);
      expect(await store.notify.deleteWebhook(w.id)).toBe(true);
      expect(await store.notify.getWebhook(w.id)).toBeUndefined();
      const m = await store.moderators.create({ username: 'alerts', passwordHash: 'h', role: 'moderator', createdAt: T0 });
      await store.notify.setAlert({ moderatorId: m.id, email: 'm@x.test', mode: 'hourly', lang: 'en', baseUrl: 'https://x' });
      expect(await store.notify.activeAlerts()).toMatchObject([{ moderatorId: m.id, mode: 'hourly', lastSentAt: null }]);
      await store.notify.setAlert({ moderatorId: m.id, email: 'm@x.test', mode: 'off', lang: 'en', baseUrl: 'https://x' });
      expect(await store.notify.activeAlerts()).toEqual([]);
      expect(await store.notify.getFlag('webhooksAllowPrivate')).toBe(false);
      await store.notify.setFlag('webhooksAllowPrivate', true);
      expect(await store.notify.getFlag('webhooksAllowPrivate')).toBe(true);
    });
  });
}
