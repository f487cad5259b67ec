// Owns assembling the SQLite Store from the per-concern repos over one connection.
import { createArticlesRepo } from '../articles/articles.repo';
import { createCommentsRepo } from '../comments/comments.repo';
import { createCommentWriter } from '../comments/comments.writer';
import { createAuthorsRepo } from '../identity/authors.repo';
import { createModerationRepo } from '../moderation/moderation.repo';
import { createModeratorsRepo } from '../moderation/moderators.repo';
import { closeDb, type Db } from './open';
import { createWriteBatcher } from './write-batch';
import type { Store } from './store';

/** Every write goes through one group-commit batcher (db/write-batch.ts); reads go straight to the connection. */
export function createSqliteStore(db: Db): Store {
  const writer = createCommentWriter(db);
  const batch = createWriteBatcher(db);
  const { write } = batch;
  return {
    articles: createArticlesRepo(db, write),
    comments: createCommentsRepo(db, writer, write),
    authors: createAuthorsRepo(db, write),
    moderation: createModerationRepo(db, writer, write),
    moderators: createModeratorsRepo(db, write),
    close: async () => {
      batch.flush();
      closeDb(db);
    },
  };
}
