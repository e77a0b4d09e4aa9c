-- Working regulations (quy chế làm việc): one row per adopted version; a version is in
-- force from adopted_on until the day the next version is adopted (superseded_on, exclusive).
CREATE TABLE IF NOT EXISTS working_regulations (
  id BIGINT NOT NULL AUTO_INCREMENT,
  organization_id BIGINT NOT NULL,
  version INT NOT NULL,
  title VARCHAR(500) NOT NULL,
  adopted_on DATE NOT NULL,
  superseded_on DATE NULL,
  decision_issuing_body VARCHAR(255) NULL,
  decision_number VARCHAR(100) NULL,
  decision_signed_on DATE NULL,
  create_time DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  UNIQUE KEY uq_working_regulations_org_version (organization_id, version),
  KEY ix_working_regulations_in_force (organization_id, adopted_on, superseded_on),
  CONSTRAINT ck_working_regulations_version CHECK (version > 0),
  CONSTRAINT ck_working_regulations_dates CHECK (superseded_on IS NULL OR superseded_on > adopted_on)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
