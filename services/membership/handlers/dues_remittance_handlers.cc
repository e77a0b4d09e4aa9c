// DuesService, the money's way up: the portal's payment file, organizations'
// remittances and their reconciliation (the ledger itself: dues_handlers.cc).
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/api/api.h"
#include "common/feed/feed.h"
#include "common/status/status.h"
#include "services/membership/domain/dues_remittance.h"
#include "services/membership/domain/dues_rules.h"
#include "services/membership/handlers/dues_book.h"
#include "services/membership/handlers/dues_handlers.h"
#include "services/membership/handlers/dues_request.h"
#include "services/membership/handlers/portal_payments_csv.h"
#include "services/membership/handlers/request_fields.h"
#include "services/membership/store/dues_remittance_store.h"
#include "services/membership/store/dues_store.h"

namespace grassroots::membership {
namespace {

namespace api = common::api;
using common::db::Session;
using dues_request::DuesMonth;
using dues_request::kMaxAmount;
using dues_request::kMaxMonthsInAdvance;
using dues_request::kNoteChars;
using dues_request::kReferenceChars;
using dues_request::ReadOrganization;
using dues_request::RecordDuesChange;

// A reconciliation covers at most a year of months.
constexpr int kMaxReconciliationMonths = 12;

std::string RemittanceName(int64_t org_id, int64_t id) {
  return absl::StrCat(OrgName(org_id), "/duesRemittances/", id);
}

v1::DuesRemittance ToProto(const store::StoredRemittance& in) {
  v1::DuesRemittance out;
  out.set_name(RemittanceName(in.org_id, in.id));
  out.set_organization(OrgName(in.org_id));
  if (in.to_org_id) out.set_to_organization(OrgName(*in.to_org_id));
  out.set_month(domain::FormatMonth(in.month));
  out.set_amount(in.amount);
  out.set_channel(in.channel);
  out.set_remitted_on(api::FormatDate(in.remitted_on));
  out.set_reference(in.reference);
  out.set_note(in.note);
  if (in.corrects) out.set_corrects(RemittanceName(in.org_id, *in.corrects));
  if (in.corrected_by) out.set_corrected_by(RemittanceName(in.org_id, *in.corrected_by));
  *out.mutable_record_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(in.recorded_at));
  return out;
}

// "organizations/{org}/duesRemittances/{id}" of `org_id`.
absl::StatusOr<int64_t> ParseRemittanceOf(int64_t org_id, const std::string& name, std::string_view field) {
  const std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[2] != "duesRemittances") {
    return common::InvalidField(field, "must look like organizations/{organization}/duesRemittances/{remittance}");
  }
  GR_ASSIGN_OR_RETURN(const int64_t owner, ParseOrgName(absl::StrCat(parts[0], "/", parts[1]), field));
  if (owner != org_id) return common::InvalidField(field, "must be a remittance of the same organization");
  return api::ParseId(absl::StrCat(parts[2], "/", parts[3]), "duesRemittances", field);
}

v1::ReconciliationStatus ToProto(domain::RemittanceStanding standing) {
  switch (standing) {
    case domain::RemittanceStanding::kNothingReceived:
      return v1::RECONCILIATION_STATUS_NOTHING_RECEIVED;
    case domain::RemittanceStanding::kBalanced:
      return v1::RECONCILIATION_STATUS_BALANCED;
    case domain::RemittanceStanding::kShort:
      return v1::RECONCILIATION_STATUS_SHORT;
    case domain::RemittanceStanding::kOver:
      return v1::RECONCILIATION_STATUS_OVER;
  }
  return v1::RECONCILIATION_STATUS_UNSPECIFIED;
}

// One organization's account over from..to, from what was read for all of them.
struct AccountInputs {
  store::Collected collected;
  int64_t received_from_below = 0;
  int64_t remitted = 0;
};

absl::StatusOr<v1::DuesAccount> Account(const orgtree::ProjectedOrganization& org, const AccountInputs& in,
                                        absl::CivilMonth last_month, const common::RulesRegistry& rules) {
  v1::DuesAccount out;
  out.set_organization(OrgName(org.id));
  out.set_display_name(org.display_name);
  out.set_collected_cash(in.collected.cash);
  out.set_collected_portal(in.collected.portal);
  out.set_received_from_below(in.received_from_below);
  const int64_t received = in.collected.cash + in.collected.portal + in.received_from_below;
  out.set_received(received);
  GR_ASSIGN_OR_RETURN(const domain::KeepShare share, domain::KeepShareOf(org.type_code, last_month, rules));
  out.set_keep_percent_min(share.min_percent);
  out.set_keep_percent_max(share.max_percent);
  out.set_rule_id(share.rule_id);
  out.set_citation(share.citation);
  out.set_rule_note(share.note);
  const domain::RemittanceBand band = domain::ToRemit(received, share);
  out.set_to_remit_min(band.min_dong);
  out.set_to_remit_max(band.max_dong);
  out.set_remitted(in.remitted);
  const domain::RemittanceCheck check = domain::CheckRemittance(received, band, in.remitted);
  out.set_status(ToProto(check.standing));
  out.set_difference(check.difference);
  return out;
}

struct ImportPlan {
  std::vector<store::StoredEntry> entries;          // to record, in the file's order
  std::vector<std::string> transaction_ids;         // of each entry
  int32_t already_recorded = 0;
  int64_t amount = 0;
};

}  // namespace

grpc::Status DuesServiceImpl::ImportPortalPayments(grpc::ServerContext* context,
                                                   const v1::ImportPortalPaymentsRequest* request,
                                                   v1::ImportPortalPaymentsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    if (request->organization().empty()) return common::InvalidField("organization", "is required");
    GR_ASSIGN_OR_RETURN(const int64_t org_id, ParseOrgName(request->organization(), "organization"));
    // Scope first: a caller outside it learns nothing of the file's checks.
    GR_RETURN_IF_ERROR(ReadOrganization(ctx_, call.principal, org_id).status());
    GR_ASSIGN_OR_RETURN(const std::vector<portal_csv::PortalPayment> rows,
                        portal_csv::ParsePortalPayments(request->file()));
    const absl::CivilDay today = api::Today();
    for (const portal_csv::PortalPayment& row : rows) {
      const auto wrong = [&](std::string_view column, std::string_view message) {
        return common::InvalidField("file", absl::StrCat("line ", row.line, ", column ", common::ToAbsl(column), ": ",
                                                         common::ToAbsl(message), ". Nothing was recorded."));
      };
      if (row.paid_on > today) return wrong("paid_on", "is after today");
      if (row.month < dues_request::kFirstDuesMonth) return wrong("month", "must be 2011-04 or later");
      if (row.month > absl::CivilMonth(row.paid_on) + kMaxMonthsInAdvance) {
        return wrong("month", absl::StrCat("is more than ", kMaxMonthsInAdvance, " months after the day paid"));
      }
    }
    GR_ASSIGN_OR_RETURN(
        *response,
        ctx_.pool.Transact<v1::ImportPortalPaymentsResponse>(
            "membership.dues.import_portal", [&](Session& session) -> absl::StatusOr<v1::ImportPortalPaymentsResponse> {
              store::DuesRemittanceStore remittances;
              store::DuesStore dues;
              std::vector<std::string> ids;
              std::vector<std::string> cards;
              for (const portal_csv::PortalPayment& row : rows) {
                ids.push_back(row.transaction_id);
                cards.push_back(row.party_card_number);
              }
              GR_ASSIGN_OR_RETURN(const auto recorded, remittances.PortalTransactions(session, ids));
              GR_ASSIGN_OR_RETURN(const auto members, remittances.MembersByCards(session, cards));
              std::vector<int64_t> member_ids;
              for (const auto& [card, member_id] : members) member_ids.push_back(member_id);
              GR_ASSIGN_OR_RETURN(const auto periods, dues.Periods(session, member_ids));
              GR_ASSIGN_OR_RETURN(const std::vector<int64_t> subtree, ctx_.projection.SubtreeIds(session, org_id));
              const std::set<int64_t> cells_in_scope(subtree.begin(), subtree.end());
              ImportPlan plan;
              std::vector<std::string> problems;
              const auto problem = [&](const portal_csv::PortalPayment& row, std::string_view column,
                                       std::string_view message) {
                problems.push_back(absl::StrCat("line ", row.line, ", column ", common::ToAbsl(column), ": ",
                                                common::ToAbsl(message)));
              };
              for (const portal_csv::PortalPayment& row : rows) {
                auto found = members.find(row.party_card_number);
                if (auto before = recorded.find(row.transaction_id); before != recorded.end()) {
                  const auto& was = before->second;
                  const bool same = found != members.end() && was.member_id == found->second &&
                                    was.month == row.month && was.amount == row.amount && was.paid_on == row.paid_on;
                  if (same) {
                    ++plan.already_recorded;
                  } else {
                    problem(row, "transaction_id",
                            absl::StrCat("was recorded before with other details (",
                                         DuesEntryName(was.member_id, was.entry_id), ")"));
                  }
                  continue;
                }
                if (found == members.end()) {
                  problem(row, "party_card_number", "no member holds or held this card");
                  continue;
                }
                const int64_t member_id = found->second;
                auto member_periods = periods.find(member_id);
                const domain::MonthStatus status =
                    member_periods == periods.end() ? domain::MonthStatus{}
                                                    : domain::StatusOn(member_periods->second, row.month);
                if (!status.owed || cells_in_scope.count(status.cell_id) == 0) {
                  problem(row, "month",
                          absl::StrCat("the member did not owe dues to a cell of ", OrgName(org_id), " in ",
                                       domain::FormatMonth(row.month)));
                  continue;
                }
                store::StoredEntry entry;
                entry.member_id = member_id;
                entry.month = row.month;
                entry.amount = row.amount;
                entry.channel = v1::DUES_CHANNEL_PUBLIC_SERVICE_PORTAL;
                entry.paid_on = row.paid_on;
                entry.reference = row.transaction_id;
                entry.note = "Cổng Dịch vụ công Quốc gia";
                plan.entries.push_back(std::move(entry));
                plan.transaction_ids.push_back(row.transaction_id);
                plan.amount += row.amount;
              }
              if (!problems.empty()) {
                std::string message = problems.front();
                if (problems.size() > 1) absl::StrAppend(&message, "; ", problems.size() - 1, " more rows are wrong");
                return common::InvalidField("file", absl::StrCat(message, ". Nothing was recorded."));
              }
              v1::ImportPortalPaymentsResponse out;
              out.set_rows(static_cast<int32_t>(rows.size()));
              out.set_recorded(static_cast<int32_t>(plan.entries.size()));
              out.set_already_recorded(plan.already_recorded);
              out.set_amount_recorded(plan.amount);
              out.set_validate_only(request->validate_only());
              if (request->validate_only() || plan.entries.empty()) return out;
              for (size_t i = 0; i < plan.entries.size(); ++i) {
                GR_ASSIGN_OR_RETURN(const store::StoredEntry stored, dues.InsertEntry(session, plan.entries[i]));
                GR_RETURN_IF_ERROR(remittances.InsertPortalTransaction(session, plan.transaction_ids[i], stored.id));
                *out.add_entries() = ToProto(stored);
              }
              std::vector<common::feed::ChangeRecord> changes;
              changes.reserve(out.entries_size());
              for (const v1::DuesEntry& entry : out.entries()) {
                common::feed::ChangeRecord change;
                change.resource_type = "dues_entry";
                change.resource_name = entry.name();
                change.action = "imported";
                change.resource = &entry;
                change.audit_details = {{"org_id", org_id}, {"month", entry.month()}, {"channel", "PUBLIC_SERVICE_PORTAL"}};
                changes.push_back(std::move(change));
              }
              GR_RETURN_IF_ERROR(common::feed::RecordChanges(session, common::feed::WriteContextOf(call), changes));
              return out;
            }));
    return absl::OkStatus();
  });
}

grpc::Status DuesServiceImpl::RecordDuesRemittance(grpc::ServerContext* context,
                                                   const v1::RecordDuesRemittanceRequest* request,
                                                   v1::DuesRemittance* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    if (!request->has_remittance()) return common::InvalidField("remittance", "is required");
    const v1::DuesRemittance& in = request->remittance();
    if (in.organization().empty()) return common::InvalidField("remittance.organization", "is required");
    store::StoredRemittance remittance;
    GR_ASSIGN_OR_RETURN(remittance.org_id, ParseOrgName(in.organization(), "remittance.organization"));
    GR_ASSIGN_OR_RETURN(const orgtree::ProjectedOrganization org,
                        ReadOrganization(ctx_, call.principal, remittance.org_id));
    GR_ASSIGN_OR_RETURN(remittance.month, DuesMonth(in.month(), "remittance.month"));
    std::optional<int64_t> corrects;
    if (!in.corrects().empty()) {
      GR_ASSIGN_OR_RETURN(corrects, ParseRemittanceOf(remittance.org_id, in.corrects(), "remittance.corrects"));
    }
    const int64_t least = corrects ? 0 : 1;
    if (in.amount() < least || in.amount() > kMaxAmount) {
      return common::InvalidField("remittance.amount", corrects ? "must be 0 (cancel) or a positive number of đồng"
                                                                : "must be a positive number of đồng");
    }
    remittance.amount = in.amount();
    if (in.channel() == v1::REMITTANCE_CHANNEL_UNSPECIFIED || !v1::RemittanceChannel_IsValid(in.channel())) {
      return common::InvalidField("remittance.channel", "must be CASH, BANK_TRANSFER or PUBLIC_SERVICE_PORTAL");
    }
    remittance.channel = in.channel();
    GR_ASSIGN_OR_RETURN(remittance.remitted_on, EffectiveDate(in.remitted_on(), "remittance.remitted_on"));
    GR_ASSIGN_OR_RETURN(remittance.reference,
                        api::NormalizeText(in.reference(), "remittance.reference", false, kReferenceChars));
    GR_ASSIGN_OR_RETURN(remittance.note, api::NormalizeText(in.note(), "remittance.note", corrects.has_value(),
                                                            kNoteChars));
    GR_RETURN_IF_ERROR(api::ValidateRequestId(request->request_id()));
    remittance.to_org_id = org.parent_id;
    GR_ASSIGN_OR_RETURN(
        *response,
        common::feed::RunIdempotentTyped<v1::DuesRemittance>(
            ctx_.pool, "membership.dues.record_remittance", common::feed::WriteContextOf(call), "RecordDuesRemittance",
            request->request_id(), *request, [&](Session& session) -> absl::StatusOr<v1::DuesRemittance> {
              store::DuesRemittanceStore store;
              store::StoredRemittance row = remittance;
              std::optional<v1::DuesRemittance> superseded;
              if (corrects) {
                GR_ASSIGN_OR_RETURN(const std::optional<store::StoredRemittance> original,
                                    store.ForUpdate(session, row.org_id, *corrects));
                if (!original) return common::ResourceNotFound(in.corrects());
                if (original->corrected_by) {
                  return common::Reasoned(absl::StatusCode::kFailedPrecondition, "REMITTANCE_ALREADY_CORRECTED",
                                          absl::StrCat(in.corrects(), " was corrected by ",
                                                       RemittanceName(row.org_id, *original->corrected_by),
                                                       ": correct that remittance instead"));
                }
                row.corrects = original->id;
                row.to_org_id = original->to_org_id;  // it stays with the organization it went to
                store::StoredRemittance old = *original;
                superseded = ToProto(old);
              }
              GR_ASSIGN_OR_RETURN(const store::StoredRemittance stored, store.Insert(session, row));
              v1::DuesRemittance out = ToProto(stored);
              if (superseded) {
                superseded->set_corrected_by(out.name());
                GR_RETURN_IF_ERROR(RecordDuesChange(session, call, "dues_remittance", superseded->name(), "corrected",
                                                    *superseded, {{"org_id", row.org_id}, {"corrected_by", out.name()}}));
              }
              GR_RETURN_IF_ERROR(RecordDuesChange(session, call, "dues_remittance", out.name(),
                                                  corrects ? "correction" : "recorded", out,
                                                  {{"org_id", row.org_id},
                                                   {"month", out.month()},
                                                   {"channel", v1::RemittanceChannel_Name(row.channel)}}));
              return out;
            }));
    return absl::OkStatus();
  });
}

grpc::Status DuesServiceImpl::GetDuesReconciliation(grpc::ServerContext* context,
                                                    const v1::GetDuesReconciliationRequest* request,
                                                    v1::DuesReconciliation* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    if (request->organization().empty()) return common::InvalidField("organization", "is required");
    GR_ASSIGN_OR_RETURN(const int64_t org_id, ParseOrgName(request->organization(), "organization"));
    absl::CivilMonth from(api::Today());
    if (!request->from_month().empty()) {
      GR_ASSIGN_OR_RETURN(from, DuesMonth(request->from_month(), "from_month"));
    }
    absl::CivilMonth to = from;
    if (!request->to_month().empty()) {
      GR_ASSIGN_OR_RETURN(to, DuesMonth(request->to_month(), "to_month"));
    }
    if (to < from) return common::InvalidField("to_month", "must not be before from_month");
    if (to - from >= kMaxReconciliationMonths) {
      return common::InvalidField("to_month", absl::StrCat("must be within ", kMaxReconciliationMonths,
                                                           " months of from_month"));
    }
    GR_ASSIGN_OR_RETURN(const orgtree::ProjectedOrganization org, ReadOrganization(ctx_, call.principal, org_id));
    GR_ASSIGN_OR_RETURN(
        *response,
        ctx_.pool.Read<v1::DuesReconciliation>(
            "membership.dues.reconciliation", [&](Session& session) -> absl::StatusOr<v1::DuesReconciliation> {
              GR_ASSIGN_OR_RETURN(const std::vector<orgtree::ProjectedOrganization> subtree,
                                  ctx_.projection.SubtreeOrganizations(session, org_id));
              std::vector<orgtree::ProjectedOrganization> below;
              for (const orgtree::ProjectedOrganization& o : subtree) {
                if (o.parent_id == org_id) below.push_back(o);
              }
              std::sort(below.begin(), below.end(), [](const auto& a, const auto& b) {
                return std::tie(a.display_name, a.id) < std::tie(b.display_name, b.id);
              });
              std::vector<int64_t> ids = {org_id};
              for (const auto& o : below) ids.push_back(o.id);
              store::DuesRemittanceStore store;
              GR_ASSIGN_OR_RETURN(const auto received, store.ReceivedBy(session, ids, from, to));
              GR_ASSIGN_OR_RETURN(const auto remitted, store.RemittedBy(session, ids, from, to));
              const auto inputs_of = [&](const orgtree::ProjectedOrganization& o) -> absl::StatusOr<AccountInputs> {
                AccountInputs in;
                if (auto r = received.find(o.id); r != received.end()) in.received_from_below = r->second;
                if (auto r = remitted.find(o.id); r != remitted.end()) in.remitted = r->second;
                if (o.is_cell) {
                  for (absl::CivilMonth m = from; m <= to; ++m) {
                    GR_ASSIGN_OR_RETURN(const store::Collected c, store.CollectedFor(session, o.id, m));
                    in.collected.cash += c.cash;
                    in.collected.portal += c.portal;
                  }
                }
                return in;
              };
              v1::DuesReconciliation out;
              out.set_from_month(domain::FormatMonth(from));
              out.set_to_month(domain::FormatMonth(to));
              GR_ASSIGN_OR_RETURN(const AccountInputs own, inputs_of(org));
              GR_ASSIGN_OR_RETURN(*out.mutable_account(), Account(org, own, to, ctx_.rules));
              for (const orgtree::ProjectedOrganization& o : below) {
                GR_ASSIGN_OR_RETURN(const AccountInputs in, inputs_of(o));
                // An organization that has ended and moved no money in the range is no longer part of the account.
                const bool idle = in.collected.cash == 0 && in.collected.portal == 0 && in.received_from_below == 0 &&
                                  in.remitted == 0;
                if (o.ended_on && idle) continue;
                GR_ASSIGN_OR_RETURN(*out.add_below(), Account(o, in, to, ctx_.rules));
              }
              GR_ASSIGN_OR_RETURN(const std::vector<store::StoredRemittance> own_rows,
                                  store.RemittancesOf(session, org_id, from, to));
              for (const store::StoredRemittance& r : own_rows) *out.add_remittances() = ToProto(r);
              return out;
            }));
    return absl::OkStatus();
  });
}

}  // namespace grassroots::membership
