-- Tools for a heated thread (issue 15): mirrors SQLite 0014_heated_threads.sql.
ALTER TABLE articles ADD COLUMN slow_mode_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN featured_at BIGINT;
ALTER TABLE comments ADD COLUMN reactions TEXT NOT NULL DEFAULT '{}';
ALTER TABLE comments ADD COLUMN score INTEGER NOT NULL DEFAULT 0;
UPDATE comments SET score = likes;
CREATE INDEX comments_top_score ON comments (article_id, score, id) WHERE parent_id IS NULL;
CREATE INDEX comments_featured ON comments (article_id, featured_at) WHERE featured_at IS NOT NULL;
CREATE TABLE comment_reactions (
  comment_id BIGINT NOT NULL REFERENCES comments (id),
  author_id  BIGINT NOT NULL REFERENCES authors (id),
  kind       TEXT   NOT NULL,
  created_at BIGINT NOT NULL,
  ip_hash    TEXT,
  PRIMARY KEY (comment_id, author_id, kind)
);
CREATE INDEX comment_reactions_author ON comment_reactions (author_id, comment_id);
CREATE INDEX comment_reactions_ip ON comment_reactions (comment_id, ip_hash, created_at) WHERE ip_hash IS NOT NULL;
CREATE INDEX comments_created ON comments (created_at);
