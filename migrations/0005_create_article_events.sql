-- The per-article change log behind reconnect catch-up: a client says the last seq it saw.
CREATE TABLE article_events (
  article_id INTEGER NOT NULL REFERENCES articles (id),
  seq        INTEGER NOT NULL,
  type       TEXT    NOT NULL,
  comment_id INTEGER,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (article_id, seq)
) WITHOUT ROWID;
CREATE INDEX article_events_created ON article_events (created_at);
