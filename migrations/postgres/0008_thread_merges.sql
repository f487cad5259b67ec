-- Merging two page threads (issue 12): mirrors SQLite 0015_thread_merges.sql.
ALTER TABLE articles ADD COLUMN merged_into BIGINT REFERENCES articles (id);
CREATE INDEX articles_merged_into ON articles (merged_into) WHERE merged_into IS NOT NULL;
