#pragma once
// The dues totals read model (migration V0014): members' owed months as the
// ledger computes them, each cell's monthly sums, and the publisher's state
// (its place in this service's change feed and its monthly sweep).
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/db/db.h"
#include "grassroots/membership/v1/dues.pb.h"

namespace grassroots::membership::store {

struct DuesTotalsState {
  int64_t feed_sequence = 0;
  std::optional<absl::CivilMonth> swept_month;
  int64_t sweep_after_member_id = 0;
};

struct MemberMonthFigures {
  absl::CivilMonth month;
  int64_t cell_id = 0;
  int64_t due = 0;
  int64_t paid = 0;
  int64_t voluntary = 0;
  int64_t outstanding = 0;
  bool unpaid = false;
  bool in_arrears = false;
};

using CellMonth = std::pair<int64_t, absl::CivilMonth>;

// What the feed says changed after a sequence.
struct ChangedSince {
  std::set<int64_t> members;        // "members/{id}" and anything under it
  std::set<int64_t> organizations;  // whose wage region or ledger opening changed
  int64_t last_sequence = 0;        // the last change read (the cursor when none)
};

class DuesTotalsStore {
 public:
  // The state row, locked FOR UPDATE: one publisher at a time across replicas.
  absl::StatusOr<DuesTotalsState> LockState(common::db::Session& session);
  absl::Status SaveState(common::db::Session& session, const DuesTotalsState& state);
  // The feed's numbered head.
  absl::StatusOr<int64_t> FeedHead(common::db::Session& session);
  // Numbered changes after `sequence`, at most `limit`, stopping before the
  // change that would name more than `member_limit` members.
  absl::StatusOr<ChangedSince> ChangesAfter(common::db::Session& session, int64_t sequence, int limit,
                                            size_t member_limit);
  // Members whose status periods name a cell in the organization's subtree (current tree).
  absl::StatusOr<std::vector<int64_t>> MembersUnder(common::db::Session& session, int64_t org_id);
  // Member ids after `after`, in order, at most `limit`.
  absl::StatusOr<std::vector<int64_t>> MembersAfter(common::db::Session& session, int64_t after, int limit);

  // Replaces the members' rows for months in [from, to] with `figures` (by
  // member id); the cell-months the old and new rows touch.
  absl::StatusOr<std::set<CellMonth>> ReplaceMemberMonths(
      common::db::Session& session, std::span<const std::pair<int64_t, std::vector<MemberMonthFigures>>> figures,
      absl::CivilMonth from, absl::CivilMonth to);
  // The cell-month summed from the member rows, and what was last published
  // (nullopt: never).
  absl::StatusOr<v1::DuesCellMonth> SumCellMonth(common::db::Session& session, const CellMonth& cell_month);
  absl::StatusOr<std::optional<v1::DuesCellMonth>> PublishedCellMonth(common::db::Session& session,
                                                                       const CellMonth& cell_month);
  absl::Status PutCellMonth(common::db::Session& session, const CellMonth& cell_month, const v1::DuesCellMonth& totals);
};

}  // namespace grassroots::membership::store
