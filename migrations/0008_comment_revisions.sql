-- Earlier texts of edited comments, written in the edit's own transaction, so that a moderator reviewing an
-- edit sees what the comment said before (and what they had approved).
CREATE TABLE comment_revisions (
  id          INTEGER PRIMARY KEY,
  comment_id  INTEGER NOT NULL REFERENCES comments (id),
  body        TEXT    NOT NULL,
  -- the comment's status while it had this text
  status      TEXT    NOT NULL,
  -- when this text was replaced (the edit's time)
  replaced_at INTEGER NOT NULL
);
CREATE INDEX comment_revisions_comment ON comment_revisions (comment_id, id);
