#pragma once
// Candidates for the member alerts in an organization's subtree: one indexed
// query per alert kind over the current member rows (joined through
// org_closure), narrowed by the cut-offs of domain::CutoffsFor, in member-id
// order for keyset pagination. The domain (alerts.h) decides which candidates
// raise an alert.
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/db.h"
#include "services/membership/domain/alerts.h"

namespace grassroots::membership::store {

class AlertStore {
 public:
  // At most `limit` candidates for `kind` whose cell lies in the subtree of
  // `root`, with member id > after_member_id, ordered by member id.
  absl::StatusOr<std::vector<domain::AlertSubject>> Candidates(common::db::Session& session, v1::AlertKind kind,
                                                               int64_t root, const domain::AlertCutoffs& cutoffs,
                                                               const domain::AlertQuery& query,
                                                               int64_t after_member_id, int32_t limit);
};

}  // namespace grassroots::membership::store
