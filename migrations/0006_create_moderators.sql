-- Moderator accounts, their sessions (only token hashes stored) and login throttling.
CREATE TABLE moderators (
  id            INTEGER PRIMARY KEY,
  username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT    NOT NULL,
  role          TEXT    NOT NULL CHECK (role IN ('admin', 'moderator')),
  created_at    INTEGER NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
);
CREATE TABLE moderator_sessions (
  token_hash   TEXT    PRIMARY KEY,
  moderator_id INTEGER NOT NULL REFERENCES moderators (id),
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX moderator_sessions_moderator ON moderator_sessions (moderator_id);
CREATE INDEX moderator_sessions_expires ON moderator_sessions (expires_at);
-- key is 'user:<name>' or 'ip:<hash>'
CREATE TABLE login_failures (
  key          TEXT    PRIMARY KEY,
  failures     INTEGER NOT NULL,
  first_at     INTEGER NOT NULL,
  locked_until INTEGER
) WITHOUT ROWID;
