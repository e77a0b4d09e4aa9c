-- Cells' monthly party dues totals as the membership service publishes them
-- (grassroots.membership.v1.DuesCellMonth): no member's amount is kept here.
CREATE TABLE IF NOT EXISTS rm_dues_cell_month (
  cell_id BIGINT NOT NULL,
  month DATE NOT NULL,
  members_owing INT NOT NULL,
  due BIGINT NOT NULL,
  paid BIGINT NOT NULL,
  voluntary BIGINT NOT NULL,
  outstanding BIGINT NOT NULL,
  members_unpaid INT NOT NULL,
  members_in_arrears INT NOT NULL,
  source_sequence BIGINT NOT NULL,
  PRIMARY KEY (cell_id, month),
  KEY idx_rm_dues_cell_month_month (month)
) ENGINE=InnoDB;
