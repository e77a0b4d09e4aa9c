-- The audit log becomes a hash chain (common/feed/audit_chain.h): each entry
-- carries the hash of the one before it and its own hash over its fields, so
-- an edited, inserted or deleted entry breaks the chain from there on; signed
-- checkpoints pin the chain's head so a truncated tail shows too. Entries
-- written before this migration have no hash (the chain starts after them).
-- purpose: why a person's record was read (x-purpose), '' for writes.
ALTER TABLE audit_log
  ADD COLUMN IF NOT EXISTS purpose VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  ADD COLUMN IF NOT EXISTS prev_hash BINARY(32) NULL,
  ADD COLUMN IF NOT EXISTS entry_hash BINARY(32) NULL;

-- HMAC-SHA256 (key from a secret, named by key_id) over the chain's head
-- entry at signing time.
CREATE TABLE IF NOT EXISTS audit_checkpoints (
  id BIGINT NOT NULL AUTO_INCREMENT,
  audit_id BIGINT NOT NULL,
  entry_hash BINARY(32) NOT NULL,
  signed_at DATETIME(6) NOT NULL,
  key_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  signature BINARY(32) NOT NULL,
  PRIMARY KEY (id),
  KEY audit_checkpoints_by_entry (audit_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
