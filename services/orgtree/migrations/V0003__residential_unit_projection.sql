-- Residential units (thôn, tổ dân phố) and which cell covered each over which
-- days, projected from the organization service's feed (resource types
-- "residential_unit" and "residential_unit_covering"). They carry the one
-- definition of a residential cell (residential_units.h): a cell that covers
-- at least one residential unit active on the day. Cleared and rebuilt with
-- org_projection.

-- One row per unit: its life ([established_on, ended_on)) as last published.
CREATE TABLE IF NOT EXISTS residential_unit_projection (
  unit_id BIGINT NOT NULL PRIMARY KEY,
  code VARCHAR(64) NOT NULL,
  commune_org_id BIGINT NOT NULL,
  established_on DATE NOT NULL,
  ended_on DATE NULL,
  source_sequence BIGINT NOT NULL,
  KEY idx_residential_unit_projection_commune (commune_org_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per covering period ([valid_from, valid_to)), the latest copy of
-- each: an "ended" entry rewrites the period it closes.
CREATE TABLE IF NOT EXISTS unit_covering_projection (
  covering_id BIGINT NOT NULL PRIMARY KEY,
  unit_id BIGINT NOT NULL,
  cell_id BIGINT NOT NULL,
  valid_from DATE NOT NULL,
  valid_to DATE NULL,
  source_sequence BIGINT NOT NULL,
  KEY idx_unit_covering_projection_cell (cell_id, valid_from),
  KEY idx_unit_covering_projection_unit (unit_id)
) ENGINE=InnoDB;
