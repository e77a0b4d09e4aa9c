-- Writers stop drawing numbers under the feed_head row lock (held until their
-- commit's fsync, so every write in the service waited for the one before).
-- They now append rows with no number, and the sequencer
-- (common/feed/sequencer.h) numbers committed rows in rounds:
--   change_feed.sequence   NULL until a round gives it the next dense number;
--   audit_log.chain_position NULL until a round links it into the hash chain.
-- Rows already numbered keep their numbers: change_feed.id follows sequence,
-- and the audit chain, which was linked in id order, takes id as its position.

ALTER TABLE change_feed
  ADD COLUMN id BIGINT NOT NULL AUTO_INCREMENT FIRST,
  DROP PRIMARY KEY,
  ADD PRIMARY KEY (id),
  MODIFY sequence BIGINT NULL,
  ADD UNIQUE KEY change_feed_by_sequence (sequence);

ALTER TABLE audit_log
  ADD COLUMN IF NOT EXISTS chain_position BIGINT NULL,
  ADD UNIQUE KEY IF NOT EXISTS audit_log_by_chain_position (chain_position);

UPDATE audit_log SET chain_position = id WHERE chain_position IS NULL;

-- A checkpoint names its entry's place in the chain too, so retention and
-- verification can tell an entry removed from the chain's start from a cut tail.
ALTER TABLE audit_checkpoints ADD COLUMN IF NOT EXISTS chain_position BIGINT NULL;

UPDATE audit_checkpoints SET chain_position = audit_id WHERE chain_position IS NULL;

ALTER TABLE audit_checkpoints MODIFY chain_position BIGINT NOT NULL;

-- The chain's head, kept beside the feed's: a round reads both with the one
-- row lock it takes. Entries from before the chain (no hash) start it at genesis.
ALTER TABLE feed_head
  ADD COLUMN IF NOT EXISTS audit_last_id BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS audit_last_position BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS audit_last_hash BINARY(32) NULL;

UPDATE feed_head h
  JOIN (SELECT id, chain_position, entry_hash FROM audit_log ORDER BY chain_position DESC LIMIT 1) a
  SET h.audit_last_id = a.id, h.audit_last_position = a.chain_position, h.audit_last_hash = a.entry_hash
  WHERE h.id = 1;
