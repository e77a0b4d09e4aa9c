-- Party dues (QĐ 342-QĐ/TW until January 2026, QĐ 01-QĐ/TW from February
-- 2026): what dues are computed from, relief decisions, the append-only
-- ledger of payments and the wage region of organizations. What is due is
-- never stored: it is computed from these rows and the dated rules, so a
-- past month recomputes as the rules were then. Months are stored as the
-- first day of the month; money as integer đồng.

-- A member's base from a month on (until a later one): the kind, and the
-- amount for a salary, a benefit or a pension (0 otherwise).
CREATE TABLE IF NOT EXISTS dues_bases (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  member_id BIGINT NOT NULL,
  kind TINYINT NOT NULL,
  amount BIGINT NOT NULL,
  effective_month DATE NOT NULL,
  note VARCHAR(500) NOT NULL DEFAULT '',
  recorded_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_dues_bases_member_month (member_id, effective_month),
  CONSTRAINT fk_dues_bases_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Exemptions and reductions decided, for a range of months (both included).
CREATE TABLE IF NOT EXISTS dues_reliefs (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  member_id BIGINT NOT NULL,
  kind TINYINT NOT NULL,
  reason TINYINT NOT NULL,
  reduction_percent TINYINT NOT NULL,
  from_month DATE NOT NULL,
  to_month DATE NOT NULL,
  decision_issuing_body VARCHAR(255) NOT NULL,
  decision_number VARCHAR(64) NOT NULL,
  decision_signed_on DATE NOT NULL,
  recorded_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY idx_dues_reliefs_member (member_id, from_month),
  CONSTRAINT fk_dues_reliefs_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The ledger: one payment for one month a row, never updated nor deleted. A
-- correction is a new row naming the row it corrects (at most one: a
-- correction is itself corrected by a later row); a corrected row no longer counts.
CREATE TABLE IF NOT EXISTS dues_entries (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  member_id BIGINT NOT NULL,
  month DATE NOT NULL,
  amount BIGINT NOT NULL,
  channel TINYINT NOT NULL,
  paid_on DATE NOT NULL,
  reference VARCHAR(128) NOT NULL DEFAULT '',
  note VARCHAR(500) NOT NULL DEFAULT '',
  corrects_entry_id BIGINT NULL,
  recorded_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY idx_dues_entries_member_month (member_id, month),
  UNIQUE KEY uq_dues_entries_corrects (corrects_entry_id),
  CONSTRAINT fk_dues_entries_member FOREIGN KEY (member_id) REFERENCES members (id),
  CONSTRAINT fk_dues_entries_corrects FOREIGN KEY (corrects_entry_id) REFERENCES dues_entries (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The regional minimum wage's region (1..4) of an organization from a day
-- on; a cell takes the region of its nearest organization that has one.
CREATE TABLE IF NOT EXISTS wage_regions (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id BIGINT NOT NULL,
  region TINYINT NOT NULL,
  effective_from DATE NOT NULL,
  citation VARCHAR(500) NOT NULL,
  UNIQUE KEY uq_wage_regions_org_from (org_id, effective_from)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- From which month an organization keeps its dues here (its cells take the
-- nearest organization's): earlier months were kept on paper.
CREATE TABLE IF NOT EXISTS dues_ledger_openings (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id BIGINT NOT NULL,
  first_month DATE NOT NULL,
  UNIQUE KEY uq_dues_ledger_openings_org (org_id)
) ENGINE=InnoDB;
