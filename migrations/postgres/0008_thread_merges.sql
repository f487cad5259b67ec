-- Merging two page threads (issue 12): mirrors SQLite 0016_thread_merges.sql. The reference is deferred so
-- that db:copy (one transaction, articles by id) can copy a thread merged into one created after it.
ALTER TABLE articles ADD COLUMN merged_into BIGINT REFERENCES articles (id) DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX articles_merged_into ON articles (merged_into) WHERE merged_into IS NOT NULL;
