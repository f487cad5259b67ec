-- Tools for a heated thread (issue 15): slow mode per article, editor picks (精选), reactions beyond 点赞
-- with the 最热 score they feed, and the heat alarm's record of which articles are over their threshold.
-- Seconds between two posts of one author (or network) in the article; 0 = off.
ALTER TABLE articles ADD COLUMN slow_mode_seconds INTEGER NOT NULL DEFAULT 0;
-- When a moderator made the comment a pick (NULL: not one).
ALTER TABLE comments ADD COLUMN featured_at INTEGER;
-- The kept counts of comment_reactions as JSON ({"agree":2,"laugh":1}), read with the comment so that the
-- cached public page carries them.
ALTER TABLE comments ADD COLUMN reactions TEXT NOT NULL DEFAULT '{}';
-- 最热 orders by score = likes + every reaction of every kind (heat is engagement, not approval).
ALTER TABLE comments ADD COLUMN score INTEGER NOT NULL DEFAULT 0;
UPDATE comments SET score = likes;
CREATE INDEX comments_top_score ON comments (article_id, score, id) WHERE parent_id IS NULL;
CREATE INDEX comments_featured ON comments (article_id, featured_at) WHERE featured_at IS NOT NULL;
-- One reaction of each kind per author per comment; the kinds offered are a site setting (reactionSet).
CREATE TABLE comment_reactions (
  comment_id INTEGER NOT NULL REFERENCES comments (id),
  author_id  INTEGER NOT NULL REFERENCES authors (id),
  kind       TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  ip_hash    TEXT,
  PRIMARY KEY (comment_id, author_id, kind)
) WITHOUT ROWID;
CREATE INDEX comment_reactions_author ON comment_reactions (author_id, comment_id);
CREATE INDEX comment_reactions_ip ON comment_reactions (comment_id, ip_hash, created_at) WHERE ip_hash IS NOT NULL;
-- The console's pulse counts an hour of comments per article by creation time.
CREATE INDEX comments_created ON comments (created_at);
