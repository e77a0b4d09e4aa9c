-- The epoch of the feed a cursor belongs to (FeedHead.epoch). NULL for a
-- cursor stored before epochs existed: the follower adopts the feed's epoch
-- the first time it reads the head.
ALTER TABLE feed_cursors ADD COLUMN IF NOT EXISTS epoch VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER last_sequence;
