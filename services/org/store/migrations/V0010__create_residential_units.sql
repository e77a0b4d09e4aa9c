-- Residential units (thôn, bản, tổ dân phố): which cell covers each and who heads it.
-- Codes compare byte for byte; names use a Unicode collation for search.
CREATE TABLE IF NOT EXISTS residential_units (
  id BIGINT NOT NULL AUTO_INCREMENT,
  code VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  display_name VARCHAR(255) NOT NULL,
  kind TINYINT NOT NULL,
  commune_organization_id BIGINT NOT NULL,
  covering_cell_id BIGINT NULL,
  head_name VARCHAR(255) NULL,
  head_is_member BOOLEAN NOT NULL DEFAULT FALSE,
  head_member_id BIGINT NULL,
  front_head_name VARCHAR(255) NULL,
  front_head_is_member BOOLEAN NOT NULL DEFAULT FALSE,
  front_head_member_id BIGINT NULL,
  established_on DATE NOT NULL,
  ended_on DATE NULL,
  households INT NOT NULL DEFAULT 0,
  version BIGINT NOT NULL DEFAULT 1,
  create_time DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  update_time DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  UNIQUE KEY uq_residential_units_code (code),
  KEY ix_residential_units_commune (commune_organization_id, id),
  KEY ix_residential_units_covering_cell (covering_cell_id, id),
  CONSTRAINT ck_residential_units_households CHECK (households >= 0),
  CONSTRAINT ck_residential_units_dates CHECK (ended_on IS NULL OR ended_on > established_on)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
