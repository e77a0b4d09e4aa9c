-- Scorecard pre-aggregates (store/rollup_store.h). One row holds the totals of
-- an organization's subtree for one evaluation: as_of (the day D), the day the
-- subtree is placed by (D, or an earlier day for a subtree under an
-- organization that had ended by D), the plan's term start (S7, S8) and a
-- fingerprint of the occupation-category rules (S2, S4). Rows are written when
-- a scorecard is computed and reused while fresh.
--
-- Freshness: rm_rollup_version counts, per organization, the changes that
-- could alter a subtree containing it. Applying a feed change bumps the
-- version of every organization that is, or ever was, above what the change
-- touched, in the change's own transaction. A row is fresh while its version
-- equals the organization's current one (no row there: 0).
CREATE TABLE rm_rollup (
  org_id BIGINT NOT NULL,
  as_of DATE NOT NULL,
  placing_day DATE NOT NULL,
  term_from DATE NOT NULL,
  rules_key BIGINT NOT NULL,
  version BIGINT NOT NULL,
  new_model BOOLEAN NOT NULL,
  -- {"n": [numerators], "d": [denominators], "r": [[indicator, kind, reason, count], ...]},
  -- indicators in the order of DESIGN.md (S1, S2a, ..., S16).
  totals TEXT NOT NULL,
  computed_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (org_id, as_of, placing_day, term_from, rules_key)
) ENGINE=InnoDB;

CREATE TABLE rm_rollup_version (
  org_id BIGINT NOT NULL PRIMARY KEY,
  version BIGINT NOT NULL
) ENGINE=InnoDB;
