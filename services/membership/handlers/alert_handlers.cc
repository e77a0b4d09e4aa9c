#include "services/membership/handlers/alert_handlers.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/api.h"
#include "common/status/status.h"
#include "services/membership/domain/alerts.h"
#include "services/membership/handlers/dues_book.h"
#include "services/membership/handlers/member_access.h"
#include "services/membership/store/alert_store.h"

namespace grassroots::membership {
namespace {

namespace api = common::api;

constexpr int32_t kDefaultPageSize = 50;
constexpr int32_t kMaxPageSize = 500;
// The residence liaison (QĐ 213) dates from 2020; earlier years are accepted
// for history but nothing before 2000 is meaningful here.
constexpr int32_t kEarliestFeedbackYear = 2000;
// Members whose dues ledgers are read together for ALERT_KIND_DUES_ARREARS.
constexpr int32_t kDuesCandidatesPerRead = 500;

void ToProto(const domain::Alert& alert, v1::MemberAlert* out) {
  out->set_kind(alert.kind);
  out->set_member(MemberName(alert.member_id));
  out->set_full_name(alert.full_name);
  if (alert.cell_id > 0) out->set_cell(OrgName(alert.cell_id));
  out->set_due_date(api::FormatDate(alert.due_date));
  out->set_days_overdue(alert.days_overdue);
  out->set_rule_id(alert.rule_id);
  out->set_citation(alert.citation);
  out->set_detail(alert.detail);
}

}  // namespace

absl::Status ListMemberAlerts(HandlerContext& ctx, const common::auth::CallContext& call,
                              const v1::ListMemberAlertsRequest& request, v1::ListMemberAlertsResponse& response) {
  int64_t org_id = call.principal.scope_org_id;
  if (!request.organization().empty()) {
    GR_ASSIGN_OR_RETURN(org_id, ParseOrgName(request.organization(), "organization"));
  } else if (org_id <= 0) {
    return common::InvalidField("organization", "is required when the caller has no scope organization");
  }
  std::set<v1::AlertKind> requested;
  for (int kind : request.kinds()) {
    if (kind == v1::ALERT_KIND_UNSPECIFIED || !v1::AlertKind_IsValid(kind)) {
      return common::InvalidField("kinds", "holds an unknown alert kind");
    }
    requested.insert(static_cast<v1::AlertKind>(kind));
  }
  // Unmapped ethnicity and religion are sensitive fields' data: admins only.
  const bool may_see_unmapped = call.principal.HasRole(common::auth::Role::kAdmin);
  if (requested.count(v1::ALERT_KIND_UNMAPPED_CODE) > 0 && !may_see_unmapped) {
    return common::Reasoned(absl::StatusCode::kPermissionDenied, "SENSITIVE_FIELD",
                            "ALERT_KIND_UNMAPPED_CODE is listed for admin callers only");
  }
  std::vector<v1::AlertKind> kinds =
      requested.empty() ? domain::AllAlertKinds() : std::vector<v1::AlertKind>(requested.begin(), requested.end());
  if (!may_see_unmapped) kinds.erase(std::remove(kinds.begin(), kinds.end(), v1::ALERT_KIND_UNMAPPED_CODE), kinds.end());
  std::sort(kinds.begin(), kinds.end());
  GR_ASSIGN_OR_RETURN(const absl::CivilDay as_of, api::ParseDateOr(request.as_of_date(), "as_of_date", api::Today()));
  domain::AlertQuery query;
  query.as_of = as_of;
  query.feedback_year = request.feedback_year() == 0 ? static_cast<int32_t>(as_of.year()) : request.feedback_year();
  if (query.feedback_year < kEarliestFeedbackYear || query.feedback_year > as_of.year()) {
    return common::InvalidField("feedback_year", absl::StrCat("must be from ", kEarliestFeedbackYear,
                                                              " to the year of the as-of date"));
  }
  GR_ASSIGN_OR_RETURN(const int32_t page_size, api::ClampPageSize(request.page_size(), kDefaultPageSize, kMaxPageSize));
  std::vector<std::string> kind_numbers;
  for (v1::AlertKind kind : kinds) kind_numbers.push_back(absl::StrCat(static_cast<int>(kind)));
  const std::string org_text = absl::StrCat(org_id);
  const std::string kinds_text = absl::StrJoin(kind_numbers, ",");
  const std::string as_of_text = api::FormatDate(as_of);
  const std::string year_text = absl::StrCat(query.feedback_year);
  const uint64_t fingerprint =
      api::Fingerprint({"ListMemberAlerts", org_text, kinds_text, as_of_text, year_text, absl::StrCat(page_size)});
  GR_ASSIGN_OR_RETURN(const std::optional<api::PageCursor> cursor,
                      ctx.page_tokens.Decode(request.page_token(), fingerprint));
  int cursor_kind = 0;
  if (cursor && (!absl::SimpleAtoi(cursor->last_key, &cursor_kind) || !v1::AlertKind_IsValid(cursor_kind))) {
    return common::InvalidField("page_token", "is not valid");
  }

  GR_ASSIGN_OR_RETURN(const std::optional<orgtree::ProjectedOrganization> org,
                      ctx.pool.Read<std::optional<orgtree::ProjectedOrganization>>(
                          "membership.alerts.organization",
                          [&](common::db::Session& session) { return ctx.projection.Find(session, org_id); }));
  if (!org) return absl::NotFoundError(absl::StrCat(OrgName(org_id), " not found"));
  GR_RETURN_IF_ERROR(RequireOrgInScope(ctx, call.principal, org_id));
  GR_ASSIGN_OR_RETURN(const domain::AlertCutoffs cutoffs, domain::CutoffsFor(query, ctx.rules, ctx.calendar));

  store::AlertStore alert_store;
  // One more alert than the page holds tells whether another page follows.
  GR_ASSIGN_OR_RETURN(
      std::vector<domain::Alert> alerts,
      ctx.pool.Read<std::vector<domain::Alert>>(
          "membership.alerts.list", [&](common::db::Session& session) -> absl::StatusOr<std::vector<domain::Alert>> {
            std::vector<domain::Alert> out;
            const size_t wanted = static_cast<size_t>(page_size) + 1;
            for (v1::AlertKind kind : kinds) {
              if (cursor && kind < cursor_kind) continue;
              int64_t after = cursor && kind == cursor_kind ? cursor->last_id : 0;
              while (out.size() < wanted) {
                // Dues arrears are read off the ledgers of many members at once
                // (few raise one): the extra alerts a batch may find are
                // dropped here and found again by the next page.
                const int32_t fetch = kind == v1::ALERT_KIND_DUES_ARREARS
                                          ? std::max(kDuesCandidatesPerRead, static_cast<int32_t>(wanted - out.size()))
                                          : static_cast<int32_t>(wanted - out.size());
                GR_ASSIGN_OR_RETURN(std::vector<domain::AlertSubject> subjects,
                                    alert_store.Candidates(session, kind, org_id, cutoffs, query, after, fetch));
                if (kind == v1::ALERT_KIND_DUES_ARREARS) {
                  GR_ASSIGN_OR_RETURN(std::vector<domain::Alert> found,
                                      DuesArrearsAlerts(ctx, session, subjects, query));
                  for (domain::Alert& alert : found) out.push_back(std::move(alert));
                } else {
                  for (const domain::AlertSubject& subject : subjects) {
                    GR_ASSIGN_OR_RETURN(std::optional<domain::Alert> alert,
                                        domain::Evaluate(kind, subject, query, ctx.rules, ctx.calendar));
                    if (alert) out.push_back(std::move(*alert));
                  }
                }
                if (subjects.size() < static_cast<size_t>(fetch)) break;  // the kind is exhausted
                after = subjects.back().member_id;
              }
              if (out.size() >= wanted) break;
            }
            return out;
          }));
  const bool more = alerts.size() > static_cast<size_t>(page_size);
  if (more) alerts.resize(static_cast<size_t>(page_size));
  for (const domain::Alert& alert : alerts) ToProto(alert, response.add_alerts());
  if (more) {
    api::PageCursor next;
    next.last_key = absl::StrCat(static_cast<int>(alerts.back().kind));
    next.last_id = alerts.back().member_id;
    next.query_fingerprint = fingerprint;
    response.set_next_page_token(ctx.page_tokens.Encode(next));
  }
  return absl::OkStatus();
}

}  // namespace grassroots::membership
