-- Imports (issue 14): where an imported comment came from ('disqus:<post id>', 'wxr:<comment id>', ...), so
-- that importing the same file again adds nothing. NULL for comments posted here.
ALTER TABLE comments ADD COLUMN import_key TEXT;
CREATE UNIQUE INDEX comments_import_key ON comments (import_key) WHERE import_key IS NOT NULL;
-- The Atom feed of one article: its newest published comments, without walking the whole site's.
CREATE INDEX comments_article_published ON comments (article_id, id) WHERE status = 'published';
