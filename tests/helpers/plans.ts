// Test helpers for query plans: capture the SQL a repo prepares, and read EXPLAIN QUERY PLAN for it.
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../server/db/open';

/** Every SQL string `build` prepares on db, captured as it prepares them. */
export function preparedSql(db: Db, build: (db: Db) => unknown): string[] {
  const seen: string[] = [];
  const real = db.prepare.bind(db);
  const spy = jest.spyOn(db, 'prepare').mockImplementation(((sql: string) => {
    seen.push(sql);
    return real(sql);
  }) as typeof db.prepare);
  build(db);
  spy.mockRestore();
  return seen;
}

/** The plan's detail lines; every parameter bound to a harmless value (EXPLAIN does not run the query). */
export function planOf(db: Db, sql: string): string[] {
  const stmt: Statement = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const named = [...sql.matchAll(/@(\w+)/g)].map((m) => m[1]);
  const json = (name: string) => ['roots', 'ids'].includes(name);
  const rows = named.length
    ? stmt.all(Object.fromEntries(named.map((n) => [n, json(n) ? '[1,2,3]' : 1])))
    : stmt.all(...(sql.match(/\?/g) ?? []).map((_, i) => (i === 0 && /json_each\(\?\)/.test(sql) ? '[1,2,3]' : 1)));
  return (rows as { detail: string }[]).map((r) => r.detail);
}
