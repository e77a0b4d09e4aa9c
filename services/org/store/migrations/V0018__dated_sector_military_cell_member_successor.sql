-- The sector and the commune-military-cell flag are dated facts: they move onto
-- the periods of organization_versions, so the tree as of a date shows the sector
-- of that date. Every period takes the sector its organization had, then the old
-- undated column is dropped, so nothing can read a value that no longer changes.
ALTER TABLE organization_versions
  ADD COLUMN sector_code VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL AFTER type_code,
  ADD COLUMN is_commune_military_cell BOOLEAN NOT NULL DEFAULT FALSE AFTER sector_code,
  ADD KEY ix_org_versions_sector (sector_code),
  ADD CONSTRAINT fk_org_versions_sector FOREIGN KEY (sector_code) REFERENCES sectors (code);
UPDATE organization_versions v JOIN organizations o ON o.id = v.organization_id
   SET v.sector_code = o.sector_code;
ALTER TABLE organizations
  DROP FOREIGN KEY fk_organizations_sector;
ALTER TABLE organizations
  DROP INDEX ix_organizations_sector,
  DROP COLUMN sector_code;
-- The cell an ending cell's members move to, as the decision names it, and the
-- sector before and after a SECTOR_CHANGED event.
ALTER TABLE organization_events
  ADD COLUMN member_successor_id BIGINT NULL AFTER new_parent_id,
  ADD COLUMN previous_sector_code VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '' AFTER member_successor_id,
  ADD COLUMN new_sector_code VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '' AFTER previous_sector_code,
  ADD CONSTRAINT fk_org_events_member_successor FOREIGN KEY (member_successor_id) REFERENCES organizations (id);
