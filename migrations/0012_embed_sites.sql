-- Issue 12: sites that embed live threads (<yilun-comments>) on their own pages. An embedded page's thread
-- is an ordinary articles row (one Store, one moderation queue, one event log), created on the page's first
-- accepted comment and tied to its site and page key (page-id, or the normalized canonical URL).
CREATE TABLE sites (
  id              INTEGER PRIMARY KEY,
  name            TEXT    NOT NULL,
  -- allowed origins ("https://news.example.com"), one per line
  origins         TEXT    NOT NULL DEFAULT '',
  -- moderation mode given to the site's new threads; NULL = follow the site-wide default
  moderation_mode TEXT    CHECK (moderation_mode IN ('post', 'pre')),
  -- HS256 key for the site's signed-in users (SSO); NULL = no SSO
  sso_secret      TEXT,
  sso_required    INTEGER NOT NULL DEFAULT 0 CHECK (sso_required IN (0, 1)),
  login_url       TEXT,
  created_at      INTEGER NOT NULL
);
ALTER TABLE articles ADD COLUMN site_id INTEGER REFERENCES sites (id);
ALTER TABLE articles ADD COLUMN page_key TEXT;
ALTER TABLE articles ADD COLUMN page_url TEXT;
-- set when the author was a site's signed-in user (SSO): the comment shows a verified mark
ALTER TABLE comments ADD COLUMN verified_site_id INTEGER REFERENCES sites (id);
CREATE UNIQUE INDEX articles_site_page ON articles (site_id, page_key) WHERE site_id IS NOT NULL;
