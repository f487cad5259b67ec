// Schema migrations: each applies to an empty database and to one seeded at the previous version,
// the result matches a fresh install, and a database newer than the code is refused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb, type Db } from '../server/db/open';
import { migrate, MigrationError, readMigrations, schemaVersion } from '../server/db/migrate';
import { createSqliteStore } from '../server/db/sqlite.store';
import { paths } from '../server/paths';

const ALL = readMigrations(paths.migrations());
const NOW = Date.UTC(2025, 4, 3);

/** Representative rows for the tables that exist once migration `version` has run. */
const SEEDS: Record<number, string> = {
  1: `INSERT INTO articles (id, slug, title, body, created_at, comment_count, seq) VALUES (1, 'seeded', '旧文章', '正文', ${NOW}, 2, 3);`,
  2: `INSERT INTO authors (id, token_hash, created_at, published_count) VALUES (1, 'hash-1', ${NOW}, 2), (2, 'hash-2', ${NOW}, 0);`,
  3: `INSERT INTO comments (id, article_id, parent_id, root_id, depth, author_id, author_name, reply_to_name, body, html, status, created_at, reply_count)
      VALUES (1, 1, NULL, NULL, 0, 1, '甲', NULL, '旧评论', '<p>旧评论</p>', 'published', ${NOW}, 1),
             (2, 1, 1, 1, 1, 1, '甲', '甲', '旧回复', '<p>旧回复</p>', 'published', ${NOW + 1}, 0),
             (3, 1, NULL, NULL, 0, 2, '乙', NULL, '待审', '<p>待审</p>', 'pending', ${NOW + 2}, 0);`,
  4: `INSERT INTO reactions (comment_id, author_id, created_at) VALUES (1, 2, ${NOW}); UPDATE comments SET likes = 1 WHERE id = 1;`,
  5: `INSERT INTO article_events (article_id, seq, type, comment_id, created_at) VALUES (1, 1, 'created', 1, ${NOW}), (1, 2, 'created', 2, ${NOW}), (1, 3, 'reaction', 1, ${NOW});`,
  6: `INSERT INTO moderators (id, username, password_hash, role, created_at) VALUES (1, 'admin', 'scrypt$x', 'admin', ${NOW});
      INSERT INTO moderator_sessions (token_hash, moderator_id, created_at, expires_at) VALUES ('s1', 1, ${NOW}, ${NOW + 3_600_000});
      INSERT INTO login_failures (key, failures, first_at) VALUES ('user:admin', 1, ${NOW});`,
  7: `INSERT INTO site_settings (key, value) VALUES ('linkLimit', '3');
      INSERT INTO words (word, kind, created_at) VALUES ('违禁', 'banned', ${NOW});
      INSERT INTO bans (author_id, reason, created_at, created_by) VALUES (2, '刷屏', ${NOW}, 1);
      INSERT INTO reports (comment_id, author_id, reason, created_at) VALUES (1, 2, 'spam', ${NOW});
      INSERT INTO audit_log (moderator_id, action, target_type, target_id, created_at) VALUES (1, 'ban', 'author', 2, ${NOW});`,
  8: `INSERT INTO comment_revisions (comment_id, body, status, replaced_at) VALUES (1, '改之前的评论', 'published', ${NOW + 5});`,
  9: `INSERT INTO reports (comment_id, author_id, reason, created_at, ip_hash, weight) VALUES (2, 2, 'abuse', ${NOW}, 'net-2', 0.5);
      INSERT INTO login_failure_log (moderator_id, ip_hash, created_at) VALUES (1, 'net-9', ${NOW});
      UPDATE moderators SET last_login_at = ${NOW} WHERE id = 1;`,
  10: `UPDATE comments SET import_key = 'disqus:1' WHERE id = 1;`,
  // Seeds for 0011-0014: each issue's work replaces its line with rows for its own tables.
  11: `UPDATE articles SET byline = '张三', published_at = ${NOW}, author_account = 'admin' WHERE id = 1;
      UPDATE comments SET staff = 'author' WHERE id = 2;`,
  12: `INSERT INTO sites (id, name, origins, moderation_mode, sso_secret, sso_required, login_url, created_at)
        VALUES (1, '新闻站', 'https://news.example.com', 'pre', 'secret-32-bytes-long-for-hs256-ok', 1, 'https://news.example.com/login', ${NOW});
      INSERT INTO articles (id, slug, title, body, created_at, site_id, page_key, page_url)
        VALUES (2, 's1-embedded', '嵌入页', '', ${NOW}, 1, 'page-1', 'https://news.example.com/a/1');`,
  13: `INSERT INTO notify_outbox (kind, comment_id, author_id, created_at, processed_at) VALUES ('comment.created', 2, 1, ${NOW}, ${NOW});
      INSERT INTO reply_inbox (author_id, comment_id, created_at) VALUES (1, 2, ${NOW});
      INSERT INTO mail_subscriptions (author_id, article_id, scope, email, lang, base_url, created_at, confirmed_at) VALUES (2, 1, 'replies', 'reader@example.com', 'zh-CN', 'https://example.com', ${NOW}, ${NOW});
      INSERT INTO notify_pending (recipient, comment_id, kind, created_at) VALUES ('sub:1', 2, 'reply', ${NOW});
      INSERT INTO notify_deliveries (channel, idem_key, kind, target_id, payload, next_at, created_at) VALUES ('webhook', 'wh-1-ev-1', 'webhook', 1, '{}', ${NOW}, ${NOW});
      INSERT INTO webhooks (url, format, secret, events, created_at) VALUES ('https://hooks.example.com/y', 'json', 's3cret-s3cret-s3cret', '["comment.created"]', ${NOW});
      INSERT INTO moderator_alerts (moderator_id, email, mode, lang, base_url) VALUES (1, 'mod@example.com', 'hourly', 'zh-CN', 'https://example.com');`,
  14: `UPDATE articles SET slow_mode_seconds = 120 WHERE id = 1;
      UPDATE comments SET featured_at = ${NOW + 9}, reactions = '{"agree":1}', score = likes + 1 WHERE id = 1;
      INSERT INTO comment_reactions (comment_id, author_id, kind, created_at, ip_hash) VALUES (1, 2, 'agree', ${NOW}, 'net-2');`,
  15: `UPDATE comments SET verified_site_id = 1, verified_avatar = 'https://news.example.com/u/1.png' WHERE id = 2;`,
  16: `INSERT INTO articles (id, slug, title, body, created_at, site_id, page_key, page_url, merged_into, comments_closed)
        VALUES (3, 's1-moved', '旧地址', '', ${NOW}, 1, 'page-old', 'https://news.example.com/old/1', 2, 1);`,
  17: `INSERT INTO heat_alarms (article_id, raised_at) VALUES (1, ${NOW});`,
};

function schemaOf(db: Db): { type: string; name: string; sql: string }[] {
  return db.prepare(`SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`).all() as never;
}

function countsOf(db: Db): Record<string, number> {
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'`).pluck().all() as string[];
  return Object.fromEntries(tables.map((t) => [t, (db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get() as number)]));
}

describe('migrations', () => {
  let dbs: Db[];
  const open = () => {
    const db = openDb(':memory:');
    dbs.push(db);
    return db;
  };
  beforeEach(() => {
    dbs = [];
  });
  afterEach(() => dbs.forEach((d) => d.open && d.close()));

  it('are numbered 0001 onwards without gaps and each has a seed here', () => {
    expect(ALL.map((m) => m.version)).toEqual(ALL.map((_, i) => i + 1));
    expect(Object.keys(SEEDS).map(Number)).toEqual(ALL.map((m) => m.version));
  });

  it.each(ALL.map((m) => [m.name, m.version]))('%s applies to an empty database on its own', (_name, version) => {
    const db = open();
    expect(migrate(db, ALL.slice(0, version))).toHaveLength(version);
    expect(schemaVersion(db)).toBe(version);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it.each(ALL.map((m) => [m.name, m.version]))('%s applies to a database seeded at the previous version, keeping its rows', (_name, version) => {
    const db = open();
    migrate(db, ALL.slice(0, version - 1));
    for (let v = 1; v < version; v++) db.exec(SEEDS[v]);
    const before = countsOf(db);
    const applied = migrate(db, ALL);
    expect(applied).toEqual(ALL.slice(version - 1).map((m) => m.name));
    expect(schemaVersion(db)).toBe(ALL.length);
    for (const [table, n] of Object.entries(before)) expect({ table, n: countsOf(db)[table] }).toEqual({ table, n });
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('gives an upgraded database the same schema as a fresh install', () => {
    const fresh = open();
    migrate(fresh, ALL);
    for (let k = 1; k < ALL.length; k++) {
      const old = open();
      migrate(old, ALL.slice(0, k));
      migrate(old, ALL);
      expect(schemaOf(old)).toEqual(schemaOf(fresh));
    }
  });

  it('serves the seeded data through the store after upgrading from version 1', async () => {
    const db = open();
    migrate(db, ALL.slice(0, 1));
    for (const v of ALL.map((m) => m.version)) {
      if (v > 1) migrate(db, ALL.slice(0, v));
      db.exec(SEEDS[v]);
    }
    const store = createSqliteStore(db);
    const article = await store.articles.getBySlug('seeded');
    expect(article).toMatchObject({ title: '旧文章', commentCount: 2, seq: 3 });
    const page = await store.comments.listTopLevel({ articleId: 1, sort: 'newest', limit: 10, viewerAuthorId: null });
    expect(page.map((c) => c.id)).toEqual([1]);
    expect(await store.comments.listReplies(1, 0, 10, null)).toEqual([expect.objectContaining({ id: 2, replyToName: '甲' })]);
    expect(await store.comments.likedBy(2, [1, 2])).toEqual(new Set([1]));
    expect((await store.comments.eventsSince(1, 1, 10)).map((e) => e.seq)).toEqual([2, 3]);
  });

  it('applies nothing the second time', () => {
    const db = open();
    expect(migrate(db, ALL)).toHaveLength(ALL.length);
    expect(migrate(db, ALL)).toEqual([]);
  });

  it('refuses a database newer than the code with MigrationError and leaves it untouched', () => {
    const db = open();
    migrate(db, ALL);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(ALL.length + 1, '9999_future.sql', NOW);
    expect(() => migrate(db, ALL)).toThrow(MigrationError);
    expect(() => migrate(db, ALL)).toThrow(/newer than this code/);
    expect(schemaVersion(db)).toBe(ALL.length + 1);
  });

  it('rolls a failing migration back whole, keeping the version before it', () => {
    const db = open();
    const broken = [...ALL, { version: ALL.length + 1, name: 'broken.sql', sql: 'CREATE TABLE half_done (x INTEGER); SELECT * FROM no_such_table;' }];
    expect(() => migrate(db, broken)).toThrow();
    expect(schemaVersion(db)).toBe(ALL.length);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'half_done'`).get()).toBeUndefined();
  });

  it('refuses a migrations folder with a gap in its numbering', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yilun-mig-'));
    try {
      fs.writeFileSync(path.join(dir, '0001_a.sql'), 'CREATE TABLE a (x);');
      fs.writeFileSync(path.join(dir, '0003_c.sql'), 'CREATE TABLE c (x);');
      expect(() => readMigrations(dir)).toThrow(MigrationError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
