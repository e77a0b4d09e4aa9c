-- Closed periods (DESIGN.md, "As effective, then frozen"): the scorecard of an
-- organization for a year as it stood when its committee closed the period,
-- and every unit each indicator counted, so the frozen shortfall lists and the
-- comparison with live figures need nothing recomputed. Rows are written once
-- and never updated.

-- kind: grassroots.reporting.v1.ReportKind. scorecard: the serialized
-- grassroots.reporting.v1.Scorecard (figures, targets, feed positions).
CREATE TABLE closed_reports (
  report_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id BIGINT NOT NULL,
  year SMALLINT NOT NULL,
  kind TINYINT NOT NULL,
  as_of_date DATE NOT NULL,
  plan_id VARCHAR(64) NOT NULL,
  scorecard LONGBLOB NOT NULL,
  closed_by VARCHAR(255) NOT NULL,
  closed_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  note TEXT NOT NULL,
  UNIQUE KEY uq_closed_reports_period (org_id, year, kind)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per unit an indicator counted (its denominator; for the counts,
-- what it counted), in the indicator's order (ordinal). subject:
-- 1 organization, 2 residential unit, 3 member, 4 unit head (subject_id the
-- head, unit_id its unit). post: the S14/S15 post name or ''. display_name:
-- organizations' and units' names as they were (never a person's).
CREATE TABLE closed_report_units (
  report_id BIGINT NOT NULL,
  indicator VARCHAR(8) NOT NULL,
  ordinal INT NOT NULL,
  subject TINYINT NOT NULL,
  subject_id BIGINT NOT NULL,
  unit_id BIGINT NOT NULL DEFAULT 0,
  organization_id BIGINT NOT NULL,
  post VARCHAR(48) NOT NULL DEFAULT '',
  in_numerator BOOLEAN NOT NULL,
  reason VARCHAR(255) NOT NULL DEFAULT '',
  display_name VARCHAR(255) NOT NULL DEFAULT '',
  PRIMARY KEY (report_id, indicator, ordinal)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
