-- SQLite migration 0010 (issue 14): where an imported comment came from ('disqus:<post id>', ...), so that
-- importing the same file again adds nothing; and the index of one article's newest published comments (feeds).
ALTER TABLE comments ADD COLUMN import_key TEXT;
CREATE UNIQUE INDEX comments_import_key ON comments (import_key) WHERE import_key IS NOT NULL;
CREATE INDEX comments_article_published ON comments (article_id, id) WHERE status = 'published';
