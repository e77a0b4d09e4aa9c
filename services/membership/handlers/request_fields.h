#pragma once
// Names, dates and decisions as membership requests carry them: pure parsers
// (no I/O), shared by the handlers, the create validation and the import.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "grassroots/type/v1/decision.pb.h"
#include "services/membership/domain/member.h"

namespace grassroots::membership {

std::string MemberName(int64_t id);        // "members/7"
std::string OrgName(int64_t id);           // "organizations/3"
absl::StatusOr<int64_t> ParseMemberName(std::string_view name, std::string_view field);
absl::StatusOr<int64_t> ParseOrgName(std::string_view name, std::string_view field);
// Empty -> nullopt; else a valid date (INVALID_ARGUMENT naming field).
absl::StatusOr<std::optional<absl::CivilDay>> OptionalDate(std::string_view text, std::string_view field);
// Empty -> today; never after today (INVALID_ARGUMENT naming field).
absl::StatusOr<absl::CivilDay> EffectiveDate(std::string_view text, std::string_view field);

// required: issuing_body, number and signed_on must all be set (named
// "<field>.issuing_body", ...). Text NFC-normalized.
absl::StatusOr<domain::Decision> DecisionFromProto(const grassroots::type::v1::Decision& in, std::string_view field, bool required);
grassroots::type::v1::Decision ToProto(const domain::Decision& decision);

}  // namespace grassroots::membership
