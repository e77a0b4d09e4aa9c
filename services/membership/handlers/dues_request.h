#pragma once
// What the dues handlers share (dues_handlers.cc, dues_remittance_handlers.cc):
// the limits on amounts and texts, month fields, the organization checks and
// the feed entry every dues write records.
#include <cstdint>
#include <string>
#include <string_view>

#include <google/protobuf/message.h>
#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/auth/auth.h"
#include "common/db/db.h"
#include "services/membership/handlers/handler_context.h"

namespace grassroots::membership::dues_request {

inline constexpr size_t kNoteChars = 500;
inline constexpr size_t kReferenceChars = 128;
// Ten billion đồng: far above any monthly salary, pension or payment; larger
// is a typing error.
inline constexpr int64_t kMaxAmount = 10'000'000'000;
// A payment in advance covers at most a year ahead of the day it is paid.
inline constexpr int kMaxMonthsInAdvance = 12;
// Dues are computed from April 2011 (QĐ 342 in force) on.
inline const absl::CivilMonth kFirstDuesMonth(2011, 4);

// A required "YYYY-MM" field, 2011-04 or later.
absl::StatusOr<absl::CivilMonth> DuesMonth(std::string_view text, std::string_view field);

// The feed entry (and audit record) of a dues write.
absl::Status RecordDuesChange(common::db::Session& session, const common::auth::CallContext& call,
                              std::string_view type, const std::string& name, std::string_view action,
                              const google::protobuf::Message& resource, nlohmann::json audit);

// The organization, in the caller's scope (NOT_FOUND when unknown).
absl::StatusOr<orgtree::ProjectedOrganization> ReadOrganization(HandlerContext& ctx,
                                                                 const common::auth::Principal& principal,
                                                                 int64_t org_id);

}  // namespace grassroots::membership::dues_request
