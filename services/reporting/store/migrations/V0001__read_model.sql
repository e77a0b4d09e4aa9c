-- The reporting read model: dated facts from the org, membership and
-- inspection change feeds, ids, codes and dates only (no names of persons, no
-- personal attributes beyond the statistical codes the feeds carry). Each
-- table is written only by the feed follower of its source, in the transaction
-- that moves that feed's cursor (feed_cursors, from the org-tree library's
-- migrations), so no change is applied twice. The org-tree library adds the
-- current tree (org_projection, org_closure: scope checks), residential units
-- and their coverings; the member-facts library adds member status periods
-- (member_period_projection). A rebuild clears all of them.

-- ---- from org's feed ----------------------------------------------------------------------

-- Each organization's dated facts: one row per period [valid_from, valid_to),
-- from the `after` facts of each OrganizationChange (history is appended,
-- never rewritten, so a change closes the open period and opens the next; two
-- changes on one day amend the same period).
CREATE TABLE rm_org_period (
  org_id BIGINT NOT NULL,
  valid_from DATE NOT NULL,
  valid_to DATE NULL,
  parent_id BIGINT NULL,
  type_code VARCHAR(64) NOT NULL,
  sector_code VARCHAR(64) NOT NULL DEFAULT '',
  state TINYINT NOT NULL,
  commune_military_cell BOOLEAN NOT NULL,
  source_sequence BIGINT NOT NULL,
  PRIMARY KEY (org_id, valid_from),
  KEY idx_rm_org_period_parent (parent_id, valid_from)
) ENGINE=InnoDB;

-- The organization types seen on the feed, with the flags the definitions use.
CREATE TABLE rm_org_type (
  type_code VARCHAR(64) NOT NULL PRIMARY KEY,
  level_code VARCHAR(64) NOT NULL,
  is_grassroots BOOLEAN NOT NULL,
  is_cell BOOLEAN NOT NULL
) ENGINE=InnoDB;

CREATE TABLE rm_committee_term (
  term_id BIGINT NOT NULL PRIMARY KEY,
  org_id BIGINT NOT NULL,
  starts_on DATE NOT NULL,
  ends_on DATE NULL,
  elected_committee BOOLEAN NOT NULL,
  source_sequence BIGINT NOT NULL,
  KEY idx_rm_committee_term_org (org_id, starts_on)
) ENGINE=InnoDB;

-- kind: grassroots.org.v1.PositionKind. ends_on: the first day no longer held.
CREATE TABLE rm_committee_position (
  position_id BIGINT NOT NULL PRIMARY KEY,
  term_id BIGINT NOT NULL,
  org_id BIGINT NOT NULL,
  member_id BIGINT NULL,
  kind TINYINT NOT NULL,
  starts_on DATE NOT NULL,
  ends_on DATE NULL,
  source_sequence BIGINT NOT NULL,
  KEY idx_rm_committee_position_org (org_id),
  KEY idx_rm_committee_position_member (member_id)
) ENGINE=InnoDB;

-- kind: grassroots.org.v1.MeetingKind. held_on: the local (Asia/Ho_Chi_Minh)
-- date of the actual start, NULL while only planned.
CREATE TABLE rm_meeting (
  meeting_id BIGINT NOT NULL PRIMARY KEY,
  org_id BIGINT NOT NULL,
  kind TINYINT NOT NULL,
  held_on DATE NULL,
  source_sequence BIGINT NOT NULL,
  KEY idx_rm_meeting_org (org_id, held_on)
) ENGINE=InnoDB;

-- One row per version ("organizations/{o}/regulations/{version}").
-- superseded_on: the first day the version is no longer in force.
CREATE TABLE rm_working_regulation (
  org_id BIGINT NOT NULL,
  version INT NOT NULL,
  adopted_on DATE NOT NULL,
  superseded_on DATE NULL,
  source_sequence BIGINT NOT NULL,
  PRIMARY KEY (org_id, version)
) ENGINE=InnoDB;

CREATE TABLE rm_new_model (
  model_id BIGINT NOT NULL PRIMARY KEY,
  org_id BIGINT NOT NULL,
  year SMALLINT NOT NULL,
  source_sequence BIGINT NOT NULL,
  KEY idx_rm_new_model_org (org_id, year)
) ENGINE=InnoDB;

-- level: grassroots.org.v1.QualityLevel.
CREATE TABLE rm_org_rating (
  org_id BIGINT NOT NULL,
  year SMALLINT NOT NULL,
  level TINYINT NOT NULL,
  source_sequence BIGINT NOT NULL,
  PRIMARY KEY (org_id, year)
) ENGINE=InnoDB;

-- post: grassroots.org.v1.UnitHeadPost. valid_to: the first day no longer held.
CREATE TABLE rm_unit_head (
  head_id BIGINT NOT NULL PRIMARY KEY,
  unit_id BIGINT NOT NULL,
  post TINYINT NOT NULL,
  is_party_member BOOLEAN NOT NULL,
  member_id BIGINT NULL,
  valid_from DATE NOT NULL,
  valid_to DATE NULL,
  source_sequence BIGINT NOT NULL,
  KEY idx_rm_unit_head_unit (unit_id)
) ENGINE=InnoDB;

CREATE TABLE rm_head_training (
  training_id BIGINT NOT NULL PRIMARY KEY,
  head_id BIGINT NOT NULL,
  post TINYINT NOT NULL,
  start_date DATE NOT NULL,
  end_date DATE NULL,
  term_starts_on DATE NULL,
  term_ends_on DATE NULL,
  source_sequence BIGINT NOT NULL,
  KEY idx_rm_head_training_head (head_id)
) ENGINE=InnoDB;

-- ---- from membership's feed ---------------------------------------------------------------

-- Statistical attributes of each member as last published ("member"
-- entries): enum numbers of grassroots.membership.v1 and the codes of
-- data/codes. Status periods are in member_period_projection.
CREATE TABLE rm_member (
  member_id BIGINT NOT NULL PRIMARY KEY,
  sex TINYINT NOT NULL,
  birth_year SMALLINT NULL,
  birth_month TINYINT NULL,
  ethnicity_code VARCHAR(16) NOT NULL DEFAULT '',
  religion_code VARCHAR(16) NOT NULL DEFAULT '',
  status TINYINT NOT NULL,
  admission_decision_date DATE NULL,
  official_date DATE NULL,
  occupation_category_at_admission SMALLINT NOT NULL,
  source_sequence BIGINT NOT NULL,
  KEY idx_rm_member_admission (admission_decision_date)
) ENGINE=InnoDB;

-- attribute: grassroots.membership.v1.MemberAttribute; value: the enum number
-- of its value type. Replaced as a whole by each "member" entry.
CREATE TABLE rm_member_attribute_period (
  member_id BIGINT NOT NULL,
  attribute TINYINT NOT NULL,
  valid_from DATE NOT NULL,
  valid_to DATE NULL,
  value INT NOT NULL,
  PRIMARY KEY (member_id, attribute, valid_from)
) ENGINE=InnoDB;

-- The member's events (kind: grassroots.membership.v1.EventKind); voided
-- events are kept with voided = TRUE. cell_id: the cell after the event;
-- from_cell_id: the cell left (removals: the cell before, from the periods).
-- reason: REMOVED: the removal trigger's name; EXPELLED: the discipline
-- decision it references (resolved to its violation kind when read).
CREATE TABLE rm_member_event (
  event_id BIGINT NOT NULL PRIMARY KEY,
  member_id BIGINT NOT NULL,
  kind TINYINT NOT NULL,
  effective_date DATE NOT NULL,
  cell_id BIGINT NULL,
  from_cell_id BIGINT NULL,
  status_after TINYINT NOT NULL,
  voided BOOLEAN NOT NULL,
  removal_trigger VARCHAR(64) NOT NULL DEFAULT '',
  discipline_reference VARCHAR(128) NOT NULL DEFAULT '',
  source_sequence BIGINT NOT NULL,
  KEY idx_rm_member_event_kind (kind, effective_date),
  KEY idx_rm_member_event_member (member_id)
) ENGINE=InnoDB;

-- exemption: grassroots.membership.v1.ResidenceExemption (0: none). ended_on:
-- the first day no longer in force.
CREATE TABLE rm_residence_registration (
  registration_id BIGINT NOT NULL PRIMARY KEY,
  member_id BIGINT NOT NULL,
  residence_cell_id BIGINT NULL,
  registered_on DATE NOT NULL,
  ended_on DATE NULL,
  exemption TINYINT NOT NULL,
  source_sequence BIGINT NOT NULL,
  KEY idx_rm_residence_registration_member (member_id)
) ENGINE=InnoDB;

-- One row per member and year ("members/{m}/residence-feedback/{year}",
-- ".../commitments/{year}", ".../ratings/{year}": the year is the key).
CREATE TABLE rm_residence_feedback (
  member_id BIGINT NOT NULL,
  year SMALLINT NOT NULL,
  given_on DATE NULL,
  source_sequence BIGINT NOT NULL,
  PRIMARY KEY (member_id, year)
) ENGINE=InnoDB;

CREATE TABLE rm_commitment (
  member_id BIGINT NOT NULL,
  year SMALLINT NOT NULL,
  registered_on DATE NULL,
  source_sequence BIGINT NOT NULL,
  PRIMARY KEY (member_id, year)
) ENGINE=InnoDB;

-- level: grassroots.membership.v1.RatingLevel.
CREATE TABLE rm_member_rating (
  member_id BIGINT NOT NULL,
  year SMALLINT NOT NULL,
  level TINYINT NOT NULL,
  source_sequence BIGINT NOT NULL,
  PRIMARY KEY (member_id, year)
) ENGINE=InnoDB;

-- post: grassroots.membership.v1.TrainingPost (0: not for a post).
CREATE TABLE rm_member_training (
  training_id BIGINT NOT NULL PRIMARY KEY,
  member_id BIGINT NOT NULL,
  post TINYINT NOT NULL,
  start_date DATE NOT NULL,
  end_date DATE NULL,
  term_starts_on DATE NULL,
  term_ends_on DATE NULL,
  committee_term_id BIGINT NULL,
  source_sequence BIGINT NOT NULL,
  KEY idx_rm_member_training_member (member_id)
) ENGINE=InnoDB;

-- ---- from inspection's feed ---------------------------------------------------------------

CREATE TABLE rm_inspection_program (
  program_id BIGINT NOT NULL PRIMARY KEY,
  org_id BIGINT NOT NULL,
  year SMALLINT NOT NULL,
  adopted_on DATE NOT NULL,
  source_sequence BIGINT NOT NULL,
  KEY idx_rm_inspection_program_org (org_id, year)
) ENGINE=InnoDB;

-- Discipline decisions on members: the violation kind is the reason an
-- expulsion is counted under (S16). form / form_in_force:
-- grassroots.inspection.v1.DisciplineForm names. member_id / org_id: the
-- subject (one of them); violation_kind: the ViolationCategory name.
CREATE TABLE rm_discipline_decision (
  decision_id BIGINT NOT NULL PRIMARY KEY,
  member_id BIGINT NULL,
  org_id BIGINT NULL,
  form VARCHAR(64) NOT NULL,
  form_in_force VARCHAR(64) NOT NULL,
  violation_kind VARCHAR(64) NOT NULL DEFAULT '',
  effective_date DATE NULL,
  source_sequence BIGINT NOT NULL,
  KEY idx_rm_discipline_decision_member (member_id)
) ENGINE=InnoDB;
