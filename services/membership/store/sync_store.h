#pragma once
// What a member's mobile sync reads: the changes of the member's own
// resources on membership's change feed, the feed's head, and the projection
// of their cell's meetings from org's feed (cell_meetings, kept by
// MeetingsConsumer below on its own cursor, source kMeetingsSource).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/db.h"
#include "common/feed/feed_follower.h"
#include "grassroots/feed/v1/change_feed.pb.h"
#include "grassroots/membership/v1/sync.pb.h"

namespace grassroots::membership::store {

// feed_cursors.source of the meetings follower (and its metrics label).
inline constexpr char kMeetingsSource[] = "org_meetings";

// Where a sync starts, read in one statement: the member's cells and where
// the two feeds it follows stand.
struct SyncStart {
  int64_t cell_id = 0;
  int64_t host_cell_id = 0;        // of a temporary transfer in force; 0 when none
  std::string member_feed_epoch;   // membership's own feed_head
  int64_t member_feed_head = 0;
  std::string meetings_epoch;      // the meetings follower's cursor ("" and 0 before it first ran)
  int64_t meetings_handled = 0;
};
// NOT_FOUND for a member id with no record.
absl::StatusOr<SyncStart> ReadSyncStart(common::db::Session& session, int64_t member_id);

// One of the member's resources and its newest change.
struct ChangedResource {
  std::string resource_type;
  std::string resource_name;
  int64_t sequence = 0;
};
// Which of the member's resources to look for: those of `types`
// ("members/{id}" itself and the names under it, "members/{id}/...") changed
// after `after_sequence`, at most `limit`.
struct MemberChangeQuery {
  std::span<const std::string_view> types;
  int64_t after_sequence = 0;
  int limit = 0;
};
// For each query, in one statement, the resources it asks for, each once at
// its newest change, oldest first. Compaction keeps the newest entry of every
// resource, so a change after any position is found.
absl::StatusOr<std::vector<std::vector<ChangedResource>>> MemberChangesAfter(
    common::db::Session& session, int64_t member_id, std::span<const MemberChangeQuery> queries);

// ---- the meetings projection ----
// The follower's consumer: applies resource type "meeting" of org's feed;
// its reset clears the projection.
common::feed::FeedConsumer MeetingsConsumer();

struct ProjectedMeeting {
  v1::SyncedMeeting meeting;  // `attended` for the member asked about
  int64_t sequence = 0;       // org feed position of its last change
};
// Meetings of organization `org_id` starting at or after `starts_from`,
// changed after `after_sequence`, oldest change first, at most `limit`.
absl::StatusOr<std::vector<ProjectedMeeting>> MeetingsChangedAfter(common::db::Session& session, int64_t org_id,
                                                                   int64_t member_id, absl::Time starts_from,
                                                                   int64_t after_sequence, int limit);

}  // namespace grassroots::membership::store
