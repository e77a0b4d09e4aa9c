-- The attributes of an organization that carry no history. Its name, parent,
-- type and state live in organization_versions, one row per dated period.
CREATE TABLE IF NOT EXISTS organizations (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  code VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  sector_code VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
  address VARCHAR(500) NOT NULL DEFAULT '',
  phone VARCHAR(50) NOT NULL DEFAULT '',
  note VARCHAR(2000) NOT NULL DEFAULT '',
  established_on DATE NOT NULL,
  ended_on DATE NULL,
  version BIGINT NOT NULL DEFAULT 1,
  create_time DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  update_time DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uk_organizations_code (code),
  KEY ix_organizations_sector (sector_code),
  CONSTRAINT fk_organizations_sector FOREIGN KEY (sector_code) REFERENCES sectors (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
