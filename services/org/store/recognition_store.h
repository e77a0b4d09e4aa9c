#pragma once
// Repository of recognitions: new models, four-good designations and yearly ratings.
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/db.h"
#include "services/org/domain/activity_records.h"

namespace grassroots::org::store {

class RecognitionStore {
 public:
  // The lists' order is organization, year, id; a page starts after `after`
  // (when set) and holds at most `limit` rows.
  struct ListPosition {
    int64_t organization_id = 0;
    int32_t year = 0;
    int64_t id = 0;
  };
  struct ListPage {
    std::optional<ListPosition> after;
    int32_t limit = 100;
  };

  absl::StatusOr<domain::NewModel> InsertNewModel(common::db::Session& session, domain::NewModel model);
  // Models of these organizations (year 0: every year), by organization, year, id.
  absl::StatusOr<std::vector<domain::NewModel>> ListNewModels(common::db::Session& session,
                                                              const std::vector<int64_t>& organization_ids,
                                                              int32_t year, const ListPage& page);

  // ALREADY_EXISTS when the organization already has a designation for the year.
  absl::StatusOr<domain::FourGoodDesignation> InsertFourGood(common::db::Session& session,
                                                             domain::FourGoodDesignation designation);
  absl::StatusOr<std::vector<domain::FourGoodDesignation>> ListFourGood(common::db::Session& session,
                                                                        const std::vector<int64_t>& organization_ids,
                                                                        int32_t year, const ListPage& page);

  // The rating of an organization for a year, locked for replacement; nullopt when none.
  absl::StatusOr<std::optional<domain::OrganizationRating>> FindRatingForUpdate(common::db::Session& session,
                                                                                int64_t organization_id, int32_t year);
  absl::StatusOr<domain::OrganizationRating> InsertRating(common::db::Session& session,
                                                          domain::OrganizationRating rating);
  // Replaces the stored rating when its version is still `rating.version`; ABORTED otherwise.
  absl::StatusOr<domain::OrganizationRating> ReplaceRating(common::db::Session& session,
                                                           domain::OrganizationRating rating);
  absl::StatusOr<std::vector<domain::OrganizationRating>> ListRatings(common::db::Session& session,
                                                                      const std::vector<int64_t>& organization_ids,
                                                                      int32_t year, const ListPage& page);
};

}  // namespace grassroots::org::store
