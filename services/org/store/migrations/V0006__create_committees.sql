-- Committee terms (nhiệm kỳ) and positions held in them. Periods are
-- [starts_on, ends_on): ends_on is the first day out of office.
CREATE TABLE IF NOT EXISTS committee_terms (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  organization_id BIGINT NOT NULL,
  label VARCHAR(100) NOT NULL,
  starts_on DATE NOT NULL,
  ends_on DATE NULL,
  elected_committee BOOLEAN NOT NULL,
  seats INT NOT NULL DEFAULT 0,
  decision_issuing_body VARCHAR(255) NOT NULL DEFAULT '',
  decision_number VARCHAR(100) NOT NULL DEFAULT '',
  decision_signed_on DATE NULL,
  version BIGINT NOT NULL DEFAULT 1,
  create_time DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  update_time DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_committee_terms_org (organization_id, starts_on),
  CONSTRAINT fk_committee_terms_org FOREIGN KEY (organization_id) REFERENCES organizations (id),
  CONSTRAINT ck_committee_terms_period CHECK (ends_on IS NULL OR ends_on > starts_on)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE IF NOT EXISTS committee_positions (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  term_id BIGINT NOT NULL,
  member_id BIGINT NOT NULL,
  kind VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  starts_on DATE NOT NULL,
  ends_on DATE NULL,
  party_group_id BIGINT NULL,
  create_time DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_committee_positions_term (term_id, starts_on),
  KEY ix_committee_positions_member (member_id),
  CONSTRAINT fk_committee_positions_term FOREIGN KEY (term_id) REFERENCES committee_terms (id),
  CONSTRAINT fk_committee_positions_group FOREIGN KEY (party_group_id) REFERENCES organizations (id),
  CONSTRAINT ck_committee_positions_period CHECK (ends_on IS NULL OR ends_on > starts_on)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
