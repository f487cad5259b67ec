-- Notifications (issue 13): the transactional outbox written with each comment change, the readers' reply
-- inbox, mail subscriptions (double opt-in), items waiting for a digest, deliveries (mail and webhooks,
-- with attempts), webhook endpoints and moderator alert preferences. No foreign keys to authors: idle
-- authors are pruned, and a subscription alone does not keep its author.
CREATE TABLE notify_outbox (
  id           INTEGER PRIMARY KEY,
  kind         TEXT    NOT NULL CHECK (kind IN ('comment.created', 'comment.edited', 'comment.removed', 'comment.held', 'comment.reported', 'author.banned')),
  comment_id   INTEGER,
  author_id    INTEGER,
  created_at   INTEGER NOT NULL,
  processed_at INTEGER
);
CREATE INDEX notify_outbox_pending ON notify_outbox (id) WHERE processed_at IS NULL;
CREATE INDEX notify_outbox_processed ON notify_outbox (processed_at) WHERE processed_at IS NOT NULL;

CREATE TABLE reply_inbox (
  author_id  INTEGER NOT NULL,
  comment_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  read_at    INTEGER,
  PRIMARY KEY (author_id, comment_id)
) WITHOUT ROWID;
CREATE INDEX reply_inbox_unread ON reply_inbox (author_id) WHERE read_at IS NULL;

CREATE TABLE mail_subscriptions (
  id           INTEGER PRIMARY KEY,
  author_id    INTEGER NOT NULL,
  article_id   INTEGER NOT NULL REFERENCES articles (id),
  scope        TEXT    NOT NULL CHECK (scope IN ('replies', 'thread')),
  email        TEXT    NOT NULL,
  lang         TEXT    NOT NULL CHECK (lang IN ('zh-CN', 'en')),
  base_url     TEXT    NOT NULL,
  -- hash of the one-time confirmation token; NULL once confirmed
  confirm_hash TEXT    UNIQUE,
  created_at   INTEGER NOT NULL,
  confirmed_at INTEGER,
  last_sent_at INTEGER,
  UNIQUE (author_id, article_id)
);
CREATE INDEX mail_subscriptions_article ON mail_subscriptions (article_id) WHERE confirmed_at IS NOT NULL;
CREATE INDEX mail_subscriptions_email ON mail_subscriptions (email);

-- What waits for a recipient's next mail ('sub:<id>' or 'mod:<id>'); delivery_id is set once batched.
CREATE TABLE notify_pending (
  recipient   TEXT    NOT NULL,
  comment_id  INTEGER NOT NULL,
  kind        TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  delivery_id INTEGER,
  PRIMARY KEY (recipient, comment_id, kind)
) WITHOUT ROWID;
CREATE INDEX notify_pending_open ON notify_pending (recipient) WHERE delivery_id IS NULL;

CREATE TABLE notify_deliveries (
  id            INTEGER PRIMARY KEY,
  channel       TEXT    NOT NULL CHECK (channel IN ('mail', 'webhook')),
  -- sent to receivers (Message-ID, Idempotency-Key) so that a repeat after a crash can be dropped
  idem_key      TEXT    NOT NULL UNIQUE,
  kind          TEXT    NOT NULL,
  target_id     INTEGER NOT NULL,
  payload       TEXT    NOT NULL,
  status        TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
  attempts      INTEGER NOT NULL DEFAULT 0,
  next_at       INTEGER NOT NULL,
  last_error    TEXT,
  response_code INTEGER,
  latency_ms    INTEGER,
  created_at    INTEGER NOT NULL,
  done_at       INTEGER
);
CREATE INDEX notify_deliveries_due ON notify_deliveries (next_at) WHERE status = 'pending';
CREATE INDEX notify_deliveries_channel ON notify_deliveries (channel, id);

CREATE TABLE webhooks (
  id         INTEGER PRIMARY KEY,
  url        TEXT    NOT NULL,
  format     TEXT    NOT NULL CHECK (format IN ('json', 'wecom', 'dingtalk', 'feishu')),
  secret     TEXT    NOT NULL,
  -- JSON array of event names
  events     TEXT    NOT NULL,
  enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at INTEGER NOT NULL
);

CREATE TABLE moderator_alerts (
  moderator_id INTEGER PRIMARY KEY REFERENCES moderators (id),
  email        TEXT    NOT NULL,
  mode         TEXT    NOT NULL CHECK (mode IN ('immediate', 'hourly', 'off')),
  lang         TEXT    NOT NULL CHECK (lang IN ('zh-CN', 'en')),
  base_url     TEXT    NOT NULL,
  last_sent_at INTEGER
);
