// Choosing the store: DATABASE_URL selects PostgreSQL and then demands the shared secrets; periodic chores
// run only where the store grants the maintenance lease.
import { ConfigError, loadConfig } from '../server/config';
import { createMaintenance } from '../server/maintenance/schedule';
import { openDb } from '../server/db/open';
import { migrate, readMigrations } from '../server/db/migrate';
import { createSqliteStore } from '../server/db/sqlite.store';
import { silentLogger } from '../server/log';
import { paths } from '../server/paths';

const SECRET = 'x'.repeat(40);

describe('DATABASE_URL', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };

  it('refuses to start on PostgreSQL without SESSION_SECRET and IP_HASH_KEY in the environment, naming both', () => {
    expect(problems({ DATABASE_URL: 'postgres://db/yilun' })).toEqual([
      'SESSION_SECRET must be set when DATABASE_URL is set (the same value on every node)',
      'IP_HASH_KEY must be set when DATABASE_URL is set (the same value on every node)',
    ]);
  });

  it('accepts a postgres URL with both secrets, refuses another scheme, and leaves SQLite the default', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@db/yilun', SESSION_SECRET: SECRET, IP_HASH_KEY: SECRET })).toMatchObject({ databaseUrl: 'postgresql://u@db/yilun', databasePoolMax: 10 });
    expect(problems({ DATABASE_URL: 'mysql://db/yilun', SESSION_SECRET: SECRET, IP_HASH_KEY: SECRET })).toEqual(['DATABASE_URL must be a postgres:// or postgresql:// URL']);
    expect(loadConfig({}).databaseUrl).toBeUndefined();
  });
});

describe('maintenance on several nodes', () => {
  it('runs the chores on its timer only while the store grants the lease', async () => {
    const db = openDb(':memory:');
    migrate(db, readMigrations(paths.migrations()));
    const store = createSqliteStore(db);
    let granted = false;
    const leases: [string, number][] = [];
    const prune = jest.spyOn(store.comments, 'pruneEvents');
    const m = createMaintenance({
      store: { ...store, tryLease: async (name, ttl) => (leases.push([name, ttl]), granted) },
      now: Date.now,
      log: silentLogger,
      intervalMs: 20,
    });
    m.start();
    await new Promise((r) => setTimeout(r, 80));
    expect(leases.length).toBeGreaterThan(0);
    expect(leases[0]).toEqual(['maintenance', 40]);
    expect(prune).not.toHaveBeenCalled();
    granted = true;
    await new Promise((r) => setTimeout(r, 80));
    m.stop();
    expect(prune).toHaveBeenCalled();
    await store.close();
  });
});
