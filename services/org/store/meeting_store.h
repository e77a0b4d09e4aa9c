#pragma once
// Repository of cell meetings and their attendees. Methods run inside the caller's session.
#include <cstdint>
#include <optional>
#include <map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/db/db.h"
#include "services/org/domain/meeting_rules.h"

namespace grassroots::org::store {

class MeetingStore {
 public:
  // Returns the stored meeting (id, version set).
  absl::StatusOr<domain::Meeting> Insert(common::db::Session& session, domain::Meeting meeting);
  // NOT_FOUND unless the meeting exists and belongs to organization_id.
  absl::StatusOr<domain::Meeting> Get(common::db::Session& session, int64_t organization_id, int64_t id,
                                      bool for_update = false);
  // Replaces every mutable column and the attendee list when the stored version is still
  // `meeting.version`; ABORTED otherwise.
  absl::StatusOr<domain::Meeting> Update(common::db::Session& session, domain::Meeting meeting);

  struct ListQuery {
    std::vector<int64_t> organization_ids;  // required, non-empty
    std::optional<domain::MeetingKind> kind;
    std::optional<absl::CivilDay> from_date;  // on meeting_date (actual, else planned start)
    std::optional<absl::CivilDay> to_date;
    // Keyset cursor: rows after (after_date, after_id) in (meeting_date, id) order.
    std::optional<absl::CivilDay> after_date;
    int64_t after_id = 0;
    int32_t limit = 100;
  };
  absl::StatusOr<std::vector<domain::Meeting>> List(common::db::Session& session, const ListQuery& query);

  // How many thematic meetings (thematic, or regular and thematic together) each of these
  // organizations held (actual start in [first, last]); organizations with none are absent.
  absl::StatusOr<std::map<int64_t, int64_t>> CountThematicMeetings(common::db::Session& session,
                                                                     const std::vector<int64_t>& organization_ids,
                                                                     absl::CivilDay first, absl::CivilDay last);
};

}  // namespace grassroots::org::store
