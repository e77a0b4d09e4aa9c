#pragma once
// Yearly records: residence registration and feedback (QĐ 213), commitments,
// ratings, trainings, screenings. Rows map 1:1 to the API messages, so this
// store reads and writes the v1 messages directly (ids parsed by the caller).
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
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
};

}  // namespace grassroots::membership::store
