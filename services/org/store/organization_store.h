#pragma once
// Repository of the organization tree and its effective-dated history.
// Methods taking a Session run inside the caller's transaction; the others
// lease their own connection.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/auth/auth.h"
#include "common/db/db.h"
#include "services/org/domain/organization.h"

namespace grassroots::org::store {

class OrganizationStore : public common::auth::ScopeResolver {
 public:
  explicit OrganizationStore(common::db::ConnectionPool& pool) : pool_(pool) {}

  // The organization as it stood on `as_of`. NOT_FOUND when no such id, or
  // when it did not exist yet on that date. An ended organization is returned
  // (state tells) when asked for a date after its end.
  absl::StatusOr<domain::Organization> Get(common::db::Session& session, int64_t id, absl::CivilDay as_of);
  absl::StatusOr<domain::Organization> Get(int64_t id, absl::CivilDay as_of);

  // The subtree rooted at `root` (root included, depth 0 first, depth-first
  // order), as of a date, active organizations only.
  struct SubtreeEntry {
    int64_t id = 0;
    int32_t depth = 0;
  };
  absl::StatusOr<std::vector<SubtreeEntry>> Subtree(common::db::Session& session, int64_t root, absl::CivilDay as_of);

  // True when `descendant` lies in the subtree of `ancestor` (inclusive) on `as_of`.
  absl::StatusOr<bool> IsWithinSubtree(common::db::Session& session, int64_t ancestor, int64_t descendant,
                                       absl::CivilDay as_of);
  // ScopeResolver: as of today.
  absl::StatusOr<bool> IsWithinSubtree(int64_t ancestor, int64_t descendant) override;

  common::db::ConnectionPool& pool() { return pool_; }

  // (Further methods for create / restructure / list are declared below by the tree's owner.)

 private:
  common::db::ConnectionPool& pool_;
};

}  // namespace grassroots::org::store
