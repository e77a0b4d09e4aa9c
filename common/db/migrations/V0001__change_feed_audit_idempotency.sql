-- Tables every service schema holds: the change feed (transactional outbox),
-- its head counter, the audit log and the idempotency keys of AIP-155 creates.
-- Codes and identifiers compare byte-wise (ascii_bin / utf8mb4_bin).

-- One row per committed change. sequence comes from feed_head (not
-- AUTO_INCREMENT) so numbers commit in order with no gaps.
CREATE TABLE IF NOT EXISTS change_feed (
  sequence BIGINT NOT NULL,
  resource_type VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  resource_name VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  action VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  commit_time DATETIME(6) NOT NULL,
  actor VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  request_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  -- serialized google.protobuf.Any: the resource after the change
  resource MEDIUMBLOB NOT NULL,
  PRIMARY KEY (sequence),
  KEY change_feed_by_type (resource_type, sequence)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Exactly one row. Writers take its row lock (UPDATE) to draw the next
-- sequence, so feed writes serialize only at that statement, until commit.
CREATE TABLE IF NOT EXISTS feed_head (
  id TINYINT UNSIGNED NOT NULL,
  last_sequence BIGINT NOT NULL,
  last_commit_time DATETIME(6) NULL,
  PRIMARY KEY (id),
  CONSTRAINT feed_head_single_row CHECK (id = 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT IGNORE INTO feed_head (id, last_sequence, last_commit_time) VALUES (1, 0, NULL);

-- Who did what to which resource. details holds ids and codes only, never
-- personal data.
CREATE TABLE IF NOT EXISTS audit_log (
  id BIGINT NOT NULL AUTO_INCREMENT,
  occurred_at DATETIME(6) NOT NULL,
  actor VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  action VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  resource_name VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  request_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  details JSON NOT NULL,
  PRIMARY KEY (id),
  KEY audit_log_by_resource (resource_name, id),
  KEY audit_log_by_time (occurred_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- AIP-155: the stored response of a create per (actor, method, request_id);
-- request_fingerprint (SHA-256 of the request) detects a reused id with a
-- different request. created_at lets a job purge old keys.
CREATE TABLE IF NOT EXISTS idempotency_keys (
  actor VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  method VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  request_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  request_fingerprint CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  response LONGBLOB NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (actor, method, request_id),
  KEY idempotency_keys_by_age (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
