-- The inspection service's own tables. Organizations and members are ids of
-- the org and membership services (their projections live in the orgtree and
-- memberfacts tables). Dates are DATE; enums are the proto enum numbers.

-- A committee's yearly inspection and supervision program.
CREATE TABLE programs (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id BIGINT NOT NULL,
  year SMALLINT NOT NULL,
  adopted_on DATE NOT NULL,
  decision_issuing_body VARCHAR(255) NOT NULL DEFAULT '',
  decision_number VARCHAR(64) NOT NULL DEFAULT '',
  decision_signed_on DATE NULL,
  version BIGINT NOT NULL DEFAULT 1,
  created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_programs_org_year (org_id, year),
  KEY idx_programs_year (year, org_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE program_items (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  program_id BIGINT NOT NULL,
  topic VARCHAR(1000) NOT NULL,
  kind TINYINT NOT NULL,
  basis TINYINT NOT NULL,
  quarter TINYINT NOT NULL,
  lead TINYINT NOT NULL,
  lead_member_id BIGINT NULL,
  subject_org_id BIGINT NULL,
  subject_member_id BIGINT NULL,
  status TINYINT NOT NULL,
  case_id BIGINT NULL,
  drop_reason VARCHAR(1000) NOT NULL DEFAULT '',
  KEY idx_program_items_program (program_id),
  CONSTRAINT fk_program_items_program FOREIGN KEY (program_id) REFERENCES programs (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- An inspection, supervision or finance inspection.
CREATE TABLE cases (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id BIGINT NOT NULL,
  conductor TINYINT NOT NULL,
  kind TINYINT NOT NULL,
  basis TINYINT NOT NULL,
  subject_org_id BIGINT NULL,
  subject_member_id BIGINT NULL,
  topic VARCHAR(1000) NOT NULL,
  opening_issuing_body VARCHAR(255) NOT NULL,
  opening_number VARCHAR(64) NOT NULL,
  opening_signed_on DATE NOT NULL,
  period_start DATE NOT NULL,
  period_end DATE NULL,
  status TINYINT NOT NULL,
  started_on DATE NULL,
  findings MEDIUMTEXT NULL,
  conclusion MEDIUMTEXT NULL,
  concluded_on DATE NULL,
  notice_issuing_body VARCHAR(255) NOT NULL DEFAULT '',
  notice_number VARCHAR(64) NOT NULL DEFAULT '',
  notice_signed_on DATE NULL,
  -- grassroots.inspection.v1.FinanceFindings, for a finance inspection.
  finance_findings BLOB NULL,
  program_item_id BIGINT NULL,
  cancel_reason VARCHAR(1000) NOT NULL DEFAULT '',
  closed_on DATE NULL,
  version BIGINT NOT NULL DEFAULT 1,
  created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY idx_cases_org_status (org_id, status, id),
  KEY idx_cases_subject_org (subject_org_id, id),
  KEY idx_cases_subject_member (subject_member_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE case_team (
  case_id BIGINT NOT NULL,
  seq INT NOT NULL,
  member_id BIGINT NOT NULL,
  role VARCHAR(255) NOT NULL DEFAULT '',
  PRIMARY KEY (case_id, seq),
  CONSTRAINT fk_case_team_case FOREIGN KEY (case_id) REFERENCES cases (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE recommendations (
  case_id BIGINT NOT NULL,
  seq INT NOT NULL,
  text VARCHAR(4000) NOT NULL,
  responsible_org_id BIGINT NULL,
  responsible_member_id BIGINT NULL,
  deadline DATE NOT NULL,
  status TINYINT NOT NULL,
  followed_up_on DATE NULL,
  follow_up_note VARCHAR(2000) NOT NULL DEFAULT '',
  PRIMARY KEY (case_id, seq),
  KEY idx_recommendations_due (status, deadline),
  CONSTRAINT fk_recommendations_case FOREIGN KEY (case_id) REFERENCES cases (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A discipline decision and its limitation as computed when it was made.
CREATE TABLE discipline_decisions (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id BIGINT NOT NULL,
  deciding_body TINYINT NOT NULL,
  subject_org_id BIGINT NULL,
  subject_member_id BIGINT NULL,
  subject_kind TINYINT NOT NULL,
  form TINYINT NOT NULL,
  issuing_body VARCHAR(255) NOT NULL,
  number VARCHAR(64) NOT NULL,
  signed_on DATE NOT NULL,
  effective_date DATE NOT NULL,
  violation_summary VARCHAR(4000) NOT NULL,
  violation_category TINYINT NOT NULL,
  violation_started_on DATE NULL,
  violation_ended_on DATE NOT NULL,
  -- grassroots.inspection.v1.Violation: later violations and periods not considered.
  violation_detail BLOB NULL,
  position_name VARCHAR(255) NOT NULL DEFAULT '',
  case_id BIGINT NULL,
  limitation_deadline DATE NULL,
  limitation_runs_from DATE NULL,
  limitation_years INT NOT NULL DEFAULT 0,
  limitation_rule_id VARCHAR(128) NOT NULL DEFAULT '',
  form_in_force TINYINT NOT NULL,
  appeal_outcome TINYINT NOT NULL DEFAULT 0,
  version BIGINT NOT NULL DEFAULT 1,
  created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_discipline_number (issuing_body, number),
  KEY idx_discipline_org (org_id, signed_on),
  KEY idx_discipline_subject_member (subject_member_id, signed_on),
  KEY idx_discipline_subject_org (subject_org_id, signed_on)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Effects of decisions on other services (an outbox): written with the
-- decision or the appeal outcome, applied by the effect worker with
-- idempotency_key as the other service's request id.
CREATE TABLE discipline_effects (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  decision_id BIGINT NOT NULL,
  kind TINYINT NOT NULL,
  target VARCHAR(255) NOT NULL,
  idempotency_key VARCHAR(64) NOT NULL,
  state TINYINT NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  last_error VARCHAR(1000) NOT NULL DEFAULT '',
  next_attempt_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  applied_at TIMESTAMP(6) NULL,
  created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_discipline_effects_key (idempotency_key),
  KEY idx_discipline_effects_due (state, next_attempt_at),
  KEY idx_discipline_effects_decision (decision_id),
  CONSTRAINT fk_discipline_effects_decision FOREIGN KEY (decision_id) REFERENCES discipline_decisions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE appeals (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  decision_id BIGINT NOT NULL,
  decision_received_on DATE NOT NULL,
  filed_on DATE NOT NULL,
  resolving_org_id BIGINT NOT NULL,
  resolving_body TINYINT NOT NULL,
  resolution_deadline DATE NOT NULL,
  deadline_rule_id VARCHAR(128) NOT NULL,
  outcome TINYINT NOT NULL DEFAULT 0,
  new_form TINYINT NOT NULL DEFAULT 0,
  resolved_on DATE NULL,
  resolution_issuing_body VARCHAR(255) NOT NULL DEFAULT '',
  resolution_number VARCHAR(64) NOT NULL DEFAULT '',
  resolution_signed_on DATE NULL,
  version BIGINT NOT NULL DEFAULT 1,
  created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY idx_appeals_decision (decision_id),
  KEY idx_appeals_open (outcome, resolution_deadline),
  CONSTRAINT fk_appeals_decision FOREIGN KEY (decision_id) REFERENCES discipline_decisions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Denunciations, complaints and feedback. Who filed one is in petition_filers,
-- read only through GetPetitionFiler (audited).
CREATE TABLE petitions (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind TINYINT NOT NULL,
  source TINYINT NOT NULL,
  org_id BIGINT NOT NULL,
  about_org_id BIGINT NULL,
  about_member_id BIGINT NULL,
  discipline_decision_id BIGINT NULL,
  received_on DATE NOT NULL,
  summary VARCHAR(4000) NOT NULL,
  anonymous BOOLEAN NOT NULL,
  content_specific BOOLEAN NOT NULL DEFAULT FALSE,
  status TINYINT NOT NULL,
  assignee_member_id BIGINT NULL,
  assigned_on DATE NULL,
  assign_by DATE NULL,
  deadline DATE NULL,
  deadline_rule_id VARCHAR(128) NOT NULL DEFAULT '',
  answer VARCHAR(4000) NOT NULL DEFAULT '',
  answered_on DATE NULL,
  close_reason VARCHAR(1000) NOT NULL DEFAULT '',
  case_id BIGINT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY idx_petitions_org_status (org_id, status, deadline),
  KEY idx_petitions_open (status, deadline)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE petition_filers (
  petition_id BIGINT NOT NULL PRIMARY KEY,
  full_name VARCHAR(255) NOT NULL DEFAULT '',
  address VARCHAR(500) NOT NULL DEFAULT '',
  phone VARCHAR(32) NOT NULL DEFAULT '',
  email VARCHAR(255) NOT NULL DEFAULT '',
  citizen_id VARCHAR(32) NOT NULL DEFAULT '',
  CONSTRAINT fk_petition_filers_petition FOREIGN KEY (petition_id) REFERENCES petitions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
