// Group commit: writes queued in one turn of the event loop share a transaction, each in its own
// savepoint; a caller hears back only after the commit, and one failing write fails alone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDb, type Db } from '../server/db/open';
import { createWriteBatcher } from '../server/db/write-batch';

describe('the write batcher', () => {
  let dir: string;
  let db: Db;
  let other: Database.Database;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yilun-batch-'));
    db = openDb(path.join(dir, 'b.db'));
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)');
    other = new Database(path.join(dir, 'b.db'), { readonly: true });
  });
  afterEach(() => {
    other.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const count = () => (other.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n;

  it('commits writes queued together in one transaction, visible to another connection when the first caller hears back', async () => {
    const { write } = createWriteBatcher(db);
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const inTx: boolean[] = [];
    const pending = Array.from({ length: 50 }, (_, i) =>
      write(() => {
        inTx.push(db.inTransaction);
        return Number(insert.run(`v${i}`).lastInsertRowid);
      }),
    );
    expect(count()).toBe(0);
    const first = await pending[0];
    expect(count()).toBe(50);
    expect(first).toBe(1);
    expect(await Promise.all(pending)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(inTx.every(Boolean)).toBe(true);
  });

  it('rolls back only the write that failed; the others of its batch commit', async () => {
    const { write } = createWriteBatcher(db);
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const a = write(() => insert.run('a'));
    const dup = write(() => {
      insert.run('partial');
      return insert.run('a'); // UNIQUE violation: 'partial' must roll back with it
    });
    const c = write(() => insert.run('c'));
    await expect(dup).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE' });
    await Promise.all([a, c]);
    expect((other.prepare('SELECT v FROM t ORDER BY id').all() as { v: string }[]).map((r) => r.v)).toEqual(['a', 'c']);
  });

  it('commits queued writes at once on flush (shutdown)', async () => {
    const batch = createWriteBatcher(db);
    const p = batch.write(() => db.prepare('INSERT INTO t (v) VALUES (?)').run('x'));
    batch.flush();
    expect(count()).toBe(1);
    await p;
  });
});
