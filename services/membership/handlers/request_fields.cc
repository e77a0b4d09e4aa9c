#include "services/membership/handlers/request_fields.h"

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"

namespace grassroots::membership {
namespace {

// Issuing bodies and document numbers as the schema stores them.
constexpr size_t kMaxIssuingBodyChars = 255;
constexpr size_t kMaxDecisionNumberChars = 64;

std::string Sub(std::string_view field, std::string_view name) {
  return absl::StrCat(common::ToAbsl(field), ".", common::ToAbsl(name));
}

}  // namespace

std::string MemberName(int64_t id) { return common::api::MakeName("members", id); }
std::string OrgName(int64_t id) { return common::api::MakeName("organizations", id); }

absl::StatusOr<int64_t> ParseMemberName(std::string_view name, std::string_view field) {
  return common::api::ParseId(name, "members", field);
}

absl::StatusOr<int64_t> ParseOrgName(std::string_view name, std::string_view field) {
  return common::api::ParseId(name, "organizations", field);
}

absl::StatusOr<std::optional<absl::CivilDay>> OptionalDate(std::string_view text, std::string_view field) {
  if (text.empty()) return std::optional<absl::CivilDay>();
  GR_ASSIGN_OR_RETURN(absl::CivilDay day, common::api::ParseDate(text, field));
  return std::optional<absl::CivilDay>(day);
}

absl::StatusOr<absl::CivilDay> EffectiveDate(std::string_view text, std::string_view field) {
  const absl::CivilDay today = common::api::Today();
  GR_ASSIGN_OR_RETURN(absl::CivilDay day, common::api::ParseDateOr(text, field, today));
  if (day > today) return common::InvalidField(field, "must not be in the future");
  return day;
}

absl::StatusOr<domain::Decision> DecisionFromProto(const grassroots::type::v1::Decision& in, std::string_view field, bool required) {
  domain::Decision out;
  GR_ASSIGN_OR_RETURN(out.issuing_body, common::api::NormalizeText(in.issuing_body(), Sub(field, "issuing_body"),
                                                                    required, kMaxIssuingBodyChars));
  GR_ASSIGN_OR_RETURN(out.number,
                      common::api::NormalizeText(in.number(), Sub(field, "number"), required, kMaxDecisionNumberChars));
  if (in.signed_on().empty()) {
    if (required) return common::InvalidField(Sub(field, "signed_on"), "is required");
  } else {
    GR_ASSIGN_OR_RETURN(out.signed_on, common::api::ParseDate(in.signed_on(), Sub(field, "signed_on")));
    if (*out.signed_on > common::api::Today()) {
      return common::InvalidField(Sub(field, "signed_on"), "must not be in the future");
    }
  }
  return out;
}

grassroots::type::v1::Decision ToProto(const domain::Decision& decision) {
  grassroots::type::v1::Decision out;
  out.set_issuing_body(decision.issuing_body);
  out.set_number(decision.number);
  if (decision.signed_on) out.set_signed_on(common::api::FormatDate(*decision.signed_on));
  return out;
}

}  // namespace grassroots::membership
