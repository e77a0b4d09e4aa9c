#pragma once
// A service's own copy of the organization tree, fed by the organization
// service's change feed: one row per organization (its latest state) and a
// closure table of the current tree, so subtree filters and scope checks need
// no call to the organization service. The feed cursor, and the epoch of the
// feed it belongs to, are stored with the changes they cover, in the same
// transaction. Tables: services/orgtree/migrations.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/auth/auth.h"
#include "common/db/db.h"
#include "common/feed/feed_cursor.h"
#include "grassroots/org/v1/organization.pb.h"

namespace grassroots::orgtree {

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

// The cursor's types (common/feed/feed_cursor.h), under the names this library always used.
using FeedPosition = common::feed::FeedPosition;
using EpochBinding = common::feed::EpochBinding;

class OrgProjection : public common::auth::ScopeResolver {
 public:
  explicit OrgProjection(common::db::ConnectionPool& pool) : pool_(pool) {}

  // Where `source` stands: sequence 0 and no epoch when never read; no epoch
  // either for a cursor stored before feeds had epochs.
  absl::StatusOr<FeedPosition> Position(common::db::Session& session, const std::string& source);
  // Binds the cursor of `source` to the feed epoch `epoch` (FeedHead.epoch),
  // under the cursor's row lock. A cursor with no epoch adopts it; a cursor of
  // another epoch belongs to another database of the producer, so the
  // projection, the closure and the cursor are cleared (to be rebuilt from
  // sequence 0). Run it in a transaction: the clearing is all or nothing.
  absl::StatusOr<EpochBinding> BindEpoch(common::db::Session& session, const std::string& source,
                                         const std::string& epoch);
  // Clears the projection (residential units included), the closure and the cursor of `source` (keeping its
  // epoch), so the projection is rebuilt from sequence 0: used when the cursor
  // is ahead of the feed (the producer was restored from an older backup and
  // will write other changes at the positions this consumer already applied).
  absl::Status Reset(common::db::Session& session, const std::string& source);
  // Applies one organization change (its state after the change) and moves
  // the cursor to `sequence`, idempotently: returns false, changing nothing,
  // for a sequence at or below the cursor. Keeps org_closure consistent when
  // the parent changes. ABORTED when the cursor is no longer bound to `epoch`
  // (another replica rebound it meanwhile).
  absl::StatusOr<bool> Apply(common::db::Session& session, const std::string& source, const std::string& epoch,
                             int64_t sequence, const grassroots::org::v1::Organization& organization);
  // The same frame for any change the projection keeps (residential units,
  // covering periods: residential_units.h): under the cursor's row lock, runs
  // `apply` and moves the cursor to `sequence`; returns false, running
  // nothing, for a sequence at or below the cursor; ABORTED like Apply.
  absl::StatusOr<bool> ApplyAt(common::db::Session& session, const std::string& source, const std::string& epoch,
                               int64_t sequence, absl::FunctionRef<absl::Status(common::db::Session&)> apply);
  // Moves the cursor past changes that are not about organizations (only
  // forward, and only while it is still bound to `epoch`).
  absl::Status Skip(common::db::Session& session, const std::string& source, const std::string& epoch,
                    int64_t sequence);

  // The organization's row and closure links after the change at `sequence`,
  // for a caller that holds the cursor (ApplyAt, or the feed follower's
  // transaction). Malformed names or dates are INVALID_ARGUMENT, a move under
  // its own descendant FAILED_PRECONDITION (PROJECTION_CYCLE).
  absl::Status ApplyOrganization(common::db::Session& session, int64_t sequence,
                                 const grassroots::org::v1::Organization& organization);
  // Everything the projection holds (residential units included), the cursor
  // excepted: what a rebuild from sequence 0 starts from.
  static absl::Status Clear(common::db::Session& session);

  absl::StatusOr<std::optional<ProjectedOrganization>> Find(common::db::Session& session, int64_t id);
  absl::StatusOr<bool> IsWithinSubtree(common::db::Session& session, int64_t ancestor, int64_t descendant);
  // ScopeResolver (current tree).
  absl::StatusOr<bool> IsWithinSubtree(int64_t ancestor, int64_t descendant) override;
  std::string ScopeNodeName(int64_t id) const override;  // "organizations/<id>"
  // The projected organizations of the subtree (root included), by id, in one query.
  absl::StatusOr<std::vector<ProjectedOrganization>> SubtreeOrganizations(common::db::Session& session, int64_t root);
  // Ids in the subtree (root included).
  absl::StatusOr<std::vector<int64_t>> SubtreeIds(common::db::Session& session, int64_t root);

 private:
  common::db::ConnectionPool& pool_;
};

}  // namespace grassroots::orgtree
