-- Cell meetings (sinh hoạt chi bộ). Times are UTC; meeting_date is the local
-- (Asia/Ho_Chi_Minh) day of the actual start, else the planned start, and held_on the
-- local day of the actual start (NULL until the meeting has been held).
CREATE TABLE IF NOT EXISTS meetings (
  id BIGINT NOT NULL AUTO_INCREMENT,
  organization_id BIGINT NOT NULL,
  kind TINYINT NOT NULL,
  mode TINYINT NOT NULL,
  online_reason VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
  party_group_id BIGINT NULL,
  topic VARCHAR(1000) NOT NULL DEFAULT '',
  planned_start DATETIME(6) NOT NULL,
  planned_end DATETIME(6) NOT NULL,
  actual_start DATETIME(6) NULL,
  actual_end DATETIME(6) NULL,
  invited_count INT NOT NULL DEFAULT 0,
  present_count INT NOT NULL DEFAULT 0,
  excused_count INT NOT NULL DEFAULT 0,
  meeting_date DATE NOT NULL,
  held_on DATE NULL,
  version BIGINT NOT NULL DEFAULT 1,
  create_time DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  update_time DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  KEY ix_meetings_org_date (organization_id, meeting_date, id),
  KEY ix_meetings_date (meeting_date, id),
  KEY ix_meetings_thematic (kind, held_on, organization_id),
  CONSTRAINT ck_meetings_counts CHECK (invited_count >= 0 AND present_count >= 0 AND excused_count >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
