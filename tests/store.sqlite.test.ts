// The Store contract on SQLite: a fresh in-memory database with the real migrations per test.
import { openDb } from '../server/db/open';
import { migrate, readMigrations } from '../server/db/migrate';
import { createSqliteStore } from '../server/db/sqlite.store';
import { paths } from '../server/paths';
import { describeStoreContract } from './store.contract';

describeStoreContract('SQLite', async () => {
  const db = openDb(':memory:');
  migrate(db, readMigrations(paths.migrations()));
  const store = createSqliteStore(db);
  return { store, close: () => store.close() };
});
