// A worker pass plans its events with the pass's reads done together: the comments its events name (and the
// parents of new replies) in two reads, each article once, and the plans are the ones planning each event on its
// own reads would make (inbox entries for replies and @mentions, webhook bodies).
import { openDb } from '../server/db/open';
import { migrate, readMigrations } from '../server/db/migrate';
import { createSqliteStore } from '../server/db/sqlite.store';
import type { NewComment, Store } from '../server/db/store';
import type { Webhook } from '../server/db/notify.types';
import { planEvent, readsForPass } from '../server/notify/notify.plan';
import { paths } from '../server/paths';

const T0 = 1_700_000_000_000;

describe('planning a pass of outbox events', () => {
  let store: Store;
  beforeEach(() => {
    const db = openDb(':memory:');
    migrate(db, readMigrations(paths.migrations()));
    store = createSqliteStore(db);
  });
  afterEach(() => store.close());

  const counted = () => {
    const calls: Record<string, number> = {};
    const count = <T extends object>(repo: T, name: string, method: keyof T & string) => {
      const real = (repo[method] as (...a: unknown[]) => unknown).bind(repo);
      (repo as Record<string, unknown>)[method] = (...a: unknown[]) => {
        calls[`${name}.${method}`] = (calls[`${name}.${method}`] ?? 0) + 1;
        return real(...a);
      };
    };
    count(store.comments, 'comments', 'get');
    count(store.comments, 'comments', 'getMany');
    count(store.articles, 'articles', 'getById');
    return calls;
  };

  it('reads a busy pass in a few statements and plans each event as it would alone', async () => {
    const article = await store.articles.insert({ slug: 'a', title: '文章', body: '', createdAt: T0 });
    const post = (i: number, over: Partial<NewComment> = {}) =>
      store.comments.insert({
        articleId: article.id, parent: null, authorId: null, newAuthorTokenHash: `t${i}`, authorName: `读者${i}`, body: `第${i}条`,
        html: `<p>第${i}条</p>`, status: 'published', heldReason: null, ipHash: `n${i}`, createdAt: T0 + i, ...over,
      });
    const first = await post(0);
    const replies = [];
    for (let i = 1; i <= 30; i++) {
      const r = i % 5 === 0 ? await post(i, { parent: first.change.comment }) : await post(i);
      replies.push(r);
    }
    // A flat reply naming an earlier commenter answers them too.
    const named = await post(31, { parent: replies[4].change.comment, body: '@读者0 说得对' });
    const events = await store.notify.pendingEvents(200);
    expect(events).toHaveLength(32);
    const webhooks: Webhook[] = [{ id: 1, url: 'https://hooks.example/x', format: 'json', secret: 's', events: ['comment.created'], enabled: true, createdAt: T0 }];

    for (const hooks of [[], webhooks]) {
      const alone = [];
      for (const e of events) alone.push(await planEvent({ store, mail: false, webhooks: hooks }, e));
      const calls = counted();
      const base = { store, mail: false, webhooks: hooks };
      const reads = await readsForPass(base, events);
      const together = [];
      for (const e of events) together.push(await planEvent({ ...base, reads }, e));
      expect(together).toEqual(alone);
      expect(calls).toEqual({ 'comments.getMany': 2, 'articles.getById': 1 });
    }
    const inbox = (await planEvent({ store, mail: false, webhooks: [] }, events[31])).inbox.map((x) => x.authorId);
    expect(inbox).toEqual([replies[4].authorId, first.authorId].filter((x, i, all) => all.indexOf(x) === i));
    expect(named.change.comment.parentId).toBe(replies[4].change.comment.id);
  });
});
