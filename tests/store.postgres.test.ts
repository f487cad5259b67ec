// The Store contract on PostgreSQL, plus what only PostgreSQL has: query plans of the hot reads, the lease
// across nodes, migrations under the start-up lock. Runs when TEST_DATABASE_URL is set (npm run test:pg).
import { readMigrations } from '../server/db/migrate';
import { migratePg, withStartupLock } from '../server/db/postgres/pg.migrate';
import { createPool } from '../server/db/postgres/pg.pool';
import { createPgStore } from '../server/db/postgres/pg.store';
import { COMMENTS_SQL } from '../server/db/postgres/pg.comments';
import { SQL as WRITER_SQL } from '../server/db/postgres/pg.writer';
import { paths } from '../server/paths';
import { SlowModeConflict } from '../server/db/store';
import { createTestSchema, openPgTestStore, TEST_DATABASE_URL } from './helpers/pg';
import { describeStoreContract } from './store.contract';

const url = TEST_DATABASE_URL;
if (!url) {
  // eslint-disable-next-line no-console
  console.log('store.postgres.test.ts skipped: set TEST_DATABASE_URL=postgres://... (npm run test:pg does)');
}
const describePg = url ? describe : describe.skip;

if (url) {
  describeStoreContract('PostgreSQL', async () => {
    const t = await openPgTestStore(url);
    return { store: t.store, close: t.drop };
  });
}

describePg('PostgreSQL only', () => {
  const migrations = readMigrations(paths.pgMigrations());

  describe('query plans of the hot path', () => {
    let t: Awaited<ReturnType<typeof openPgTestStore>>;
    beforeAll(async () => {
      t = await openPgTestStore(url!);
      // A planner seeing empty tables prefers a scan: give it rows and statistics like a live site.
      await t.pool.query(`INSERT INTO articles (slug, title, body, created_at) SELECT 'a' || i, 't', '', 0 FROM generate_series(1, 50) i`);
      await t.pool.query(`INSERT INTO authors (token_hash, created_at) SELECT 'h' || i, 0 FROM generate_series(1, 2000) i`);
      await t.pool.query(`INSERT INTO comments (article_id, parent_id, root_id, depth, author_id, author_name, body, html, status, created_at, ip_hash)
        SELECT 1 + i % 50, NULL, NULL, 0, 1 + i % 2000, 'n', 'b', 'h', 'published', i, 'ip' || (i % 300) FROM generate_series(1, 20000) i`);
      await t.pool.query(`INSERT INTO comments (article_id, parent_id, root_id, depth, author_id, author_name, body, html, status, created_at)
        SELECT 1 + i % 50, i, i, 1, 1 + i % 2000, 'n', 'b', 'h', 'published', i FROM generate_series(1, 20000) i`);
      await t.pool.query(`INSERT INTO reactions (comment_id, author_id, created_at, ip_hash) SELECT i, 1 + i % 2000, i, 'ip' || (i % 300) FROM generate_series(1, 20000) i`);
      await t.pool.query(`INSERT INTO article_events (article_id, seq, type, comment_id, created_at) SELECT 1 + i % 50, i, 'created', i, i FROM generate_series(1, 20000) i`);
      await t.pool.query('ANALYZE');
    });
    afterAll(() => t.drop());

    const plan = async (sql: string, params: unknown[]) => {
      const rows = await t.pool.query(`EXPLAIN ${sql}`, params);
      return rows.rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
    };
    const noSeqScan = (p: string) => expect(p).not.toMatch(/Seq Scan on (comments|reactions|article_events)/);

    it.each([
      ['top-level page, newest', COMMENTS_SQL.newest, [1, 1e9, 20, -1], /comments_top_recent/],
      ['top-level page, oldest', COMMENTS_SQL.oldest, [1, 0, 20, -1], /comments_top_recent/],
      ['top-level page, top', COMMENTS_SQL.top, [1, 1e9, 20, -1, 1e9], /comments_top_score/],
      ['first replies of each root', COMMENTS_SQL.firstReplies, [[1, 2, 3], 3, -1], /comments_thread/],
      ['replies of a thread', COMMENTS_SQL.replies, [1, 0, 20, -1], /comments_thread/],
      ['events since a seq', COMMENTS_SQL.events, [1, 10, 100], /article_events_pkey/],
      ['which of these did I like', COMMENTS_SQL.liked, [1, [1, 2, 3]], /reactions_author|reactions_pkey/],
      ['did I like this one', COMMENTS_SQL.findLike, [1, 1], /reactions_pkey|reactions_author/],
      ['likes of a network on a comment', COMMENTS_SQL.networkLikes, [1, 'ip1', 0], /reactions_comment_ip|reactions_pkey/],
      ["an author's recent comments", COMMENTS_SQL.byAuthor, [1, 0, 200], /comments_author/],
      ['a comment by id', WRITER_SQL.byId, [1], /comments_pkey/],
      ['many comments by id', COMMENTS_SQL.many, [[1, 2, 3]], /comments_pkey/],
    ] as const)('%s searches an index', async (_name, sql, params, index) => {
      const p = await plan(sql, [...params]);
      noSeqScan(p);
      expect(p).toMatch(index);
    });
  });

  describe('leases and migrations', () => {
    it('grants a lease to one node at a time, and to another once it expires', async () => {
      const t = await openPgTestStore(url!);
      const pool = createPool(url!, { schema: t.schema, max: 2 });
      const other = createPgStore(pool);
      try {
        expect(await t.store.tryLease('maintenance', 200)).toBe(true);
        expect(await other.tryLease('maintenance', 200)).toBe(false);
        expect(await t.store.tryLease('maintenance', 200)).toBe(true);
        await new Promise((r) => setTimeout(r, 250));
        expect(await other.tryLease('maintenance', 200)).toBe(true);
        expect(await t.store.tryLease('maintenance', 200)).toBe(false);
      } finally {
        await other.close();
        await t.drop();
      }
    });

    it('lets one of two slow-mode posts by one author through when they land on two nodes at once', async () => {
      const t = await openPgTestStore(url!);
      const pool = createPool(url!, { schema: t.schema, max: 2 });
      const other = createPgStore(pool);
      try {
        const article = await t.store.articles.insert({ slug: 's', title: 'S', body: 'x', createdAt: 1 });
        const me = await t.store.authors.ensure('slow', 1, 'net');
        const post = (store: typeof other, at: number) =>
          store.comments.insert({ articleId: article.id, parent: null, authorId: me, authorName: '读者', body: 'b', html: '<p>b</p>',
            status: 'published', heldReason: null, ipHash: 'net', createdAt: at, slowModeMs: 60_000 });
        // Rounds of two posts at once, one per node: each round lets exactly one through.
        for (let round = 0; round < 5; round++) {
          const at = 1000 + round * 60_000;
          const r = await Promise.allSettled([post(t.store, at), post(other, at + 1)]);
          expect(r.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
          expect((r.find((x) => x.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(SlowModeConflict);
        }
        expect((await t.store.comments.eventsSince(article.id, 0, 100)).length).toBe(5);
      } finally {
        await other.close();
        await t.drop();
      }
    });

    it('applies the migrations once when nodes start together, each in its own transaction, recorded', async () => {
      const { schema, drop } = await createTestSchema(url!);
      const pools = [0, 1, 2].map(() => createPool(url!, { schema, max: 2 }));
      try {
        const applied = await Promise.all(pools.map((p) => withStartupLock(p, () => migratePg(p, migrations))));
        expect(applied.flat()).toEqual(migrations.map((m) => m.name));
        const rows = await pools[0].query('SELECT version, name FROM schema_migrations ORDER BY version');
        expect(rows.rows).toEqual(migrations.map((m) => ({ version: m.version, name: m.name })));
      } finally {
        await Promise.all(pools.map((p) => p.end()));
        await drop();
      }
    });

    it('refuses a schema newer than the code', async () => {
      const t = await openPgTestStore(url!);
      try {
        await t.pool.query(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', 0)`);
        await expect(migratePg(t.pool, migrations)).rejects.toThrow(/newer than this code/);
      } finally {
        await t.drop();
      }
    });

    it('rolls back a failing migration whole and records nothing of it', async () => {
      const t = await openPgTestStore(url!, { migrate: false });
      try {
        const bad = [...migrations, { version: migrations.length + 1, name: 'bad.sql', sql: 'CREATE TABLE half (x INT); SELECT * FROM no_such_table;' }];
        await expect(migratePg(t.pool, bad)).rejects.toThrow();
        const rows = await t.pool.query(`SELECT to_regclass('half') AS t, (SELECT MAX(version) FROM schema_migrations) AS v`);
        expect(rows.rows[0]).toEqual({ t: null, v: migrations.length });
      } finally {
        await t.drop();
      }
    });

    it('answers 503 storage_unavailable when PostgreSQL cannot be reached, and health says so', async () => {
      const pool = createPool('postgres://postgres@127.0.0.1:1/none', { connectionTimeoutMillis: 1000 });
      const store = createPgStore(pool);
      try {
        await expect(store.articles.list()).rejects.toMatchObject({ code: 'storage_unavailable', status: 503 });
        expect(await store.health()).toMatchObject({ ok: false, code: 'storage_unavailable' });
      } finally {
        await store.close();
      }
    });
  });
});
