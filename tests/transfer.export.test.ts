// Export and restore: everything stored goes out as JSON lines, back into an empty database, and out again
// byte for byte; a bad export or a non-empty database is refused with nothing written.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../server/db/open';
import type { Store } from '../server/db/store';
import { exportAll, restoreFile } from '../server/transfer/export.service';
import { importFile } from '../server/transfer/import.service';
import { countProblems, fixture, freshStore, snapshot, testIpHash } from './helpers/transfer';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

async function exportText(store: Store): Promise<string> {
  let out = '';
  await exportAll(store, async (line) => void (out += line), NOW);
  return out;
}

/** A database with a bit of everything an export carries. */
async function seed(db: Db, store: Store): Promise<void> {
  await importFile(store, { format: 'disqus', file: fixture('disqus.xml'), ipHash: testIpHash, rejected: 'import' });
  await importFile(store, { format: 'waline', file: fixture('waline.json'), ipHash: testIpHash });
  const [c1, c2] = db.prepare(`SELECT id FROM comments WHERE status = 'published' ORDER BY id LIMIT 2`).pluck().all() as number[];
  const authorId = db.prepare(`SELECT author_id FROM comments WHERE id = ?`).pluck().get(c2) as number;
  await store.comments.toggleLike(c1, authorId, NOW, { ipHash: 'net-1', limit: 3, windowMs: 86_400_000 });
  await store.comments.updateBody(c2, { body: '改过的 "文字"\n第二行', html: '<p>改过的</p>', editedAt: NOW, status: 'published', heldReason: null });
  await store.comments.setStatus(c1, { status: 'deleted', at: NOW + 1 });
  db.exec(`INSERT INTO moderators (id, username, password_hash, role, created_at) VALUES (1, 'admin', 'scrypt$secret', 'admin', ${NOW});
    INSERT INTO bans (author_id, ip_hash, reason, created_at, expires_at, created_by) VALUES (${authorId}, 'net-1', '刷屏 <b>', ${NOW}, NULL, 1);
    INSERT INTO audit_log (moderator_id, action, target_type, target_id, reason, details, created_at) VALUES (1, 'ban', 'author', ${authorId}, 'x', '{"a":1}', ${NOW});
    INSERT INTO reports (comment_id, author_id, reason, note, created_at, ip_hash, weight) VALUES (${c2}, ${authorId}, 'spam', '备注', ${NOW}, 'net-2', 0.5);
    INSERT INTO site_settings (key, value) VALUES ('linkLimit', '3'), ('siteTitle', '议论 "站"');
    INSERT INTO words (word, kind, created_at) VALUES ('违禁', 'banned', ${NOW}), ('可疑', 'suspect', ${NOW});`);
}

describe('export and restore', () => {
  let tmp: string;
  const opened: { db: Db; store: Store }[] = [];
  const fresh = () => {
    const s = freshStore();
    opened.push(s);
    return s;
  };
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'yilun-export-'));
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.store.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('round-trips: export, restore into an empty database, export again is identical byte for byte', async () => {
    const a = fresh();
    await seed(a.db, a.store);
    const first = await exportText(a.store);
    const file = path.join(tmp, 'export.jsonl');
    fs.writeFileSync(file, first);

    const b = fresh();
    const r = await restoreFile(b.store, file);
    expect(r.rows).toMatchObject({ articles: 4, comments: 13, reactions: 1, bans: 1, audit_log: 1, comment_revisions: 1, site_settings: 2, words: 2, moderators: 1 });
    const second = await exportText(b.store);
    expect(second).toBe(first);
    expect(countProblems(b.db)).toEqual([]);
  });

  it('writes a header, then one {"table","row"} line per row, tables in order; password hashes stay home', async () => {
    const a = fresh();
    await seed(a.db, a.store);
    const lines = (await exportText(a.store)).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toEqual({ format: 'yilun', version: 1, exportedAt: new Date(NOW).toISOString() });
    const comment = lines.find((l) => l.table === 'comments')!.row as Record<string, unknown>;
    expect(comment).toEqual(expect.objectContaining({ id: expect.any(Number), article_id: expect.any(Number), parent_id: null, status: expect.any(String), import_key: expect.any(String) }));
    expect(lines.find((l) => l.table === 'moderators')!.row).not.toHaveProperty('password_hash');
    expect(JSON.stringify(lines)).not.toContain('scrypt$secret');
  });

  it('restores moderators without a usable password, and refuses a database that has content', async () => {
    const a = fresh();
    await seed(a.db, a.store);
    const file = path.join(tmp, 'export.jsonl');
    fs.writeFileSync(file, await exportText(a.store));
    const b = fresh();
    await restoreFile(b.store, file);
    expect(b.db.prepare(`SELECT password_hash FROM moderators`).pluck().get()).toBe('!');
    const before = snapshot(b.db);
    await expect(restoreFile(b.store, file)).rejects.toThrow(/empty database/);
    expect(snapshot(b.db)).toEqual(before);
  });

  it('stops on a bad line naming it, before writing anything; a dry run writes nothing', async () => {
    const a = fresh();
    await seed(a.db, a.store);
    const lines = (await exportText(a.store)).split('\n');
    const b = fresh();
    const before = snapshot(b.db);
    const cases: [string, RegExp][] = [
      [[...lines.slice(0, 5), '{"table":"comments","row":', ...lines.slice(5)].join('\n'), /line 6: not valid JSON/],
      [[...lines.slice(0, 3), '{"table":"secrets","row":{}}', ...lines.slice(3)].join('\n'), /line 4: expected \{"table"/],
      [lines.slice(1).join('\n'), /line 1: not a Yilun export/],
      [[lines[0], ...lines.slice(1).reverse()].join('\n'), /rows after .* rows/],
    ];
    for (const [text, message] of cases) {
      const file = path.join(tmp, 'bad.jsonl');
      fs.writeFileSync(file, text);
      await expect(restoreFile(b.store, file)).rejects.toThrow(message);
      expect(snapshot(b.db)).toEqual(before);
    }
    const good = path.join(tmp, 'good.jsonl');
    fs.writeFileSync(good, lines.join('\n'));
    expect((await restoreFile(b.store, good, { dryRun: true })).rows.comments).toBe(13);
    expect(snapshot(b.db)).toEqual(before);
  });
});
