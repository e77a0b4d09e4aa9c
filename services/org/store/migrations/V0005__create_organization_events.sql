-- What happened to an organization, with the decision behind it and who
-- recorded it. related_ids is a JSON array of organization ids.
CREATE TABLE IF NOT EXISTS organization_events (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  organization_id BIGINT NOT NULL,
  kind VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  effective_date DATE NOT NULL,
  decision_issuing_body VARCHAR(255) NOT NULL DEFAULT '',
  decision_number VARCHAR(100) NOT NULL DEFAULT '',
  decision_signed_on DATE NULL,
  related_ids VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '[]',
  previous_display_name VARCHAR(255) NOT NULL DEFAULT '',
  new_display_name VARCHAR(255) NOT NULL DEFAULT '',
  previous_parent_id BIGINT NULL,
  new_parent_id BIGINT NULL,
  actor VARCHAR(255) NOT NULL DEFAULT '',
  request_id VARCHAR(128) NOT NULL DEFAULT '',
  record_time DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_org_events_org (organization_id, id),
  CONSTRAINT fk_org_events_org FOREIGN KEY (organization_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
