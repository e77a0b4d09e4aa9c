-- Each name token carries its member's home cell (members.cell_id, written by
-- MemberStore with the row), so a name search in a subtree reads only that
-- subtree's entries of one token through (cell_id, token), not every member of
-- the subtree nor every bearer of the token. No default: a writer that leaves
-- the cell out fails instead of hiding the member from searches.
ALTER TABLE member_name_tokens ADD COLUMN IF NOT EXISTS cell_id BIGINT NOT NULL;
UPDATE member_name_tokens t JOIN members m ON m.id = t.member_id SET t.cell_id = m.cell_id;
ALTER TABLE member_name_tokens ADD KEY IF NOT EXISTS idx_member_name_tokens_cell (cell_id, token, member_id);
