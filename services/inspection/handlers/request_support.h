#pragma once
// Request plumbing every inspection handler shares: resource names, the
// organization and member a request names (checked against inspection's
// projections as of a day), scope, decisions (documents), pages and feed
// entries. Enum conversions between the API and the domain are in
// conversions.h.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/auth/auth.h"
#include "common/db/db.h"
#include "common/feed/feed.h"
#include "common/rules/rules_registry.h"
#include "grassroots/inspection/v1/inspection.pb.h"
#include "services/inspection/domain/deadlines.h"
#include "services/inspection/handlers/handler_context.h"
#include "services/orgtree/org_projection.h"

namespace grassroots::inspection {

// "cases/{id}" and friends; INVALID_ARGUMENT naming field otherwise.
absl::StatusOr<int64_t> ParseName(std::string_view name, std::string_view collection, std::string_view field);
// "{parent collection}/{parent}/{collection}/{id}" → (parent, id).
absl::StatusOr<std::pair<int64_t, int64_t>> ParseChildName(std::string_view name, std::string_view parent_collection,
                                                           std::string_view collection, std::string_view field);

// The organization as inspection's projection has it; NOT_FOUND naming field
// when unknown, FAILED_PRECONDITION ORGANIZATION_NOT_ACTIVE when it was not
// active on `day` (founded later, or ended on or before it).
absl::StatusOr<orgtree::ProjectedOrganization> OrganizationActiveOn(HandlerContext& ctx, common::db::Session& session,
                                                                    int64_t org_id, absl::CivilDay day,
                                                                    std::string_view field);

// PERMISSION_DENIED unless the organization is in the caller's scope.
absl::Status RequireInScope(HandlerContext& ctx, const common::auth::CallContext& call, int64_t org_id);

// A subject as ids.
struct SubjectRef {
  std::optional<int64_t> organization_id;
  std::optional<int64_t> member_id;
};
// INVALID_ARGUMENT naming field when neither or a malformed name is set (or
// when required and empty).
absl::StatusOr<SubjectRef> ParseSubject(const grassroots::inspection::v1::Subject& subject, std::string_view field,
                                        bool required);
// The subject existed on `day`: an active organization, or a member (official
// or probationary) of membership's record.
absl::Status CheckSubjectOn(HandlerContext& ctx, common::db::Session& session, const SubjectRef& subject,
                            absl::CivilDay day, std::string_view field);

// A document (issuing body, number, date signed), trimmed and NFC. When
// required, every part must be there; otherwise it may be empty as a whole.
absl::StatusOr<grassroots::type::v1::Decision> NormalizeDecision(const grassroots::type::v1::Decision& decision,
                                                                 std::string_view field, bool required);

// A date field; required: INVALID_ARGUMENT naming field when empty.
absl::StatusOr<absl::CivilDay> ParseDay(std::string_view text, std::string_view field);
absl::StatusOr<std::optional<absl::CivilDay>> ParseOptionalDay(std::string_view text, std::string_view field);

// A page: its size and the id to start after.
struct PageRequest {
  int32_t size = 0;
  int64_t after_id = 0;
  uint64_t fingerprint = 0;
};
absl::StatusOr<PageRequest> DecodePage(HandlerContext& ctx, int32_t page_size, std::string_view page_token,
                                       uint64_t fingerprint);
// The token for the next page when the page came back full; "" otherwise.
std::string NextPageToken(HandlerContext& ctx, const PageRequest& page, size_t returned, int64_t last_id);

// Appends the feed and audit entries of a write inside its transaction.
absl::Status RecordChange(common::db::Session& session, const common::auth::CallContext& call,
                          std::string_view resource_type, const std::string& resource_name, std::string_view action,
                          const google::protobuf::Message& resource, nlohmann::json audit);

// The citation of a stored rule id as of a day ("" when unknown).
std::string CitationOf(const common::RulesRegistry& rules, const std::string& rule_id, const std::string& day_text);

// The level of the body an organization is, for limits that differ by level.
// The district level was abolished in 2025: above the grassroots a local tree
// has the province.
domain::ResolvingLevel LevelOf(const orgtree::ProjectedOrganization& organization);

// Organizations of the subtree rooted at org_id (root included).
absl::StatusOr<std::vector<int64_t>> SubtreeOf(HandlerContext& ctx, common::db::Session& session, int64_t org_id);

}  // namespace grassroots::inspection
