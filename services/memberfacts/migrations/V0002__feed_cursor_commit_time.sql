-- feed_cursors as the org-tree library defines it (its V0004): the commit_time
-- of the change a cursor stands at, so a restored producer is noticed.
ALTER TABLE feed_cursors ADD COLUMN IF NOT EXISTS last_commit_micros BIGINT NULL AFTER epoch;
