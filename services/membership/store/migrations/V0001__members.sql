-- Membership schema: the org-tree projection, member records with their
-- sensitive fields apart (ready for field encryption), the append-only event
-- log with the status periods derived from it, cards and yearly records.

-- ---- projection of the organization service's tree (fed by its change feed) ----
CREATE TABLE org_projection (
  org_id BIGINT NOT NULL PRIMARY KEY,
  parent_id BIGINT NULL,
  code VARCHAR(64) NOT NULL,
  display_name VARCHAR(255) NOT NULL,
  type_code VARCHAR(64) NOT NULL,
  is_cell BOOLEAN NOT NULL,
  is_grassroots BOOLEAN NOT NULL,
  state TINYINT NOT NULL,
  established_on DATE NOT NULL,
  ended_on DATE NULL,
  source_sequence BIGINT NOT NULL,
  KEY idx_org_projection_parent (parent_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Ancestor/descendant pairs of the current tree (depth 0 = itself), so subtree
-- filters and scope checks are one indexed join.
CREATE TABLE org_closure (
  ancestor_id BIGINT NOT NULL,
  descendant_id BIGINT NOT NULL,
  depth INT NOT NULL,
  PRIMARY KEY (ancestor_id, descendant_id),
  KEY idx_org_closure_descendant (descendant_id)
) ENGINE=InnoDB;

-- Where each feed consumer stands: the last applied sequence.
CREATE TABLE feed_cursors (
  source VARCHAR(64) NOT NULL PRIMARY KEY,
  last_sequence BIGINT NOT NULL,
  updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB;

-- ---- members ----------------------------------------------------------------------
CREATE TABLE members (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  full_name VARCHAR(255) NOT NULL,
  birth_name VARCHAR(255) NOT NULL DEFAULT '',
  -- FoldForSearch(full_name): sort key and display-order tie breaker.
  search_name VARCHAR(255) NOT NULL,
  sex TINYINT NOT NULL,
  birth_date DATE NOT NULL,
  birth_place VARCHAR(500) NOT NULL DEFAULT '',
  home_town VARCHAR(500) NOT NULL DEFAULT '',
  occupation_category TINYINT NOT NULL,
  occupation VARCHAR(500) NOT NULL DEFAULT '',
  general_education TINYINT NOT NULL DEFAULT 0,
  professional_qualification VARCHAR(255) NOT NULL DEFAULT '',
  political_theory_level TINYINT NOT NULL DEFAULT 0,
  permanent_address VARCHAR(500) NOT NULL DEFAULT '',
  current_address VARCHAR(500) NOT NULL DEFAULT '',
  phone VARCHAR(50) NOT NULL DEFAULT '',
  email VARCHAR(255) NOT NULL DEFAULT '',
  external_id VARCHAR(64) NULL,
  party_card_number VARCHAR(64) NULL,
  -- Derived from member_events (the current state; history in member_periods).
  status TINYINT NOT NULL,
  cell_id BIGINT NOT NULL,
  host_cell_id BIGINT NULL,
  exempt BOOLEAN NOT NULL DEFAULT FALSE,
  suspended BOOLEAN NOT NULL DEFAULT FALSE,
  transfer_pending BOOLEAN NOT NULL DEFAULT FALSE,
  status_since DATE NOT NULL,
  admission_decision_date DATE NULL,
  admission_ceremony_date DATE NULL,
  probation_end_date DATE NULL,
  official_date DATE NULL,
  last_event_date DATE NOT NULL,
  -- SHA-256 of the normalized import row that created the record (re-runs).
  import_fingerprint CHAR(64) NULL,
  version BIGINT NOT NULL DEFAULT 1,
  created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_members_external_id (external_id),
  UNIQUE KEY uq_members_party_card (party_card_number),
  KEY idx_members_cell_status (cell_id, status),
  KEY idx_members_host_cell (host_cell_id),
  KEY idx_members_search_name (search_name, id),
  KEY idx_members_status_probation (status, probation_end_date),
  KEY idx_members_birth_date (birth_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Sensitive fields, apart so they can be encrypted field by field. key_version
-- 0 means the value bytes are the UTF-8 plaintext; n > 0 names the key that
-- encrypted them. citizen_id_lookup is an HMAC-SHA256 blind index (keyed by the
-- service's lookup key) so exact lookup works whatever the encryption.
CREATE TABLE member_sensitive (
  member_id BIGINT NOT NULL PRIMARY KEY,
  key_version INT NOT NULL DEFAULT 0,
  citizen_id VARBINARY(512) NULL,
  citizen_id_lookup BINARY(32) NULL,
  ethnicity VARBINARY(512) NULL,
  religion VARBINARY(512) NULL,
  UNIQUE KEY uq_member_sensitive_lookup (citizen_id_lookup),
  CONSTRAINT fk_member_sensitive_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE=InnoDB;

-- Folded name words for diacritic-insensitive prefix search.
CREATE TABLE member_name_tokens (
  token VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  member_id BIGINT NOT NULL,
  PRIMARY KEY (token, member_id),
  KEY idx_member_name_tokens_member (member_id)
) ENGINE=InnoDB;

-- ---- the event log (append-only; a correction is a VOIDED event) ---------------
CREATE TABLE member_events (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  member_id BIGINT NOT NULL,
  ordinal INT NOT NULL,
  kind TINYINT NOT NULL,
  effective_date DATE NOT NULL,
  recorded_on DATE NULL,
  decision_body VARCHAR(255) NOT NULL DEFAULT '',
  decision_number VARCHAR(64) NOT NULL DEFAULT '',
  decision_signed_on DATE NULL,
  cell_id BIGINT NULL,
  status_after TINYINT NOT NULL,
  -- Kind-specific details (vote, transfer, certificate, trigger, note) as JSON.
  details LONGTEXT NOT NULL,
  voided_by BIGINT NULL,
  actor VARCHAR(255) NOT NULL,
  request_id VARCHAR(64) NOT NULL DEFAULT '',
  created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_member_events_ordinal (member_id, ordinal),
  KEY idx_member_events_kind_date (kind, effective_date),
  CONSTRAINT fk_member_events_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Status history derived from the event log: [valid_from, valid_to).
CREATE TABLE member_periods (
  member_id BIGINT NOT NULL,
  valid_from DATE NOT NULL,
  valid_to DATE NULL,
  status TINYINT NOT NULL,
  cell_id BIGINT NOT NULL,
  host_cell_id BIGINT NULL,
  exempt BOOLEAN NOT NULL,
  suspended BOOLEAN NOT NULL,
  PRIMARY KEY (member_id, valid_from),
  KEY idx_member_periods_cell (cell_id, valid_from),
  KEY idx_member_periods_host (host_cell_id, valid_from)
) ENGINE=InnoDB;

CREATE TABLE party_cards (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  member_id BIGINT NOT NULL,
  number VARCHAR(64) NOT NULL,
  issued_on DATE NOT NULL,
  reason VARCHAR(64) NOT NULL,
  created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_party_cards_number (number),
  KEY idx_party_cards_member (member_id),
  CONSTRAINT fk_party_cards_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE=InnoDB;

-- ---- yearly records ------------------------------------------------------------------
CREATE TABLE residence_registrations (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  member_id BIGINT NOT NULL,
  residence_cell_id BIGINT NULL,
  residence_unit_name VARCHAR(255) NOT NULL DEFAULT '',
  residence_address VARCHAR(500) NOT NULL DEFAULT '',
  registered_on DATE NOT NULL,
  letter_issued_on DATE NULL,
  exemption TINYINT NOT NULL DEFAULT 0,
  exemption_reason VARCHAR(500) NOT NULL DEFAULT '',
  ended_on DATE NULL,
  KEY idx_residence_registrations_member (member_id, registered_on),
  KEY idx_residence_registrations_cell (residence_cell_id),
  CONSTRAINT fk_residence_registrations_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE residence_feedback (
  member_id BIGINT NOT NULL,
  year INT NOT NULL,
  residence_cell_id BIGINT NULL,
  assessment TINYINT NOT NULL,
  opinion TEXT NOT NULL,
  signed_by VARCHAR(255) NOT NULL DEFAULT '',
  given_on DATE NOT NULL,
  PRIMARY KEY (member_id, year),
  KEY idx_residence_feedback_year (year),
  CONSTRAINT fk_residence_feedback_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE commitments (
  member_id BIGINT NOT NULL,
  year INT NOT NULL,
  registered_on DATE NOT NULL,
  content TEXT NOT NULL,
  PRIMARY KEY (member_id, year),
  KEY idx_commitments_year (year),
  CONSTRAINT fk_commitments_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE ratings (
  member_id BIGINT NOT NULL,
  year INT NOT NULL,
  score DECIMAL(5,2) NOT NULL,
  level TINYINT NOT NULL,
  disqualification VARCHAR(500) NOT NULL DEFAULT '',
  cell_id BIGINT NOT NULL,
  decision_body VARCHAR(255) NOT NULL DEFAULT '',
  decision_number VARCHAR(64) NOT NULL DEFAULT '',
  decision_signed_on DATE NULL,
  quota_exception VARCHAR(500) NOT NULL DEFAULT '',
  PRIMARY KEY (member_id, year),
  KEY idx_ratings_cell_year (cell_id, year),
  CONSTRAINT fk_ratings_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE trainings (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  member_id BIGINT NOT NULL,
  course VARCHAR(255) NOT NULL,
  kind VARCHAR(32) NOT NULL,
  start_date DATE NOT NULL,
  end_date DATE NOT NULL,
  certificate_number VARCHAR(64) NOT NULL DEFAULT '',
  provider VARCHAR(255) NOT NULL DEFAULT '',
  KEY idx_trainings_member (member_id, start_date),
  CONSTRAINT fk_trainings_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE screenings (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  member_id BIGINT NOT NULL,
  criterion VARCHAR(32) NOT NULL,
  listed_on DATE NOT NULL,
  votes_in_favour INT NOT NULL,
  votes_eligible INT NOT NULL,
  resolution_number VARCHAR(64) NOT NULL DEFAULT '',
  help_period_end DATE NOT NULL,
  outcome TINYINT NOT NULL,
  outcome_on DATE NULL,
  note TEXT NOT NULL,
  KEY idx_screenings_member (member_id, listed_on),
  CONSTRAINT fk_screenings_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
