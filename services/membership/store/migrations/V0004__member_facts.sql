-- Issue 7, membership facts:
--  1. professional qualification as a level (Biểu 3-TCTW counts levels), mapped
--     from the free text where its words say the level;
--  2. dated attributes: the history of occupation category, general education,
--     professional qualification level and political theory level, seeded
--     with one open period per member from today's values, starting on the
--     member's admission decision (or the record's first event when earlier,
--     or the day the row was created when there is no event);
--  3. the ethnicity and religion rows the code migration (store/code_migration.cc,
--     run at start with the code lists of data/codes) could not map.

ALTER TABLE members
  ADD COLUMN professional_qualification_level TINYINT NOT NULL DEFAULT 0 AFTER professional_qualification;

-- The collation ignores case and accents, so the patterns are written without
-- them ("tien si" matches "Tiến sĩ"); the highest level named wins.
UPDATE members SET professional_qualification_level = CASE
    WHEN professional_qualification LIKE '%tien si%' OR professional_qualification LIKE '%tien sy%' THEN 7
    WHEN professional_qualification LIKE '%thac si%' OR professional_qualification LIKE '%thac sy%' THEN 6
    WHEN professional_qualification LIKE '%ai hoc%' OR professional_qualification LIKE '%cu nhan%'
      OR professional_qualification LIKE '%ky su%' OR professional_qualification LIKE '%bac si%'
      OR professional_qualification LIKE '%duoc si%' OR professional_qualification LIKE '%kien truc su%' THEN 5
    WHEN professional_qualification LIKE '%cao _ang%' THEN 4
    WHEN professional_qualification LIKE '%trung cap%' THEN 3
    WHEN professional_qualification LIKE '%so cap%' THEN 2
    ELSE 0
  END
WHERE professional_qualification <> '';

-- attribute: grassroots.membership.v1.MemberAttribute (1 occupation category,
-- 2 general education, 3 professional qualification level, 4 political theory
-- level); value: the enum number of its value. [valid_from, valid_to).
CREATE TABLE member_attribute_periods (
  member_id BIGINT NOT NULL,
  attribute TINYINT NOT NULL,
  value TINYINT NOT NULL,
  valid_from DATE NOT NULL,
  valid_to DATE NULL,
  PRIMARY KEY (member_id, attribute, valid_from),
  KEY idx_member_attribute_periods_value (attribute, value, valid_from, valid_to),
  CONSTRAINT fk_member_attribute_periods_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE=InnoDB;

INSERT INTO member_attribute_periods (member_id, attribute, value, valid_from, valid_to)
SELECT m.id, a.attribute,
       CASE a.attribute
         WHEN 1 THEN m.occupation_category
         WHEN 2 THEN m.general_education
         WHEN 3 THEN m.professional_qualification_level
         ELSE m.political_theory_level
       END,
       LEAST(COALESCE(m.admission_decision_date, first_event.day, DATE(m.created_at)),
             COALESCE(first_event.day, DATE(m.created_at))),
       NULL
FROM members m
LEFT JOIN (SELECT member_id, MIN(effective_date) AS day FROM member_events GROUP BY member_id) first_event
  ON first_event.member_id = m.id
CROSS JOIN (SELECT 1 AS attribute UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) a;

-- Free text of member_sensitive that matched no code: the original bytes (for
-- an admin to read in the database), listed by ListMemberAlerts as
-- ALERT_KIND_UNMAPPED_CODE until the field is set through UpdateMember.
-- field: "ethnicity" or "religion".
CREATE TABLE member_code_unmapped (
  member_id BIGINT NOT NULL,
  field VARCHAR(16) CHARACTER SET ascii NOT NULL,
  original VARBINARY(512) NOT NULL,
  listed_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (member_id, field),
  CONSTRAINT fk_member_code_unmapped_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE=InnoDB;

-- Religion: an empty value meant "none" before the codes; "00" is that code.
-- (From now on an empty value means "not recorded".)
UPDATE member_sensitive SET religion = '00' WHERE key_version = 0 AND (religion IS NULL OR religion = '');
