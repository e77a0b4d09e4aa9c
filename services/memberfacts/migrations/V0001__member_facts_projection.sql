-- The member-facts client library's tables: a service's own projection of
-- the membership service's facts, fed by its change feed (resource types
-- "member" and "member_periods"). Ids, codes and dates only: no names or other
-- personal data. Run these migrations after the owning service's own.

-- Where each feed consumer stands, exactly as the org-tree library defines it
-- (its V0001 and V0002): a service that links both libraries gets one table.
CREATE TABLE IF NOT EXISTS feed_cursors (
  source VARCHAR(64) NOT NULL PRIMARY KEY,
  last_sequence BIGINT NOT NULL,
  updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB;
ALTER TABLE feed_cursors ADD COLUMN IF NOT EXISTS epoch VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER last_sequence;

-- One row per member: the facts as last published ("member" entries).
-- status and occupation categories are the enum numbers of
-- grassroots.membership.v1; cell_id is NULL for a member placed in no cell.
CREATE TABLE member_fact_projection (
  member_id BIGINT NOT NULL PRIMARY KEY,
  status TINYINT NOT NULL,
  cell_id BIGINT NULL,
  host_cell_id BIGINT NULL,
  exempt BOOLEAN NOT NULL,
  suspended BOOLEAN NOT NULL,
  status_since DATE NULL,
  admission_decision_date DATE NULL,
  admission_ceremony_date DATE NULL,
  probation_end_date DATE NULL,
  official_date DATE NULL,
  occupation_category SMALLINT NOT NULL,
  occupation_category_at_admission SMALLINT NOT NULL,
  source_sequence BIGINT NOT NULL,
  KEY idx_member_fact_projection_cell (cell_id)
) ENGINE=InnoDB;

-- Each member's status periods [valid_from, valid_to) as last published: a
-- "member_periods" entry replaces all the rows of its member.
CREATE TABLE member_period_projection (
  member_id BIGINT NOT NULL,
  valid_from DATE NOT NULL,
  valid_to DATE NULL,
  status TINYINT NOT NULL,
  cell_id BIGINT NULL,
  host_cell_id BIGINT NULL,
  exempt BOOLEAN NOT NULL,
  suspended BOOLEAN NOT NULL,
  source_sequence BIGINT NOT NULL,
  PRIMARY KEY (member_id, valid_from),
  KEY idx_member_period_projection_cell (cell_id, valid_from),
  KEY idx_member_period_projection_host (host_cell_id, valid_from)
) ENGINE=InnoDB;
