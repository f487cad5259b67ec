-- Comments and replies. Nothing is ever physically deleted: status records what happened.
CREATE TABLE comments (
  id              INTEGER PRIMARY KEY,
  article_id      INTEGER NOT NULL REFERENCES articles (id),
  parent_id       INTEGER REFERENCES comments (id),
  -- top-level ancestor; NULL for a top-level comment
  root_id         INTEGER REFERENCES comments (id),
  depth           INTEGER NOT NULL DEFAULT 0,
  author_id       INTEGER NOT NULL REFERENCES authors (id),
  author_name     TEXT    NOT NULL,
  -- parent's author name, kept for the "@名字" of flattened deep replies
  reply_to_name   TEXT,
  body            TEXT    NOT NULL,
  -- safe rendering of body, produced once at write time
  html            TEXT    NOT NULL,
  status          TEXT    NOT NULL CHECK (status IN ('published', 'pending', 'rejected', 'deleted')),
  created_at      INTEGER NOT NULL,
  edited_at       INTEGER,
  deleted_at      INTEGER,
  likes           INTEGER NOT NULL DEFAULT 0,
  -- published comments anywhere below this one
  reply_count     INTEGER NOT NULL DEFAULT 0,
  ip_hash         TEXT,
  pinned_at       INTEGER,
  -- why the comment waits in 待审核: a rule code, or 'reports'
  held_reason     TEXT,
  report_count    INTEGER NOT NULL DEFAULT 0,
  -- reports not yet reviewed by a moderator (the 被举报 queue)
  reports_open    INTEGER NOT NULL DEFAULT 0,
  moderated_at    INTEGER,
  moderated_by    INTEGER,
  moderation_note TEXT
);
-- keyset pages of top-level comments: newest / oldest, and most liked
CREATE INDEX comments_top_recent ON comments (article_id, id) WHERE parent_id IS NULL;
CREATE INDEX comments_top_likes  ON comments (article_id, likes, id) WHERE parent_id IS NULL;
CREATE INDEX comments_pinned     ON comments (article_id, pinned_at) WHERE pinned_at IS NOT NULL;
-- replies of a thread in order
CREATE INDEX comments_thread     ON comments (root_id, id) WHERE root_id IS NOT NULL;
CREATE INDEX comments_parent     ON comments (parent_id) WHERE parent_id IS NOT NULL;
-- an author's recent comments (repeat-post rule, moderation context)
CREATE INDEX comments_author     ON comments (author_id, created_at);
CREATE INDEX comments_ip         ON comments (ip_hash, created_at) WHERE ip_hash IS NOT NULL;
-- moderation queues
CREATE INDEX comments_status     ON comments (status, id);
CREATE INDEX comments_reported   ON comments (id) WHERE reports_open > 0;
