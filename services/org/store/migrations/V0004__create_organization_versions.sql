-- Effective-dated history: [valid_from, valid_to) periods, valid_to NULL for
-- the open one. A restructure closes the open period at the effective date and
-- opens a new one; an ended organization keeps a final open period whose state
-- tells how it ended.
CREATE TABLE IF NOT EXISTS organization_versions (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  organization_id BIGINT NOT NULL,
  valid_from DATE NOT NULL,
  valid_to DATE NULL,
  display_name VARCHAR(255) NOT NULL,
  parent_id BIGINT NULL,
  type_code VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  state VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  successor_id BIGINT NULL,
  UNIQUE KEY uk_org_versions_org_from (organization_id, valid_from),
  KEY ix_org_versions_parent_from (parent_id, valid_from),
  KEY ix_org_versions_org_to (organization_id, valid_to),
  CONSTRAINT fk_org_versions_org FOREIGN KEY (organization_id) REFERENCES organizations (id),
  CONSTRAINT fk_org_versions_parent FOREIGN KEY (parent_id) REFERENCES organizations (id),
  CONSTRAINT fk_org_versions_successor FOREIGN KEY (successor_id) REFERENCES organizations (id),
  CONSTRAINT fk_org_versions_type FOREIGN KEY (type_code) REFERENCES org_types (code),
  CONSTRAINT ck_org_versions_period CHECK (valid_to IS NULL OR valid_to > valid_from),
  CONSTRAINT ck_org_versions_state CHECK (state IN ('ACTIVE', 'DISSOLVED', 'MERGED', 'SPLIT', 'HANDED_OVER'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
