// Owns seeding big threads straight into SQLite for the thread-size runs: Yilun's real migrations
// and article import, then comments with replies and every kept count true (articles.comment_count
// and seq, comments.reply_count = published descendants, root_id/depth, authors.published_count,
// one 'created' event per comment), all in one transaction.
import crypto from 'node:crypto';
import path from 'node:path';
import type { Synchronous } from '../../server/config';
import { closeDb, openDb } from '../../server/db/open';
import { migrate, readMigrations } from '../../server/db/migrate';
import { createSqliteStore } from '../../server/db/sqlite.store';
import { importContent } from '../../server/articles/articles.service';
import { renderBody } from '../../server/comments/comments.render';
import { paths } from '../../server/paths';
import { openFloorDb } from '../floor';
import { SLUG } from './procs';

const AUTHORS = 500;
/** Replies per top-level comment, cycled: 3 on average, so a quarter of the thread is top level. */
const REPLY_PATTERN = [0, 1, 3, 8];
const PHRASES = ['我觉得这篇文章说得有道理。', '芯片出口管制的问题比想象中复杂。', '**重点**在于算力和人才。', '> 引用一句原文\n我不太同意。', '两家公司各有立场,值得`讨论`。'];

const synchronous = () => (process.env.DB_SYNCHRONOUS ?? 'FULL').toUpperCase() as Synchronous;

function bodyFor(i: number): string {
  return `第 ${i} 条:${PHRASES[i % PHRASES.length]}${i % 7 === 0 ? '\n\n' + PHRASES[(i + 2) % PHRASES.length] : ''}`;
}

interface Planned {
  parent: number;
  root: number;
  depth: number;
  author: number;
}

/** The thread's shape: top-level comments in id order, each followed by its replies, nested up to depth 3. */
function plan(total: number): Planned[] {
  const out: Planned[] = [];
  for (let g = 0; out.length < total; g++) {
    const root = out.length;
    out.push({ parent: -1, root: -1, depth: 0, author: g % AUTHORS });
    let prev = root;
    for (let j = 0; j < REPLY_PATTERN[g % REPLY_PATTERN.length] && out.length < total; j++) {
      // Odd replies answer the previous reply (a conversation going deeper), even ones the top comment.
      const parent = j % 2 === 1 && out[prev].depth < 3 ? prev : root;
      out.push({ parent, root, depth: out[parent].depth + 1, author: (g * 7 + j + 1) % AUTHORS });
      prev = out.length - 1;
    }
  }
  return out;
}

/** Creates dataDir/yilun.db with the article and `total` published comments. */
export async function seedYilun(dataDir: string, total: number): Promise<void> {
  const db = openDb(path.join(dataDir, 'yilun.db'), synchronous());
  migrate(db, readMigrations(paths.migrations()));
  const now = Date.now();
  await importContent(createSqliteStore(db), paths.content(), now - 7 * 86_400_000);
  const articleId = db.prepare('SELECT id FROM articles WHERE slug = ?').pluck().get(SLUG) as number;
  const rows = plan(total);
  const replyCount = new Array<number>(rows.length).fill(0);
  for (const r of rows) for (let p = r.parent; p >= 0; p = rows[p].parent) replyCount[p]++;
  const published = new Array<number>(AUTHORS).fill(0);
  for (const r of rows) published[r.author]++;
  const names = Array.from({ length: AUTHORS }, (_, i) => `读者${i}`);

  const insertAuthor = db.prepare('INSERT INTO authors (id, token_hash, created_at, published_count) VALUES (?, ?, ?, ?)');
  const insertComment = db.prepare(`INSERT INTO comments
    (id, article_id, parent_id, root_id, depth, author_id, author_name, reply_to_name, body, html, status, created_at, likes, reply_count)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'published', ?, ?, ?)`);
  const insertEvent = db.prepare(`INSERT INTO article_events (article_id, seq, type, comment_id, created_at) VALUES (?, ?, 'created', ?, ?)`);
  const firstAuthor = ((db.prepare('SELECT MAX(id) FROM authors').pluck().get() as number | null) ?? 0) + 1;
  const firstComment = ((db.prepare('SELECT MAX(id) FROM comments').pluck().get() as number | null) ?? 0) + 1;
  db.transaction(() => {
    for (let a = 0; a < AUTHORS; a++) {
      insertAuthor.run(firstAuthor + a, crypto.randomBytes(32).toString('base64url'), now - 30 * 86_400_000, published[a]);
    }
    rows.forEach((r, i) => {
      const id = firstComment + i;
      const body = bodyFor(i);
      // Spread over the last few hours, inside the 7-day event log window.
      const at = now - (rows.length - i) * 100;
      insertComment.run(
        id,
        articleId,
        r.parent >= 0 ? firstComment + r.parent : null,
        r.root >= 0 ? firstComment + r.root : null,
        r.depth,
        firstAuthor + r.author,
        names[r.author],
        r.parent >= 0 ? names[rows[r.parent].author] : null,
        body,
        renderBody(body),
        at,
        (i * 31) % 17,
        replyCount[i],
      );
      insertEvent.run(articleId, i + 1, id, at);
    });
    db.prepare('UPDATE articles SET comment_count = ?, seq = ? WHERE id = ?').run(rows.length, rows.length, articleId);
  })();
  closeDb(db);
}

/** The floor's flat table with the same number of comments. */
export function seedFloor(dataDir: string, total: number): void {
  const db = openFloorDb(path.join(dataDir, 'floor.db'), synchronous());
  const insert = db.prepare('INSERT INTO comments (article, author_name, body, created_at) VALUES (?, ?, ?, ?)');
  const now = Date.now();
  db.transaction(() => {
    for (let i = 0; i < total; i++) insert.run(SLUG, `读者${i % AUTHORS}`, bodyFor(i), now - (total - i) * 100);
  })();
  closeDb(db);
}
