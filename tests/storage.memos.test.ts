// What the SQLite store keeps in memory so that a post does not read what it already knows: each network's
// recent post times (the stored-comments rule) and "no ban is in force". Both must stay exactly what the file
// says for this process's own writes; a ban another process writes is seen within a second.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createNetworkTimes } from '../server/db/network-times';
import { openDb } from '../server/db/open';
import { migrate, readMigrations } from '../server/db/migrate';
import { createSqliteStore } from '../server/db/sqlite.store';
import { paths } from '../server/paths';
import type { Store } from '../server/db/store';

describe('network post times in memory', () => {
  const fileOf = (rows: Record<string, number[]>) => {
    const reads: string[] = [];
    const load = (ip: string, since: number, limit: number) => {
      reads.push(ip);
      return (rows[ip] ?? []).filter((t) => t >= since).slice(-limit);
    };
    return { reads, load };
  };

  it('reads a network from the file once, then follows the writes it is told of', () => {
    const file = fileOf({ a: [5, 10] });
    const times = createNetworkTimes(file.load);
    expect(times.times('a', 0, 3)).toEqual([]);
    times.add('a', 20);
    expect(times.times('a', 0, 3)).toEqual([5, 10, 20]);
    times.add('a', 30);
    expect(times.times('a', 0, 3)).toEqual([10, 20, 30]);
    expect(times.times('a', 8, 3)).toEqual([10, 20, 30]);
    expect(times.times('a', 15, 3)).toEqual([]);
    // A clock stepped back: the time goes in its place.
    times.add('a', 25);
    expect(times.times('a', 15, 3)).toEqual([20, 25, 30]);
    expect(file.reads).toEqual(['a']);
    // Writes of a network never read are left to the file; null networks (imports without one) are no network.
    times.add('b', 1);
    times.add(null, 1);
    expect(times.size()).toBe(1);
  });

  it('reads the file again for a wider window, after a rolled-back write, and after clear', () => {
    const file = fileOf({ a: [5, 10, 20] });
    const times = createNetworkTimes(file.load);
    expect(times.times('a', 8, 4)).toEqual([]);
    expect(times.times('a', 0, 4)).toEqual([]);
    times.add('a', 40);
    expect(times.times('a', 0, 4)).toEqual([5, 10, 20, 40]);
    expect(file.reads).toEqual(['a', 'a']);
    // The write of 40 was rolled back: the next answer is the file's.
    times.forget('a');
    expect(times.times('a', 0, 4)).toEqual([]);
    times.clear();
    expect(times.times('a', 0, 3)).toEqual([5, 10, 20]);
    expect(file.reads).toEqual(['a', 'a', 'a', 'a']);
  });

  it('does not hold a network at its limit (the file answered the rule), and sweeps idle networks', () => {
    const file = fileOf({ full: [1, 2, 3] });
    const times = createNetworkTimes(file.load);
    expect(times.times('full', 0, 3)).toEqual([1, 2, 3]);
    expect(times.size()).toBe(0);
    for (let i = 0; i < 4096; i++) times.times(`n${i}`, 100, 5);
    expect(times.size()).toBe(4096);
    times.add('n1', 150);
    // The next new network sweeps every network with nothing left in its window.
    times.times('late', 100, 5);
    expect(times.size()).toBe(2);
    expect(times.times('n1', 100, 1)).toEqual([150]);
  });
});

describe('the SQLite store\'s memos against the file', () => {
  let dir: string;
  let store: Store;
  const T0 = 1_700_000_000_000;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yilun-memo-'));
    const db = openDb(path.join(dir, 'm.db'));
    migrate(db, readMigrations(paths.migrations()));
    store = createSqliteStore(db);
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sees a ban another process wrote within a second of its last look', async () => {
    const author = await store.authors.ensure('tok', T0, null);
    expect(await store.moderation.activeBan(author, 'net-1', T0)).toBeUndefined();
    const other = new Database(path.join(dir, 'm.db'));
    other.prepare(`INSERT INTO bans (author_id, ip_hash, reason, created_at, expires_at, created_by) VALUES (?, NULL, 'cli', ?, NULL, NULL)`).run(author, T0);
    other.close();
    const seen = await store.moderation.activeBan(author, 'net-1', T0 + 1000);
    expect(seen).toMatchObject({ authorId: author, reason: 'cli' });
  });

  it('answers each post\'s network rule from memory, equal to the file\'s answer, over a run of posts', async () => {
    const article = await store.articles.insert({ slug: 'a', title: 'A', body: '', createdAt: T0 });
    const nets = ['n1', 'n2', 'n3'];
    const written: Record<string, number[]> = { n1: [], n2: [], n3: [] };
    const fromFile = (ip: string, since: number, limit: number) => {
      const inWindow = written[ip].filter((t) => t >= since);
      return inWindow.length < limit ? [] : inWindow.slice(-limit);
    };
    for (let i = 0; i < 60; i++) {
      const ip = nets[(i * 7) % 3];
      const now = T0 + i * 10;
      expect((await store.moderation.postChecks(null, ip, now, now - 100, 4)).ipTimes).toEqual(fromFile(ip, now - 100, 4));
      await store.comments.insert({
        articleId: article.id, parent: null, authorId: null, newAuthorTokenHash: `t${i}`, authorName: '读者', body: `第${i}条`,
        html: `<p>第${i}条</p>`, status: 'published', heldReason: null, ipHash: ip, createdAt: now,
      });
      written[ip].push(now);
    }
  });
});
