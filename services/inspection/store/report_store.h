#pragma once
// Aggregates over inspection's tables for the caseload and the portal's counts.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/db.h"
#include "grassroots/inspection/v1/inspection.pb.h"

namespace grassroots::inspection::store {

class ReportStore {
 public:
  // Per organization that has any: its open work on `as_of` ("YYYY-MM-DD").
  absl::StatusOr<std::map<int64_t, grassroots::inspection::v1::Caseload>> Caseloads(
      common::db::Session& session, const std::vector<int64_t>& org_ids, const std::string& as_of);
  // Counts for a year: cases by kind (opened in the year), decisions by form
  // (signed in it), petitions by kind (received in it), programs for it.
  absl::StatusOr<grassroots::inspection::v1::CountInspectionWorkResponse> CountWork(
      common::db::Session& session, const std::vector<int64_t>& org_ids, int32_t year);
};

}  // namespace grassroots::inspection::store
