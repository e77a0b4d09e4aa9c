-- Plans as data (data/plans/README.md): the plans committees load, the dated
-- status history of each task per organization, and the units' yearly reports
-- on a plan. The built-in plan file is not stored here (it is loaded at
-- start-up). Plans never change once stored: a new version is a new id.

-- plan_json: the document as loaded ("grassroots.plan/1"); org_id: the
-- organization that adopted it.
CREATE TABLE plans (
  plan_id VARCHAR(64) NOT NULL PRIMARY KEY,
  org_id BIGINT NOT NULL,
  plan_json LONGTEXT NOT NULL,
  loaded_by VARCHAR(255) NOT NULL,
  loaded_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_plans_org (org_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per status entry, appended, never updated: version 1, 2, ... per
-- (plan, organization, task). state: grassroots.reporting.v1.TaskState.
-- entry: the serialized grassroots.reporting.v1.TaskStatus (evidence, note).
CREATE TABLE plan_task_statuses (
  plan_id VARCHAR(64) NOT NULL,
  org_id BIGINT NOT NULL,
  task_id VARCHAR(64) NOT NULL,
  version INT NOT NULL,
  state TINYINT NOT NULL,
  as_of_date DATE NOT NULL,
  entry LONGBLOB NOT NULL,
  recorded_by VARCHAR(255) NOT NULL,
  recorded_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (plan_id, org_id, task_id, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A unit's yearly report on a plan, one per (plan, organization, year).
-- report: the serialized grassroots.reporting.v1.UnitReport (the text, the
-- task statuses at submission, the closed YEARLY report linked, if any).
CREATE TABLE plan_unit_reports (
  unit_report_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  plan_id VARCHAR(64) NOT NULL,
  org_id BIGINT NOT NULL,
  year SMALLINT NOT NULL,
  closed_report_id BIGINT NULL,
  report LONGBLOB NOT NULL,
  submitted_by VARCHAR(255) NOT NULL,
  submitted_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_plan_unit_reports (plan_id, org_id, year)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
