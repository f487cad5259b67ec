-- Issue 12: merging two page threads (a page whose URL changed). The merged-away thread keeps its row (its
-- site and page key) and points at the thread that took its comments, so its page's embed shows that one.
ALTER TABLE articles ADD COLUMN merged_into INTEGER REFERENCES articles (id);
CREATE INDEX articles_merged_into ON articles (merged_into) WHERE merged_into IS NOT NULL;
