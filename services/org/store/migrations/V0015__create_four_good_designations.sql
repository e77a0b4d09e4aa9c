-- "Four-good" designations (chi bộ bốn tốt, đảng bộ cơ sở bốn tốt): at most one per organization and year.
CREATE TABLE IF NOT EXISTS four_good_designations (
  id BIGINT NOT NULL AUTO_INCREMENT,
  organization_id BIGINT NOT NULL,
  year SMALLINT NOT NULL,
  kind TINYINT NOT NULL,
  decision_issuing_body VARCHAR(255) NULL,
  decision_number VARCHAR(100) NULL,
  decision_signed_on DATE NULL,
  create_time DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  UNIQUE KEY uq_four_good_org_year (organization_id, year),
  KEY ix_four_good_year (year, organization_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
