-- A POST_TRAINING names the post it qualifies for and the term of that post (S14).
ALTER TABLE trainings
  ADD COLUMN post VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD COLUMN term_starts_on DATE NULL,
  ADD COLUMN term_ends_on DATE NULL,
  ADD COLUMN committee_term VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD KEY idx_trainings_post (post, member_id),
  ADD CONSTRAINT ck_trainings_term CHECK (term_ends_on IS NULL OR term_ends_on > term_starts_on);
