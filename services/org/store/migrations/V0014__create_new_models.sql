-- Recognized new models and creative practices (mô hình mới, cách làm sáng tạo), per year.
CREATE TABLE IF NOT EXISTS new_models (
  id BIGINT NOT NULL AUTO_INCREMENT,
  organization_id BIGINT NOT NULL,
  year SMALLINT NOT NULL,
  title VARCHAR(500) NOT NULL,
  description TEXT NOT NULL,
  decision_issuing_body VARCHAR(255) NULL,
  decision_number VARCHAR(100) NULL,
  decision_signed_on DATE NULL,
  create_time DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  KEY ix_new_models_org_year (organization_id, year, id),
  KEY ix_new_models_year (year, organization_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
