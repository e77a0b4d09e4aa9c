-- Residential units keep the history of their covering cell and heads (S9, S14, S15):
-- one row per period [valid_from, valid_to), valid_to NULL while it lasts.
CREATE TABLE IF NOT EXISTS residential_unit_coverings (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  unit_id BIGINT NOT NULL,
  cell_id BIGINT NOT NULL,
  valid_from DATE NOT NULL,
  valid_to DATE NULL,
  decision_issuing_body VARCHAR(255) NOT NULL DEFAULT '',
  decision_number VARCHAR(100) NOT NULL DEFAULT '',
  decision_signed_on DATE NULL,
  end_decision_issuing_body VARCHAR(255) NOT NULL DEFAULT '',
  end_decision_number VARCHAR(100) NOT NULL DEFAULT '',
  end_decision_signed_on DATE NULL,
  create_time DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_unit_coverings_unit (unit_id, valid_from),
  KEY ix_unit_coverings_cell (cell_id, valid_from),
  CONSTRAINT fk_unit_coverings_unit FOREIGN KEY (unit_id) REFERENCES residential_units (id),
  CONSTRAINT fk_unit_coverings_cell FOREIGN KEY (cell_id) REFERENCES organizations (id),
  CONSTRAINT ck_unit_coverings_period CHECK (valid_to IS NULL OR valid_to > valid_from)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A head is a person holding a post of the unit for a period; member_id links a party
-- member the membership service confirmed. The name is personal data.
CREATE TABLE IF NOT EXISTS residential_unit_heads (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  unit_id BIGINT NOT NULL,
  post VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  display_name VARCHAR(255) NOT NULL,
  is_party_member BOOLEAN NOT NULL DEFAULT FALSE,
  member_id BIGINT NULL,
  valid_from DATE NOT NULL,
  valid_to DATE NULL,
  decision_issuing_body VARCHAR(255) NOT NULL DEFAULT '',
  decision_number VARCHAR(100) NOT NULL DEFAULT '',
  decision_signed_on DATE NULL,
  end_decision_issuing_body VARCHAR(255) NOT NULL DEFAULT '',
  end_decision_number VARCHAR(100) NOT NULL DEFAULT '',
  end_decision_signed_on DATE NULL,
  create_time DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_unit_heads_unit (unit_id, post, valid_from),
  KEY ix_unit_heads_member (member_id),
  CONSTRAINT fk_unit_heads_unit FOREIGN KEY (unit_id) REFERENCES residential_units (id),
  CONSTRAINT ck_unit_heads_period CHECK (valid_to IS NULL OR valid_to > valid_from)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Training for a head's post (heads who are members also have it in membership).
CREATE TABLE IF NOT EXISTS residential_unit_head_trainings (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  head_id BIGINT NOT NULL,
  post VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  course VARCHAR(255) NOT NULL,
  start_date DATE NOT NULL,
  end_date DATE NOT NULL,
  term_starts_on DATE NOT NULL,
  term_ends_on DATE NULL,
  certificate_number VARCHAR(64) NOT NULL DEFAULT '',
  provider VARCHAR(255) NOT NULL DEFAULT '',
  create_time DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_head_trainings_head (head_id, start_date),
  CONSTRAINT fk_head_trainings_head FOREIGN KEY (head_id) REFERENCES residential_unit_heads (id),
  CONSTRAINT ck_head_trainings_dates CHECK (end_date >= start_date),
  CONSTRAINT ck_head_trainings_term CHECK (term_ends_on IS NULL OR term_ends_on > term_starts_on)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The single columns held only the latest value with no date; it becomes one period
-- from the unit's founding (or the cell's, when later), ending with the unit.
INSERT INTO residential_unit_coverings (unit_id, cell_id, valid_from, valid_to)
  SELECT u.id, u.covering_cell_id, GREATEST(u.established_on, o.established_on), u.ended_on
    FROM residential_units u JOIN organizations o ON o.id = u.covering_cell_id
   WHERE u.ended_on IS NULL OR u.ended_on > GREATEST(u.established_on, o.established_on);
INSERT INTO residential_unit_heads (unit_id, post, display_name, is_party_member, member_id, valid_from, valid_to)
  SELECT id, IF(kind = 2, 'RESIDENTIAL_GROUP_HEAD', 'VILLAGE_HEAD'), head_name, head_is_member, head_member_id,
         established_on, ended_on
    FROM residential_units WHERE head_name IS NOT NULL AND head_name <> '';
INSERT INTO residential_unit_heads (unit_id, post, display_name, is_party_member, member_id, valid_from, valid_to)
  SELECT id, 'FRONT_WORK_COMMITTEE_HEAD', front_head_name, front_head_is_member, front_head_member_id,
         established_on, ended_on
    FROM residential_units WHERE front_head_name IS NOT NULL AND front_head_name <> '';

ALTER TABLE residential_units DROP FOREIGN KEY fk_residential_units_covering_cell;
ALTER TABLE residential_units
  DROP INDEX ix_residential_units_covering_cell,
  DROP COLUMN covering_cell_id,
  DROP COLUMN head_name, DROP COLUMN head_is_member, DROP COLUMN head_member_id,
  DROP COLUMN front_head_name, DROP COLUMN front_head_is_member, DROP COLUMN front_head_member_id;
