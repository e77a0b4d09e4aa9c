#pragma once
// Membership's own copy of the organization tree, fed by the organization
// service's change feed: one row per organization (its latest state) and a
// closure table of the current tree, so subtree filters and scope checks need
// no call to the organization service. The feed cursor is stored with the
// changes it covers, in the same transaction.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/auth/auth.h"
#include "common/db/db.h"
#include "grassroots/org/v1/organization.pb.h"

namespace grassroots::membership::store {

struct ProjectedOrganization {
  int64_t id = 0;
  std::optional<int64_t> parent_id;
  std::string code;
  std::string display_name;
  std::string type_code;
  bool is_cell = false;
  bool is_grassroots = false;
  int32_t state = 0;  // grassroots.org.v1.OrganizationState
  absl::CivilDay established_on;
  std::optional<absl::CivilDay> ended_on;
};

class OrgProjection : public common::auth::ScopeResolver {
 public:
  explicit OrgProjection(common::db::ConnectionPool& pool) : pool_(pool) {}

  // The cursor of `source` (0 when never read).
  absl::StatusOr<int64_t> Cursor(common::db::Session& session, const std::string& source);
  // Applies one organization change (its state after the change) and moves
  // the cursor to `sequence`, idempotently: a sequence at or below the cursor
  // is ignored. Keeps org_closure consistent when the parent changes.
  absl::Status Apply(common::db::Session& session, const std::string& source, int64_t sequence,
                     const grassroots::org::v1::Organization& organization);
  // Moves the cursor past a change that is not about organizations.
  absl::Status Skip(common::db::Session& session, const std::string& source, int64_t sequence);

  absl::StatusOr<std::optional<ProjectedOrganization>> Find(common::db::Session& session, int64_t id);
  absl::StatusOr<bool> IsWithinSubtree(common::db::Session& session, int64_t ancestor, int64_t descendant);
  // ScopeResolver (current tree).
  absl::StatusOr<bool> IsWithinSubtree(int64_t ancestor, int64_t descendant) override;
  // Ids in the subtree (root included).
  absl::StatusOr<std::vector<int64_t>> SubtreeIds(common::db::Session& session, int64_t root);

 private:
  common::db::ConnectionPool& pool_;
};

}  // namespace grassroots::membership::store
