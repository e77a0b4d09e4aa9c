-- Reference data: levels, organization types, which type may sit under which
-- (kept as data so a province can add a type without a code change), sectors.
CREATE TABLE IF NOT EXISTS org_levels (
  code VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
  display_name VARCHAR(255) NOT NULL,
  rank_order INT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE IF NOT EXISTS org_types (
  code VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
  display_name VARCHAR(255) NOT NULL,
  level_code VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  is_grassroots BOOLEAN NOT NULL DEFAULT FALSE,
  is_cell BOOLEAN NOT NULL DEFAULT FALSE,
  may_be_root BOOLEAN NOT NULL DEFAULT FALSE,
  sort_order INT NOT NULL DEFAULT 0,
  CONSTRAINT fk_org_types_level FOREIGN KEY (level_code) REFERENCES org_levels (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE IF NOT EXISTS org_type_parents (
  type_code VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  parent_type_code VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  PRIMARY KEY (type_code, parent_type_code),
  CONSTRAINT fk_org_type_parents_type FOREIGN KEY (type_code) REFERENCES org_types (code),
  CONSTRAINT fk_org_type_parents_parent FOREIGN KEY (parent_type_code) REFERENCES org_types (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE IF NOT EXISTS sectors (
  code VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
  display_name VARCHAR(255) NOT NULL,
  sort_order INT NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
