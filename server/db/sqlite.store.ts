// Owns assembling the SQLite Store from the per-concern repos over one connection, with the guard
// that stops writes when the file under the connection was deleted or replaced.
import { createArticlesRepo } from '../articles/articles.repo';
import { createCommentsRepo } from '../comments/comments.repo';
import { createCommentWriter } from '../comments/comments.writer';
import { createAuthorsRepo } from '../identity/authors.repo';
import { createModerationRepo } from '../moderation/moderation.repo';
import { createModeratorsRepo } from '../moderation/moderators.repo';
import { createTransferRepo } from '../transfer/transfer.repo';
import { createNotifyRepo } from '../notify/notify.repo';
import { createEmbedRepo } from '../embed/embed.repo';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';
import type { Logger } from '../log';
import { watchDbFile, type FileWatch } from './file-watch';
import { closeDb, type Db } from './open';
import { createWriteBatcher, isBusyError } from './write-batch';
import type { Store, StoreHealth } from './store';

export interface SqliteStoreOptions {
  /** How long a write waits for a write lock held by another process (then 503 storage_busy). */
  lockTimeoutMs?: number;
  /** Compare the open file with the path every this many ms (0: never; always off for :memory:). */
  watchIntervalMs?: number;
  log?: Logger;
}

/** Every write goes through one group-commit batcher (db/write-batch.ts); reads go straight to the connection. */
export function createSqliteStore(db: Db, opts: SqliteStoreOptions = {}): Store {
  let watch: FileWatch | undefined;
  if (opts.watchIntervalMs && db.name !== ':memory:') {
    watch = watchDbFile(db.name, opts.watchIntervalMs, (problem) =>
      opts.log?.error('database file lost: refusing writes until restarted on the right file', { problem }),
    );
  }
  const guard = () => {
    const problem = watch?.check();
    return problem ? new AppError('storage_unavailable', 503, msg('storage_unavailable'), { retryAfter: 60 }, { 'Retry-After': '60' }) : undefined;
  };
  const writer = createCommentWriter(db);
  const batch = createWriteBatcher(db, { lockTimeoutMs: opts.lockTimeoutMs, guard });
  const { write } = batch;
  const probe = db.prepare('SELECT COUNT(*) FROM schema_migrations');
  const health = async (): Promise<StoreHealth> => {
    const problem = watch?.check();
    if (problem) return { ok: false, code: 'storage_unavailable', problem };
    try {
      probe.get();
      return { ok: true };
    } catch (err) {
      return { ok: false, code: isBusyError(err) ? 'storage_busy' : 'storage_unavailable', problem: (err as Error).message };
    }
  };
  return {
    articles: createArticlesRepo(db, write),
    comments: createCommentsRepo(db, writer, write),
    authors: createAuthorsRepo(db, write),
    moderation: createModerationRepo(db, writer, write),
    moderators: createModeratorsRepo(db, write),
    transfer: createTransferRepo(db, writer, write),
    notify: createNotifyRepo(db, write),
    embed: createEmbedRepo(db, write),
    health,
    tryLease: async () => true,
    close: async () => {
      watch?.stop();
      await batch.drain();
      const failed = closeDb(db);
      if (failed) opts.log?.warn('final checkpoint failed; committed data stays in the WAL and is applied at the next start', { code: (failed as { code?: string }).code, error: failed.message });
    },
  };
}
