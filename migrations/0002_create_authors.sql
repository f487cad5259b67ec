-- Accountless identities: the author cookie holds a random token, only its SHA-256 is stored.
CREATE TABLE authors (
  id              INTEGER PRIMARY KEY,
  token_hash      TEXT    NOT NULL UNIQUE,
  created_at      INTEGER NOT NULL,
  -- comments of this author that were ever published (first-time-author rules)
  published_count INTEGER NOT NULL DEFAULT 0,
  last_ip_hash    TEXT
);
