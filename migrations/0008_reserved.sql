-- Placeholder that keeps the numbering contiguous on branch h-misc only: 0008 belongs to another
-- branch. Drop this file (and its seed in tests/storage.migrations.test.ts) when merging that one.
SELECT 1;
