-- What the scorecard shows and judges about a residential unit beyond the
-- org-tree library's projection: its name (shortfall lists) and its kind, a
-- village (thôn: a village head) or a residential group (tổ dân phố: a group
-- head), which names S15's head post when no head is recorded. kind:
-- grassroots.org.v1.ResidentialUnitKind. Written with the library's row from
-- each "residential_unit" entry of org's feed.
CREATE TABLE rm_residential_unit (
  unit_id BIGINT NOT NULL PRIMARY KEY,
  display_name VARCHAR(255) NOT NULL,
  kind TINYINT NOT NULL,
  source_sequence BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
