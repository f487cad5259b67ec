-- Site settings, word lists, bans, reader reports and the audit log.
CREATE TABLE site_settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE words (
  id         INTEGER PRIMARY KEY,
  word       TEXT    NOT NULL,
  kind       TEXT    NOT NULL CHECK (kind IN ('banned', 'suspect')),
  created_at INTEGER NOT NULL,
  UNIQUE (word, kind)
);
CREATE TABLE bans (
  id         INTEGER PRIMARY KEY,
  author_id  INTEGER REFERENCES authors (id),
  -- keyed hash of the network; raw IPs are never stored
  ip_hash    TEXT,
  reason     TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  -- NULL = permanent
  expires_at INTEGER,
  created_by INTEGER REFERENCES moderators (id),
  lifted_at  INTEGER,
  lifted_by  INTEGER REFERENCES moderators (id),
  CHECK (author_id IS NOT NULL OR ip_hash IS NOT NULL)
);
CREATE INDEX bans_author ON bans (author_id) WHERE author_id IS NOT NULL AND lifted_at IS NULL;
CREATE INDEX bans_ip ON bans (ip_hash) WHERE ip_hash IS NOT NULL AND lifted_at IS NULL;
CREATE TABLE reports (
  comment_id  INTEGER NOT NULL REFERENCES comments (id),
  author_id   INTEGER NOT NULL REFERENCES authors (id),
  reason      TEXT    NOT NULL CHECK (reason IN ('spam', 'abuse', 'off_topic', 'other')),
  note        TEXT,
  created_at  INTEGER NOT NULL,
  resolved_at INTEGER,
  PRIMARY KEY (comment_id, author_id)
) WITHOUT ROWID;
CREATE TABLE audit_log (
  id           INTEGER PRIMARY KEY,
  moderator_id INTEGER REFERENCES moderators (id),
  action       TEXT    NOT NULL,
  target_type  TEXT    NOT NULL,
  target_id    INTEGER,
  reason       TEXT,
  details      TEXT,
  created_at   INTEGER NOT NULL
);
CREATE INDEX audit_log_created ON audit_log (created_at);
