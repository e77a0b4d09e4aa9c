-- Completed runs of the start-up code migration (handlers/code_migration.cc),
-- one per version of the code lists it ran against: a later start with the
-- same lists skips its scan of member_sensitive. Writes are checked against
-- the lists, so no legacy text appears after a completed run; changed lists
-- (a new alias) run it again over what is still text.
CREATE TABLE code_migration_runs (
  code_lists_fingerprint CHAR(64) CHARACTER SET ascii NOT NULL,
  completed_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  members_mapped BIGINT NOT NULL,
  fields_unmapped BIGINT NOT NULL,
  PRIMARY KEY (code_lists_fingerprint)
) ENGINE=InnoDB;
