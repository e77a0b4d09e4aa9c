-- The org-tree client library's tables: a service's own projection of the
-- organization service's tree, fed by its change feed. Membership created
-- these tables in its own first migration before the library existed, so each
-- is CREATE TABLE IF NOT EXISTS with exactly membership's definition: on
-- membership's databases this file changes nothing, on a new service's it
-- creates them. Run these migrations after the owning service's own.

-- One row per organization: its latest state.
CREATE TABLE IF NOT EXISTS org_projection (
  org_id BIGINT NOT NULL PRIMARY KEY,
  parent_id BIGINT NULL,
  code VARCHAR(64) NOT NULL,
  display_name VARCHAR(255) NOT NULL,
  type_code VARCHAR(64) NOT NULL,
  is_cell BOOLEAN NOT NULL,
  is_grassroots BOOLEAN NOT NULL,
  state TINYINT NOT NULL,
  established_on DATE NOT NULL,
  ended_on DATE NULL,
  source_sequence BIGINT NOT NULL,
  KEY idx_org_projection_parent (parent_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Ancestor/descendant pairs of the current tree (depth 0 = itself), so subtree
-- filters and scope checks are one indexed join.
CREATE TABLE IF NOT EXISTS org_closure (
  ancestor_id BIGINT NOT NULL,
  descendant_id BIGINT NOT NULL,
  depth INT NOT NULL,
  PRIMARY KEY (ancestor_id, descendant_id),
  KEY idx_org_closure_descendant (descendant_id)
) ENGINE=InnoDB;

-- Where each feed consumer stands: the last applied sequence.
CREATE TABLE IF NOT EXISTS feed_cursors (
  source VARCHAR(64) NOT NULL PRIMARY KEY,
  last_sequence BIGINT NOT NULL,
  updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB;

-- Organizations by code (membership added it in its V0003).
CREATE INDEX IF NOT EXISTS idx_org_projection_code ON org_projection (code);
