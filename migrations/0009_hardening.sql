-- Hardening, round two (issue 8): reports weighed per network, likes capped per network, login
-- failures shown to the account's owner, and the indexes the maintenance chores prune by.
-- The reporter's network and weight (1 = author with published comments, 0.5 = a fresh cookie).
ALTER TABLE reports ADD COLUMN ip_hash TEXT;
ALTER TABLE reports ADD COLUMN weight REAL NOT NULL DEFAULT 1;
CREATE INDEX reports_author ON reports (author_id);
-- The network a like came from: at most a few authors of one network count on one comment per day.
ALTER TABLE reactions ADD COLUMN ip_hash TEXT;
CREATE INDEX reactions_comment_ip ON reactions (comment_id, ip_hash, created_at) WHERE ip_hash IS NOT NULL;
-- Failed logins of existing accounts, kept to tell the owner at the next login; pruned by age.
CREATE TABLE login_failure_log (
  moderator_id INTEGER NOT NULL REFERENCES moderators (id),
  ip_hash      TEXT,
  created_at   INTEGER NOT NULL
);
CREATE INDEX login_failure_log_moderator ON login_failure_log (moderator_id, created_at);
CREATE INDEX login_failure_log_created ON login_failure_log (created_at);
ALTER TABLE moderators ADD COLUMN last_login_at INTEGER;
-- What the console tells the owner once: failures (and their networks) between the previous login and this one.
ALTER TABLE moderator_sessions ADD COLUMN failures_before INTEGER NOT NULL DEFAULT 0;
ALTER TABLE moderator_sessions ADD COLUMN failure_networks INTEGER NOT NULL DEFAULT 0;
CREATE INDEX login_failures_first ON login_failures (first_at);
-- Cookie-only authors (never published) are candidates for expiry, oldest first.
CREATE INDEX authors_unpublished ON authors (created_at) WHERE published_count = 0;
