-- Yearly quality rating of an organization; the level is derived from the score with the
-- band rule in force that year, whose id and citation are kept with the rating.
CREATE TABLE IF NOT EXISTS organization_ratings (
  id BIGINT NOT NULL AUTO_INCREMENT,
  organization_id BIGINT NOT NULL,
  year SMALLINT NOT NULL,
  score DOUBLE NOT NULL,
  level TINYINT NOT NULL,
  disqualified BOOLEAN NOT NULL DEFAULT FALSE,
  disqualification_reason VARCHAR(1000) NULL,
  decision_issuing_body VARCHAR(255) NULL,
  decision_number VARCHAR(100) NULL,
  decision_signed_on DATE NULL,
  rule_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  rule_citation VARCHAR(500) NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  create_time DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  update_time DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  UNIQUE KEY uq_organization_ratings_org_year (organization_id, year),
  KEY ix_organization_ratings_year (year, level, organization_id),
  CONSTRAINT ck_organization_ratings_score CHECK (score >= 0 AND score <= 100)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
