#pragma once
// The append-only event log and the status periods derived from it.
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/db.h"
#include "services/membership/domain/lifecycle.h"

namespace grassroots::membership::store {

class EventStore {
 public:
  // The member's whole log, oldest first (voided events marked, VOIDED markers included).
  absl::StatusOr<std::vector<domain::Event>> Log(common::db::Session& session, int64_t member_id);
  // Appends the event (next ordinal) and returns it with id and ordinal set.
  // A VOIDED event also marks the event it voids (voided_by).
  absl::StatusOr<domain::Event> Append(common::db::Session& session, int64_t member_id, domain::Event event,
                                       const std::string& request_id);
  // Inserts the event at `ordinal` (1-based), after moving that event and the
  // later ones up by one: an event dated before the member's later events
  // (a cell ending org recorded late). The member row must be locked.
  absl::StatusOr<domain::Event> InsertAt(common::db::Session& session, int64_t member_id, domain::Event event,
                                         int32_t ordinal);
  // The first events (ordinal 1) of new members, in a few multi-row
  // statements; returns them in order with ids and record times set.
  absl::StatusOr<std::vector<domain::Event>> InsertFirstEvents(
      common::db::Session& session, const std::vector<std::pair<int64_t, domain::Event>>& events,
      const std::string& request_id);
  // The periods of new members (who have none yet), in a few multi-row statements.
  absl::Status InsertPeriodsOfNew(common::db::Session& session,
                                  const std::vector<std::pair<int64_t, std::vector<domain::Period>>>& periods_by_member);
  // Members whose own cell or host cell on `day` (member_periods) is `cell_id`.
  absl::StatusOr<std::vector<int64_t>> MembersPlacedIn(common::db::Session& session, int64_t cell_id,
                                                       absl::CivilDay day);
  // Replaces the member's rows in member_periods with `periods`.
  absl::Status ReplacePeriods(common::db::Session& session, int64_t member_id,
                              const std::vector<domain::Period>& periods);
  // One page of the log (oldest first), after `after_ordinal`.
  absl::StatusOr<std::vector<domain::Event>> Page(common::db::Session& session, int64_t member_id,
                                                  bool include_voided, int32_t after_ordinal, int32_t limit);

 private:
  absl::StatusOr<domain::Event> Insert(common::db::Session& session, int64_t member_id, domain::Event event,
                                       const std::string& request_id);
};

}  // namespace grassroots::membership::store
