// Storage trouble answered honestly: a write lock held by another connection is waited for on timers
// (the event loop keeps turning) up to a bound, then SQLITE_BUSY maps to 503 storage_busy; SQLite errors
// map to specific 503 codes with Retry-After; liveness and readiness answer.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { openDb, setBusyTimeout, type Db } from '../server/db/open';
import { createWriteBatcher } from '../server/db/write-batch';
import { ackError, toErrorBody } from '../server/errors';
import { useTestServer } from './helpers/server';

const sqliteError = (code: string) => Object.assign(new Error(code), { code });

describe('the write batcher under a lock held elsewhere', () => {
  let dir: string;
  let db: Db;
  let other: Database.Database;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yilun-busy-'));
    db = openDb(path.join(dir, 'b.db'));
    db.exec('CREATE TABLE t (v TEXT NOT NULL)');
    setBusyTimeout(db, 0);
    other = new Database(path.join(dir, 'b.db'));
    other.exec('BEGIN IMMEDIATE');
  });
  afterEach(() => {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const rows = () => (db.prepare('SELECT v FROM t').pluck().all() as string[]);

  it('waits on timers while the lock is held and commits once it is released', async () => {
    const { write } = createWriteBatcher(db, { lockTimeoutMs: 10_000 });
    let ran = 0;
    const p = write(() => {
      ran++;
      db.prepare('INSERT INTO t (v) VALUES (?)').run('a');
    });
    // The event loop keeps turning meanwhile (timers fire), and the write has not started.
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 10));
    expect(ran).toBe(0);
    other.exec('COMMIT');
    await p;
    expect([ran, rows()]).toEqual([1, ['a']]);
  });

  it('fails every waiting write with SQLITE_BUSY after the bound, having run none of them', async () => {
    const { write, drain } = createWriteBatcher(db, { lockTimeoutMs: 50 });
    let ran = 0;
    const writes = [1, 2, 3].map(() => write(() => void ran++));
    const results = await Promise.allSettled(writes);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_BUSY' });
    expect(ran).toBe(0);
    await drain();
    expect(db.inTransaction).toBe(false);
  });

  it('refuses queued writes unstarted when the guard says the file is gone', async () => {
    const guard = () => sqliteError('SQLITE_IOERR');
    other.exec('ROLLBACK');
    const { write } = createWriteBatcher(db, { guard });
    await expect(write(() => db.prepare('INSERT INTO t (v) VALUES (?)').run('x'))).rejects.toMatchObject({ code: 'SQLITE_IOERR' });
    expect(rows()).toEqual([]);
  });
});

describe('storage errors on the wire', () => {
  it.each([
    ['SQLITE_BUSY', 'storage_busy'],
    ['SQLITE_BUSY_RECOVERY', 'storage_busy'],
    ['SQLITE_LOCKED', 'storage_busy'],
    ['SQLITE_FULL', 'storage_full'],
    ['SQLITE_IOERR_WRITE', 'storage_unavailable'],
    ['SQLITE_READONLY', 'storage_unavailable'],
  ])('answers %s with 503 %s and Retry-After, over HTTP and in socket acks', (sqlite, code) => {
    const { status, body, headers } = toErrorBody(sqliteError(sqlite));
    expect(status).toBe(503);
    expect(body.code).toBe(code);
    expect(Number(headers?.['Retry-After'])).toBeGreaterThan(0);
    expect(ackError(sqliteError(sqlite))).toMatchObject({ ok: false, error: { code } });
  });

  it('keeps other SQLite errors (constraint violations: bugs) as 500 internal_error', () => {
    expect(toErrorBody(sqliteError('SQLITE_CONSTRAINT_UNIQUE')).status).toBe(500);
  });
});

describe('health endpoints', () => {
  const s = useTestServer();

  it('answers liveness and readiness with 200 while serving', async () => {
    expect((await request(s.url).get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await request(s.url).get('/readyz');
    expect([ready.status, ready.body]).toEqual([200, { status: 'ready' }]);
  });
});
