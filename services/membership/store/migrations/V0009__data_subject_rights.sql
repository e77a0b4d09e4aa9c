-- Law 91/2025 (personal data protection): the member's correction requests and
-- the log of what the change feed disclosed to other services.

-- A member's request to correct their record, tracked to its answer.
-- proposed: a serialized grassroots.membership.v1.Member holding the proposed
-- values of the non-sensitive fields; proposed_sealed: the sensitive ones
-- (citizen_id, ethnicity, religion) as a serialized Member sealed under
-- key_version (the keyring of member_sensitive; 0: none proposed), bound to the
-- row id. answered_by_roles: the answering caller's roles, not their identity.
CREATE TABLE IF NOT EXISTS member_correction_requests (
  id BIGINT NOT NULL AUTO_INCREMENT,
  member_id BIGINT NOT NULL,
  fields VARCHAR(1024) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'comma-separated Member field names',
  proposed BLOB NOT NULL,
  proposed_sealed VARBINARY(2048) NULL,
  key_version INT NOT NULL DEFAULT 0,
  reason TEXT NOT NULL,
  state TINYINT NOT NULL COMMENT 'grassroots.membership.v1.CorrectionState',
  answer_reason TEXT NOT NULL,
  answered_by VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '',
  answered_by_roles VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  answered_at DATETIME(6) NULL,
  PRIMARY KEY (id),
  KEY idx_correction_requests_member (member_id, id),
  KEY idx_correction_requests_state (state, id),
  CONSTRAINT fk_correction_requests_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per StreamChanges session: which service (consumer: the principal
-- subject) received which range (after_sequence, to_sequence] of the feed,
-- filtered to resource_types ('' = all), how many changes, when. No personal
-- data: the member a change was about is found in change_feed by range.
CREATE TABLE IF NOT EXISTS feed_disclosures (
  id BIGINT NOT NULL AUTO_INCREMENT,
  consumer VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  resource_types VARCHAR(4200) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  after_sequence BIGINT NOT NULL,
  to_sequence BIGINT NOT NULL,
  changes_sent BIGINT NOT NULL DEFAULT 0,
  started_at DATETIME(6) NOT NULL,
  last_sent_at DATETIME(6) NULL,
  PRIMARY KEY (id),
  KEY idx_feed_disclosures_range (after_sequence, to_sequence)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The export finds a member's changes by name within each disclosed range.
ALTER TABLE change_feed ADD KEY IF NOT EXISTS change_feed_by_resource (resource_name, sequence);
