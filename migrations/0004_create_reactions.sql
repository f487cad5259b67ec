-- One 点赞 per author per comment; comments.likes is the kept count.
CREATE TABLE reactions (
  comment_id INTEGER NOT NULL REFERENCES comments (id),
  author_id  INTEGER NOT NULL REFERENCES authors (id),
  kind       TEXT    NOT NULL DEFAULT 'like' CHECK (kind IN ('like')),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (comment_id, author_id, kind)
) WITHOUT ROWID;
CREATE INDEX reactions_author ON reactions (author_id, comment_id);
