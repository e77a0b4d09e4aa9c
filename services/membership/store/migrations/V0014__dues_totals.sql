-- Monthly dues totals per cell, kept for reporting (handlers/dues_totals.h).
-- Each member's months as the ledger computes them, the cells' sums, and
-- where the publisher stands: its place in this service's own change feed,
-- and the month of its last full sweep (every member is recomputed once a
-- month, when the new month's dues fall due).

CREATE TABLE IF NOT EXISTS dues_totals_state (
  id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
  feed_sequence BIGINT NOT NULL,
  swept_month DATE NULL,
  sweep_after_member_id BIGINT NOT NULL DEFAULT 0,
  CONSTRAINT dues_totals_state_single_row CHECK (id = 1)
) ENGINE=InnoDB;

INSERT IGNORE INTO dues_totals_state (id, feed_sequence, swept_month, sweep_after_member_id) VALUES (1, 0, NULL, 0);

-- A member's owed months: the cell that collected, and the month's figures.
CREATE TABLE IF NOT EXISTS dues_member_months (
  member_id BIGINT NOT NULL,
  month DATE NOT NULL,
  cell_id BIGINT NOT NULL,
  due BIGINT NOT NULL,
  paid BIGINT NOT NULL,
  voluntary BIGINT NOT NULL,
  outstanding BIGINT NOT NULL,
  unpaid BOOLEAN NOT NULL,
  in_arrears BOOLEAN NOT NULL,
  PRIMARY KEY (member_id, month),
  KEY idx_dues_member_months_cell (cell_id, month)
) ENGINE=InnoDB;

-- The totals last published for each cell and month.
CREATE TABLE IF NOT EXISTS dues_cell_months (
  cell_id BIGINT NOT NULL,
  month DATE NOT NULL,
  members_owing INT NOT NULL,
  due BIGINT NOT NULL,
  paid BIGINT NOT NULL,
  voluntary BIGINT NOT NULL,
  outstanding BIGINT NOT NULL,
  members_unpaid INT NOT NULL,
  members_in_arrears INT NOT NULL,
  PRIMARY KEY (cell_id, month)
) ENGINE=InnoDB;
