-- Articles a thread hangs under. comment_count and seq are kept by the comment writes (no COUNT(*) on the hot path).
CREATE TABLE articles (
  id              INTEGER PRIMARY KEY,
  slug            TEXT    NOT NULL UNIQUE,
  title           TEXT    NOT NULL,
  body            TEXT    NOT NULL,
  created_at      INTEGER NOT NULL,
  -- published comments only (what the 评论列表 heading shows)
  comment_count   INTEGER NOT NULL DEFAULT 0,
  -- per-article event sequence; every visible change bumps it (reconnect catch-up)
  seq             INTEGER NOT NULL DEFAULT 0,
  -- NULL = follow the site default
  moderation_mode TEXT    CHECK (moderation_mode IN ('post', 'pre')),
  comments_closed INTEGER NOT NULL DEFAULT 0 CHECK (comments_closed IN (0, 1))
);
CREATE INDEX articles_created ON articles (created_at);
