-- Issue 11: an article's byline and date (from its content file's front matter) and the console account
-- of its author; a comment posted by a signed-in moderator as staff keeps its badge ('author' for the
-- article's author, 'editor' for any other moderator), decided by the server at write time.
ALTER TABLE articles ADD COLUMN byline TEXT;
ALTER TABLE articles ADD COLUMN published_at INTEGER;
ALTER TABLE articles ADD COLUMN author_account TEXT;
ALTER TABLE comments ADD COLUMN staff TEXT CHECK (staff IN ('author', 'editor'));
