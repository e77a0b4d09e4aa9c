-- A member whose cell ended with no successor is "to be placed": no cell
-- (cell_id 0) until an official transfer places them; this keeps the ended
-- cell, which anchors scope checks and the AWAITING_PLACEMENT alert.
ALTER TABLE members
  ADD COLUMN awaiting_placement_from_cell_id BIGINT NULL,
  ADD KEY idx_members_awaiting_placement (awaiting_placement_from_cell_id);
