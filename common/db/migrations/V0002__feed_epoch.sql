-- The feed's identity (FeedHead.epoch): drawn once per database, here for
-- schemas created before epochs existed and for new ones alike. A consumer
-- that sees another epoch knows its cursor belongs to another database.
ALTER TABLE feed_head ADD COLUMN IF NOT EXISTS epoch CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL;

UPDATE feed_head SET epoch = LOWER(HEX(RANDOM_BYTES(16))) WHERE epoch IS NULL;

ALTER TABLE feed_head MODIFY epoch CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;
