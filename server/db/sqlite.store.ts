// Owns assembling the SQLite Store from the per-concern repos over one connection.
import { createArticlesRepo } from '../articles/articles.repo';
import { createCommentsRepo } from '../comments/comments.repo';
import { createCommentWriter } from '../comments/comments.writer';
import { createAuthorsRepo } from '../identity/authors.repo';
import { createModerationRepo } from '../moderation/moderation.repo';
import { createModeratorsRepo } from '../moderation/moderators.repo';
import { closeDb, type Db } from './open';
import type { Store } from './store';

export function createSqliteStore(db: Db): Store {
  const writer = createCommentWriter(db);
  return {
    articles: createArticlesRepo(db),
    comments: createCommentsRepo(db, writer),
    authors: createAuthorsRepo(db),
    moderation: createModerationRepo(db, writer),
    moderators: createModeratorsRepo(db),
    close: async () => closeDb(db),
  };
}
