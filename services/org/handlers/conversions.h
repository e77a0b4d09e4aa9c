#pragma once
// Domain <-> proto conversions shared by the org handlers, and the parsing of
// resource names and dates that every handler needs.
#include <cstdint>
#include <string>
#include <initializer_list>
#include <string_view>
#include <vector>

#include <google/protobuf/timestamp.pb.h>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "grassroots/org/v1/committee.pb.h"
#include "grassroots/org/v1/organization.pb.h"
#include "services/org/domain/organization.h"
#include "services/org/domain/committee_positions.h"

namespace grassroots::org {

// ---- names --------------------------------------------------------------------
std::string OrgName(int64_t id);  // "organizations/42"
// "organizations/<id>"; INVALID_ARGUMENT naming field otherwise (also when empty).
absl::StatusOr<int64_t> ParseOrgName(std::string_view name, std::string_view field);
std::string TermName(int64_t org_id, int64_t term_id);
struct TermRef {
  int64_t org_id = 0;
  int64_t term_id = 0;
};
absl::StatusOr<TermRef> ParseTermName(std::string_view name, std::string_view field);
std::string PositionName(int64_t org_id, int64_t term_id, int64_t position_id);
struct PositionRef {
  int64_t org_id = 0;
  int64_t term_id = 0;
  int64_t position_id = 0;
};
absl::StatusOr<PositionRef> ParsePositionName(std::string_view name, std::string_view field);

// ---- values -------------------------------------------------------------------
google::protobuf::Timestamp ToTimestamp(absl::Time time);
// Empty -> today; else a valid date or INVALID_ARGUMENT naming field.
absl::StatusOr<absl::CivilDay> DateOrToday(std::string_view text, std::string_view field);

v1::OrganizationState ToProto(domain::OrgState state);
// UNSPECIFIED -> nullopt.
std::optional<domain::OrgState> FromProto(v1::OrganizationState state);

v1::Organization ToProto(const domain::Organization& org);
// The dated facts of the organization on its as-of date (a change-feed side).
v1::OrganizationFacts FactsOf(const domain::Organization& org);
v1::OrganizationType ToProto(const domain::OrgType& type);
v1::OrganizationEvent ToProto(const domain::OrgEvent& event);

void ToProto(const domain::Decision& decision, grassroots::type::v1::Decision* out);
// Validates lengths and the signed_on date; fields are named "<prefix>.number" etc.
absl::StatusOr<domain::Decision> DecisionFromProto(const grassroots::type::v1::Decision& decision, std::string_view prefix);

v1::CommitteeTerm ToProto(const domain::CommitteeTerm& term);
v1::Position ToProto(const domain::CommitteePosition& position);
std::string PositionKindCode(v1::PositionKind kind);          // "SECRETARY", ... ("" for UNSPECIFIED)
v1::PositionKind PositionKindFromCode(std::string_view code);

}  // namespace grassroots::org

namespace grassroots::org {
// "a/{id}/b/{id}..." with these collections, in order; the ids, or INVALID_ARGUMENT naming field.
absl::StatusOr<std::vector<int64_t>> ParseResourcePath(std::string_view name, std::string_view field,
                                                       std::initializer_list<std::string_view> collections);
}  // namespace grassroots::org
