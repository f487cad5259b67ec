-- Issue 11 (SQLite 0011_reader_staff.sql): an article's byline, date and author account; a staff comment's badge.
ALTER TABLE articles ADD COLUMN byline TEXT;
ALTER TABLE articles ADD COLUMN published_at BIGINT;
ALTER TABLE articles ADD COLUMN author_account TEXT;
ALTER TABLE comments ADD COLUMN staff TEXT CHECK (staff IN ('author', 'editor'));
