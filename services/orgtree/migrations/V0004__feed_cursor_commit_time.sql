-- The commit_time of the change a cursor stands at (microseconds since 1970,
-- UTC; NULL: not known). The follower sends it with its cursor
-- (StreamChangesRequest.after_commit_time) so a producer restored from a
-- backup and written again past the cursor is noticed, not silently skipped.
ALTER TABLE feed_cursors ADD COLUMN IF NOT EXISTS last_commit_micros BIGINT NULL AFTER epoch;
