#pragma once
// Yearly records: residence registration and feedback (QĐ 213), commitments,
// ratings, trainings, screenings. Rows map 1:1 to the API messages, so this
// store reads and writes the v1 messages directly (ids parsed by the caller).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/db/db.h"
#include "grassroots/membership/v1/yearly_records.pb.h"

namespace grassroots::membership::store {

class YearlyStore {
 public:
  // Each Put/Insert runs in the caller's transaction and returns the stored row as a message.
  absl::StatusOr<v1::ResidenceRegistration> InsertResidenceRegistration(common::db::Session& session,
                                                                        int64_t member_id,
                                                                        const v1::ResidenceRegistration& in);
  absl::StatusOr<v1::ResidenceFeedback> PutResidenceFeedback(common::db::Session& session, int64_t member_id,
                                                             const v1::ResidenceFeedback& in);
  absl::StatusOr<v1::Commitment> PutCommitment(common::db::Session& session, int64_t member_id,
                                               const v1::Commitment& in);
  absl::StatusOr<v1::Rating> PutRating(common::db::Session& session, int64_t member_id, int64_t cell_id,
                                       const v1::Rating& in);
  absl::StatusOr<v1::Training> InsertTraining(common::db::Session& session, int64_t member_id,
                                              const v1::Training& in);
  absl::StatusOr<v1::Screening> InsertScreening(common::db::Session& session, int64_t member_id,
                                                const v1::Screening& in);
  absl::StatusOr<v1::Screening> UpdateScreeningOutcome(common::db::Session& session, int64_t member_id,
                                                       int64_t screening_id, v1::ScreeningOutcome outcome,
                                                       absl::CivilDay outcome_on, const std::string& note);
  // Level counts of the ratings of `year` for members rated in the given cells.
  struct LevelCounts {
    int32_t excellent = 0, good = 0, completed = 0, not_completed = 0;
  };
  absl::StatusOr<LevelCounts> CountRatings(common::db::Session& session, const std::vector<int64_t>& cell_ids,
                                           int32_t year);

  // ---- added by the yearly part (reads the handlers need) ----
  // The member's open registration (not ended), locked FOR UPDATE; nullopt when none.
  absl::StatusOr<std::optional<v1::ResidenceRegistration>> FindOpenResidenceRegistration(common::db::Session& session,
                                                                                         int64_t member_id);
  // The registration the residence cell's feedback for `year` relates to: the
  // latest one registered by 31 December of the year and not ended before it
  // began; nullopt when none.
  absl::StatusOr<std::optional<v1::ResidenceRegistration>> FindRegistrationForYear(common::db::Session& session,
                                                                                   int64_t member_id, int32_t year);
  // Whether the member already has the one-per-year record of `kind`
  // (RESIDENCE_FEEDBACK, COMMITMENT or RATING) for `year`; the row, when
  // present, is locked FOR UPDATE so the replace that follows is serialized.
  absl::StatusOr<bool> HasYearRecord(common::db::Session& session, v1::YearlyRecordKind kind, int64_t member_id,
                                     int32_t year);
  // One screening of the member (FOR UPDATE when asked); nullopt when none.
  absl::StatusOr<std::optional<v1::Screening>> FindScreening(common::db::Session& session, int64_t member_id,
                                                             int64_t screening_id, bool for_update);
  // Whether the member has a screening still in its help period (outcome PENDING).
  absl::StatusOr<bool> HasPendingScreening(common::db::Session& session, int64_t member_id);

  // One kind of record, for one member or for the members whose current cell
  // lies in a subtree (org_closure joined on members.cell_id), ordered by
  // (member id, key) where the key is the year for the one-per-year kinds and
  // the row id for the others. year 0 means every year; registrations,
  // trainings and screenings count by the year of registered_on / start_date /
  // listed_on.
  struct ListQuery {
    v1::YearlyRecordKind kind = v1::YEARLY_RECORD_KIND_UNSPECIFIED;
    std::optional<int64_t> member_id;
    std::optional<int64_t> subtree_root;
    int32_t year = 0;
    // Keyset: rows strictly after (after_member_id, after_key).
    int64_t after_member_id = 0;
    int64_t after_key = 0;
    int32_t limit = 100;
  };
  struct ListedRecord {
    int64_t member_id = 0;
    int64_t key = 0;
    // The member's occupation category (a commitment's `required` follows from it).
    v1::OccupationCategory occupation_category = v1::OCCUPATION_CATEGORY_UNSPECIFIED;
    v1::YearlyRecord record;
  };
  absl::StatusOr<std::vector<ListedRecord>> List(common::db::Session& session, const ListQuery& query);
};

// Resource names of the yearly records: "members/7/ratings/2025", "members/7/trainings/3".
inline constexpr char kResidenceRegistrations[] = "residence-registrations";
inline constexpr char kResidenceFeedback[] = "residence-feedback";
inline constexpr char kCommitments[] = "commitments";
inline constexpr char kRatings[] = "ratings";
inline constexpr char kTrainings[] = "trainings";
inline constexpr char kScreenings[] = "screenings";
std::string YearlyRecordName(int64_t member_id, std::string_view collection, int64_t key);

}  // namespace grassroots::membership::store
