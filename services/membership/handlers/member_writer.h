#pragma once
// The write paths shared by CreateMember, the lifecycle RPCs and the bulk import.
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/db/db.h"
#include "common/feed/feed.h"
#include "grassroots/membership/v1/member.pb.h"
#include "services/membership/domain/lifecycle.h"
#include "services/membership/domain/member.h"
#include "services/membership/handlers/handler_context.h"
#include "services/membership/handlers/member_validation.h"

namespace grassroots::membership {

// ValidateCreateMember (member_validation.h) with the context's code lists, rules and calendar.
absl::StatusOr<NewMember> ValidateCreateMember(const HandlerContext& ctx, const v1::CreateMemberRequest& request);

// Inserts the record, its first event, periods, dated attributes and first
// card, and the feed entries, in the caller's transaction (InsertMembers with
// one member). The cell must have been checked with ctx.cells before the
// transaction (no remote call inside a transaction).
absl::StatusOr<domain::MemberRecord> InsertMember(HandlerContext& ctx, common::db::Session& session,
                                                  const common::feed::WriteContext& write, const NewMember& fresh);

// InsertMember for many new members in one transaction, in a few multi-row
// statements per table: the records as InsertMember would return them, in the
// order given. A duplicate key among them fails the call as ALREADY_EXISTS
// with part of the rows written: the caller wraps it in a savepoint and, on
// failure, rolls back to it and takes the rows one by one.
absl::StatusOr<std::vector<domain::MemberRecord>> InsertMembers(HandlerContext& ctx, common::db::Session& session,
                                                                const common::feed::WriteContext& write,
                                                                const std::vector<const NewMember*>& fresh);

// Appends one lifecycle event to a member in the caller's transaction: locks
// the member, checks the etag (when given), checks the transition against the
// replayed log (domain::CheckAndComplete), appends, rewrites the periods and
// derived state, and records the feed entries ("member" updated and
// "member_event" created). Returns the member as it stands afterwards.
// access_checked_on: the reading of the member the caller's access was decided
// on, before the transaction; under the row lock its placement must be
// unchanged (RequirePlacementUnchanged), else ABORTED PLACEMENT_CHANGED and nothing is
// written, so a retry decides access again on where the member is now.
absl::StatusOr<domain::MemberRecord> AppendEvent(HandlerContext& ctx, common::db::Session& session,
                                                 const common::feed::WriteContext& write, int64_t member_id,
                                                 domain::Event event, std::string_view etag,
                                                 const domain::MemberRecord* access_checked_on = nullptr);

// Access is decided before a write's transaction; a concurrent transfer may
// move the member meanwhile. Under the member's row lock, `locked` must be
// the version `checked` was, or place the member as it did (home cell, host
// cell, awaiting placement: what access is decided on), else ABORTED
// PLACEMENT_CHANGED.
absl::Status RequirePlacementUnchanged(const domain::MemberRecord& checked, const domain::MemberRecord& locked);

// Follows a cell ending for one member in the caller's transaction: locks the
// member, plans the event (domain::PlanCellSuccession), checks it against the
// log before its date, inserts it there (appended when it is the latest) and
// rewrites the derived state, periods and feed entries like AppendEvent.
// nullopt when the ending does not concern the member or was already followed.
absl::StatusOr<std::optional<domain::MemberRecord>> FollowCellEnding(HandlerContext& ctx, common::db::Session& session,
                                                                     const common::feed::WriteContext& write,
                                                                     int64_t member_id,
                                                                     const domain::CellEnding& ending);

// The "member_event" feed and audit entry of one stored event (ids and codes
// only in the audit), in the caller's transaction. action: "created", "voided".
absl::Status RecordEventChange(common::db::Session& session, const common::feed::WriteContext& write,
                               const domain::Event& event, int64_t member_id, std::string_view action);
// Its parts, for a caller that appends many changes at once: the feed payload
// of an event, and the change record pointing at it.
v1::MemberEvent EventFeedView(const domain::Event& event, int64_t member_id);
common::feed::ChangeRecord MemberEventChange(const v1::MemberEvent& view, const domain::Event& event,
                                             int64_t member_id, std::string_view action);

}  // namespace grassroots::membership
