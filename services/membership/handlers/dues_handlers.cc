#include "services/membership/handlers/dues_handlers.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/api/api.h"
#include "common/export/xlsx_workbook.h"
#include "common/feed/feed.h"
#include "common/status/status.h"
#include "services/membership/domain/dues_rules.h"
#include "services/membership/domain/member_rules.h"
#include "services/membership/handlers/dues_book.h"
#include "services/membership/handlers/dues_request.h"
#include "services/membership/handlers/portal_payments_csv.h"
#include "services/membership/handlers/member_access.h"
#include "services/membership/handlers/read_audit.h"
#include "services/membership/handlers/request_fields.h"
#include "services/membership/store/dues_remittance_store.h"
#include "services/membership/store/dues_store.h"

namespace grassroots::membership {
namespace {

namespace api = common::api;
using common::db::Session;

using dues_request::DuesMonth;
using dues_request::kFirstDuesMonth;
using dues_request::kMaxAmount;
using dues_request::kMaxMonthsInAdvance;
using dues_request::kNoteChars;
using dues_request::kReferenceChars;
using dues_request::ReadOrganization;
using dues_request::RecordDuesChange;

// Payments on one collection: a large cell's members, with room.
constexpr int kMaxCollectionPayments = 500;
constexpr char kXlsxType[] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// The member, locked, in the caller's write scope.
absl::StatusOr<domain::MemberRecord> LockWritable(HandlerContext& ctx, Session& session,
                                                  const common::auth::Principal& principal, int64_t member_id) {
  GR_ASSIGN_OR_RETURN(domain::MemberRecord member, ctx.members.GetForUpdate(session, member_id));
  GR_RETURN_IF_ERROR(RequireMemberAccess(ctx, session, principal, member, Access::kWrite));
  return member;
}

// The member, in the caller's read scope (a member reads their own).
absl::StatusOr<domain::MemberRecord> ReadReadable(HandlerContext& ctx, Session& session,
                                                  const common::auth::Principal& principal, int64_t member_id) {
  GR_ASSIGN_OR_RETURN(domain::MemberRecord member, ctx.members.Get(session, member_id));
  GR_RETURN_IF_ERROR(RequireMemberAccess(ctx, session, principal, member, Access::kRead));
  return member;
}

// A cell in the caller's scope, by name.
absl::StatusOr<orgtree::ProjectedOrganization> ReadCell(HandlerContext& ctx, const common::auth::Principal& principal,
                                                        const std::string& name) {
  if (name.empty()) return common::InvalidField("cell", "is required");
  GR_ASSIGN_OR_RETURN(const int64_t cell_id, ParseOrgName(name, "cell"));
  GR_ASSIGN_OR_RETURN(const orgtree::ProjectedOrganization org, ReadOrganization(ctx, principal, cell_id));
  if (!org.is_cell) {
    return common::Reasoned(absl::StatusCode::kFailedPrecondition, "NOT_A_CELL",
                            absl::StrCat(OrgName(cell_id), " is not a cell: a collection sheet is a cell's"));
  }
  return org;
}

// A cell's sheet for a month: its members on the month's first day, by name.
struct Sheet {
  v1::CollectionSheet proto;
  std::vector<int64_t> member_ids;
};

absl::StatusOr<Sheet> BuildSheet(HandlerContext& ctx, int64_t cell_id, absl::CivilMonth month) {
  return ctx.pool.Read<Sheet>("membership.dues.sheet", [&](Session& session) -> absl::StatusOr<Sheet> {
    store::DuesStore dues;
    GR_ASSIGN_OR_RETURN(const std::vector<int64_t> ids, dues.MembersOwingTo(session, cell_id, absl::CivilDay(month)));
    GR_ASSIGN_OR_RETURN(DuesBook book, ReadMemberDues(ctx, session, ids, month, month));
    std::vector<const MemberDues*> rows;
    for (const auto& [id, member] : book) rows.push_back(&member);
    // By the folded name (diacritics and case aside, as the search sorts), so
    // "Đặng" sits with "Dương" rather than after "Zơ".
    std::vector<std::pair<std::string, const MemberDues*>> keyed;
    for (const MemberDues* row : rows) keyed.emplace_back(domain::SearchName(row->record.profile.full_name), row);
    std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
      return std::tie(a.first, a.second->record.id) < std::tie(b.first, b.second->record.id);
    });
    for (size_t i = 0; i < keyed.size(); ++i) rows[i] = keyed[i].second;
    Sheet sheet;
    v1::CollectionSheet& out = sheet.proto;
    out.set_cell(OrgName(cell_id));
    out.set_month(domain::FormatMonth(month));
    for (const MemberDues* member : rows) {
      const domain::LedgerMonth& m = member->months.front();
      v1::CollectionSheetRow* row = out.add_rows();
      row->set_member(MemberName(member->record.id));
      row->set_full_name(member->record.profile.full_name);
      row->set_due(m.due.due_dong);
      row->set_paid(m.paid.toward_due);
      row->set_voluntary(m.paid.voluntary);
      row->set_outstanding(m.paid.outstanding);
      row->set_relief(m.due.relief);
      row->set_deferred(m.status.deferred);
      row->set_missing(m.due.missing);
      out.set_total_due(out.total_due() + m.due.due_dong);
      out.set_total_paid(out.total_paid() + m.paid.toward_due);
      out.set_total_voluntary(out.total_voluntary() + m.paid.voluntary);
      out.set_total_outstanding(out.total_outstanding() + m.paid.outstanding);
      sheet.member_ids.push_back(member->record.id);
    }
    return sheet;
  });
}

absl::StatusOr<absl::CivilMonth> SheetMonth(const std::string& text) {
  if (text.empty()) return absl::CivilMonth(api::Today());
  return DuesMonth(text, "month");
}

std::string ReliefText(const v1::CollectionSheetRow& row) {
  std::string text = row.relief();
  if (row.deferred()) absl::StrAppend(&text, text.empty() ? "" : "; ", "DEFERRED");
  if (!row.missing().empty()) absl::StrAppend(&text, text.empty() ? "" : "; ", "MISSING_", row.missing());
  return text;
}

absl::StatusOr<std::string> SheetWorkbook(const v1::CollectionSheet& sheet, const std::string& cell_title) {
  namespace ex = common::exporting;
  GR_ASSIGN_OR_RETURN(std::unique_ptr<ex::XlsxWorkbook> workbook, ex::XlsxWorkbook::Create());
  GR_ASSIGN_OR_RETURN(ex::XlsxSheet * out,
                      workbook->AddSheet(absl::StrCat("Đảng phí ", sheet.month()),
                                         {{"STT", 6},
                                          {"Đảng viên", 14},
                                          {"Họ và tên", 30},
                                          {"Phải đóng (đồng)", 16},
                                          {"Đã đóng (đồng)", 16},
                                          {"Tự nguyện (đồng)", 16},
                                          {"Còn nợ (đồng)", 16},
                                          {"Miễn, giảm, ghi chú", 30}}));
  int64_t index = 0;
  for (const v1::CollectionSheetRow& row : sheet.rows()) {
    GR_RETURN_IF_ERROR(out->AddRow({ex::Cell::Integer(++index), ex::Cell::Text(row.member()),
                                    ex::Cell::Text(row.full_name()), ex::Cell::Integer(row.due()),
                                    ex::Cell::Integer(row.paid()), ex::Cell::Integer(row.voluntary()),
                                    ex::Cell::Integer(row.outstanding()), ex::Cell::Text(ReliefText(row))}));
  }
  GR_RETURN_IF_ERROR(out->AddRow({ex::Cell::Empty(), ex::Cell::Empty(), ex::Cell::Text(absl::StrCat("Cộng: ", cell_title)),
                                  ex::Cell::Integer(sheet.total_due()), ex::Cell::Integer(sheet.total_paid()),
                                  ex::Cell::Integer(sheet.total_voluntary()),
                                  ex::Cell::Integer(sheet.total_outstanding()), ex::Cell::Empty()}));
  GR_RETURN_IF_ERROR(workbook->Close());
  std::ifstream file(workbook->path(), std::ios::binary);
  if (!file) return absl::InternalError("the workbook just written cannot be read");
  std::ostringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

}  // namespace

grpc::Status DuesServiceImpl::RecordDuesBase(grpc::ServerContext* context, const v1::RecordDuesBaseRequest* request,
                                             v1::DuesBase* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    if (!request->has_base()) return common::InvalidField("base", "is required");
    const v1::DuesBase& in = request->base();
    GR_ASSIGN_OR_RETURN(const int64_t member_id, ParseMemberName(in.member(), "base.member"));
    if (in.kind() == v1::DUES_BASE_KIND_UNSPECIFIED || !v1::DuesBaseKind_IsValid(in.kind())) {
      return common::InvalidField("base.kind", "must be a known base kind");
    }
    if (domain::NeedsBaseAmount(in.kind())) {
      if (in.amount() <= 0 || in.amount() > kMaxAmount) {
        return common::InvalidField("base.amount", "must be a positive number of đồng for a salary, benefit or pension");
      }
    } else if (in.amount() != 0) {
      return common::InvalidField("base.amount", "must be 0 for a student or a member outside social insurance");
    }
    GR_ASSIGN_OR_RETURN(const absl::CivilMonth month, DuesMonth(in.effective_month(), "base.effective_month"));
    GR_ASSIGN_OR_RETURN(const std::string note, api::NormalizeText(in.note(), "base.note", false, kNoteChars));
    const domain::DuesBaseRecord base{.kind = in.kind(), .amount_dong = in.amount(), .effective_month = month};
    GR_ASSIGN_OR_RETURN(*response, ctx_.pool.Transact<v1::DuesBase>(
                                       "membership.dues.record_base", [&](Session& session) -> absl::StatusOr<v1::DuesBase> {
                                         GR_RETURN_IF_ERROR(LockWritable(ctx_, session, call.principal, member_id).status());
                                         store::DuesStore dues;
                                         GR_ASSIGN_OR_RETURN(const store::DuesStore::PutBaseResult put,
                                                             dues.PutBase(session, member_id, base, note));
                                         v1::DuesBase out = ToProto(put.base);
                                         if (!put.changed) return out;  // the same again: nothing to record
                                         GR_RETURN_IF_ERROR(RecordDuesChange(
                                             session, call, "dues_base", out.name(), "recorded", out,
                                             {{"member_id", member_id},
                                              {"kind", v1::DuesBaseKind_Name(base.kind)},
                                              {"effective_month", out.effective_month()}}));
                                         return out;
                                       }));
    return absl::OkStatus();
  });
}

grpc::Status DuesServiceImpl::ListDuesBases(grpc::ServerContext* context, const v1::ListDuesBasesRequest* request,
                                            v1::ListDuesBasesResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const int64_t member_id, ParseMemberName(request->member(), "member"));
    GR_ASSIGN_OR_RETURN(*response, ctx_.pool.Read<v1::ListDuesBasesResponse>(
                                       "membership.dues.list_bases",
                                       [&](Session& session) -> absl::StatusOr<v1::ListDuesBasesResponse> {
                                         GR_RETURN_IF_ERROR(ReadReadable(ctx_, session, call.principal, member_id).status());
                                         store::DuesStore dues;
                                         const int64_t ids[] = {member_id};
                                         GR_ASSIGN_OR_RETURN(auto bases, dues.Bases(session, ids));
                                         v1::ListDuesBasesResponse out;
                                         for (const store::StoredBase& base : bases[member_id]) {
                                           *out.add_bases() = ToProto(base);
                                         }
                                         return out;
                                       }));
    return absl::OkStatus();
  });
}

grpc::Status DuesServiceImpl::GrantDuesRelief(grpc::ServerContext* context, const v1::GrantDuesReliefRequest* request,
                                              v1::DuesRelief* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    if (!request->has_relief()) return common::InvalidField("relief", "is required");
    const v1::DuesRelief& in = request->relief();
    GR_ASSIGN_OR_RETURN(const int64_t member_id, ParseMemberName(in.member(), "relief.member"));
    store::StoredRelief relief;
    relief.member_id = member_id;
    relief.relief.kind = in.kind();
    relief.relief.reason = in.reason();
    relief.relief.reduction_percent = in.reduction_percent();
    GR_ASSIGN_OR_RETURN(relief.relief.from_month, DuesMonth(in.from_month(), "relief.from_month"));
    GR_ASSIGN_OR_RETURN(relief.relief.to_month, DuesMonth(in.to_month(), "relief.to_month"));
    GR_RETURN_IF_ERROR(domain::ValidateRelief(relief.relief, ctx_.rules));
    GR_ASSIGN_OR_RETURN(const domain::Decision decision, DecisionFromProto(in.decision(), "relief.decision", true));
    relief.decision_issuing_body = decision.issuing_body;
    relief.decision_number = decision.number;
    relief.decision_signed_on = *decision.signed_on;
    GR_RETURN_IF_ERROR(api::ValidateRequestId(request->request_id()));
    GR_ASSIGN_OR_RETURN(*response,
                        common::feed::RunIdempotentTyped<v1::DuesRelief>(
                            ctx_.pool, "membership.dues.grant_relief", common::feed::WriteContextOf(call),
                            "GrantDuesRelief", request->request_id(), *request,
                            [&](Session& session) -> absl::StatusOr<v1::DuesRelief> {
                              GR_RETURN_IF_ERROR(LockWritable(ctx_, session, call.principal, member_id).status());
                              store::DuesStore dues;
                              GR_ASSIGN_OR_RETURN(const store::StoredRelief stored, dues.InsertRelief(session, relief));
                              v1::DuesRelief out = ToProto(stored);
                              GR_RETURN_IF_ERROR(RecordDuesChange(
                                  session, call, "dues_relief", out.name(), "granted", out,
                                  {{"member_id", member_id},
                                   {"kind", v1::DuesReliefKind_Name(stored.relief.kind)},
                                   {"reason", v1::DuesReliefReason_Name(stored.relief.reason)},
                                   {"from_month", out.from_month()},
                                   {"to_month", out.to_month()}}));
                              return out;
                            }));
    return absl::OkStatus();
  });
}

grpc::Status DuesServiceImpl::RecordDuesPayment(grpc::ServerContext* context,
                                                const v1::RecordDuesPaymentRequest* request, v1::DuesEntry* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    if (!request->has_entry()) return common::InvalidField("entry", "is required");
    const v1::DuesEntry& in = request->entry();
    store::StoredEntry entry;
    GR_ASSIGN_OR_RETURN(entry.member_id, ParseMemberName(in.member(), "entry.member"));
    GR_ASSIGN_OR_RETURN(entry.month, DuesMonth(in.month(), "entry.month"));
    if (in.amount() <= 0 || in.amount() > kMaxAmount) {
      return common::InvalidField("entry.amount", "must be a positive number of đồng");
    }
    entry.amount = in.amount();
    if (in.channel() != v1::DUES_CHANNEL_CASH && in.channel() != v1::DUES_CHANNEL_PUBLIC_SERVICE_PORTAL) {
      return common::InvalidField("entry.channel", "must be CASH or PUBLIC_SERVICE_PORTAL");
    }
    entry.channel = in.channel();
    GR_ASSIGN_OR_RETURN(entry.paid_on, EffectiveDate(in.paid_on(), "entry.paid_on"));
    if (entry.month > absl::CivilMonth(entry.paid_on) + kMaxMonthsInAdvance) {
      return common::InvalidField("entry.month", absl::StrCat("is more than ", kMaxMonthsInAdvance,
                                                              " months after the month it is paid in"));
    }
    const bool through_portal = entry.channel == v1::DUES_CHANNEL_PUBLIC_SERVICE_PORTAL;
    GR_ASSIGN_OR_RETURN(entry.reference,
                        api::NormalizeText(in.reference(), "entry.reference", through_portal, kReferenceChars));
    if (through_portal && !portal_csv::IsTransactionId(entry.reference)) {
      return common::InvalidField("entry.reference",
                                  "must be the portal's transaction id: letters, digits and . _ - : / only");
    }
    GR_ASSIGN_OR_RETURN(entry.note, api::NormalizeText(in.note(), "entry.note", false, kNoteChars));
    GR_RETURN_IF_ERROR(api::ValidateRequestId(request->request_id()));
    GR_ASSIGN_OR_RETURN(*response,
                        common::feed::RunIdempotentTyped<v1::DuesEntry>(
                            ctx_.pool, "membership.dues.record_payment", common::feed::WriteContextOf(call),
                            "RecordDuesPayment", request->request_id(), *request,
                            [&](Session& session) -> absl::StatusOr<v1::DuesEntry> {
                              GR_RETURN_IF_ERROR(LockWritable(ctx_, session, call.principal, entry.member_id).status());
                              store::DuesStore dues;
                              store::DuesRemittanceStore portal;
                              if (through_portal) {
                                const std::string ids[] = {entry.reference};
                                GR_ASSIGN_OR_RETURN(const auto recorded, portal.PortalTransactions(session, ids));
                                if (!recorded.empty()) {
                                  const auto& was = recorded.begin()->second;
                                  return common::Reasoned(
                                      absl::StatusCode::kAlreadyExists, "PORTAL_TRANSACTION_RECORDED",
                                      absl::StrCat("the portal's transaction is recorded as ",
                                                   DuesEntryName(was.member_id, was.entry_id)));
                                }
                              }
                              GR_ASSIGN_OR_RETURN(const store::StoredEntry stored, dues.InsertEntry(session, entry));
                              if (through_portal) {
                                GR_RETURN_IF_ERROR(portal.InsertPortalTransaction(session, entry.reference, stored.id));
                              }
                              v1::DuesEntry out = ToProto(stored);
                              GR_RETURN_IF_ERROR(RecordDuesChange(session, call, "dues_entry", out.name(), "recorded",
                                                                  out,
                                                                  {{"member_id", entry.member_id},
                                                                   {"month", out.month()},
                                                                   {"channel", v1::DuesChannel_Name(entry.channel)}}));
                              return out;
                            }));
    return absl::OkStatus();
  });
}

grpc::Status DuesServiceImpl::RecordCellCollection(grpc::ServerContext* context,
                                                   const v1::RecordCellCollectionRequest* request,
                                                   v1::RecordCellCollectionResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const orgtree::ProjectedOrganization cell, ReadCell(ctx_, call.principal, request->cell()));
    GR_ASSIGN_OR_RETURN(const absl::CivilMonth month, DuesMonth(request->month(), "month"));
    GR_ASSIGN_OR_RETURN(const absl::CivilDay paid_on, EffectiveDate(request->paid_on(), "paid_on"));
    if (month > absl::CivilMonth(paid_on) + kMaxMonthsInAdvance) {
      return common::InvalidField("month", absl::StrCat("is more than ", kMaxMonthsInAdvance,
                                                        " months after the month it is paid in"));
    }
    if (request->payments().empty()) return common::InvalidField("payments", "is required");
    if (request->payments_size() > kMaxCollectionPayments) {
      return common::InvalidField("payments", absl::StrCat("holds more than ", kMaxCollectionPayments));
    }
    std::vector<store::StoredEntry> entries;
    std::set<int64_t> seen;
    for (int i = 0; i < request->payments_size(); ++i) {
      const v1::CollectedPayment& in = request->payments(i);
      const std::string field = absl::StrCat("payments[", i, "]");
      store::StoredEntry entry;
      GR_ASSIGN_OR_RETURN(entry.member_id, ParseMemberName(in.member(), field + ".member"));
      if (!seen.insert(entry.member_id).second) return common::InvalidField(field + ".member", "appears twice");
      if (in.amount() <= 0 || in.amount() > kMaxAmount) {
        return common::InvalidField(field + ".amount", "must be a positive number of đồng");
      }
      entry.amount = in.amount();
      GR_ASSIGN_OR_RETURN(entry.reference,
                          api::NormalizeText(in.reference(), field + ".reference", false, kReferenceChars));
      entry.month = month;
      entry.channel = v1::DUES_CHANNEL_CASH;
      entry.paid_on = paid_on;
      entries.push_back(std::move(entry));
    }
    GR_RETURN_IF_ERROR(api::ValidateRequestId(request->request_id()));
    GR_ASSIGN_OR_RETURN(
        *response,
        common::feed::RunIdempotentTyped<v1::RecordCellCollectionResponse>(
            ctx_.pool, "membership.dues.record_collection", common::feed::WriteContextOf(call), "RecordCellCollection",
            request->request_id(), *request, [&](Session& session) -> absl::StatusOr<v1::RecordCellCollectionResponse> {
              store::DuesStore dues;
              // The cell in scope is the authority: its treasurer collects from
              // whoever owed it that month, its own members or those hosted.
              GR_ASSIGN_OR_RETURN(const std::vector<int64_t> owing,
                                  dues.MembersOwingTo(session, cell.id, absl::CivilDay(month)));
              const std::set<int64_t> owing_set(owing.begin(), owing.end());
              v1::RecordCellCollectionResponse out;
              std::vector<common::feed::ChangeRecord> changes;
              changes.reserve(entries.size());
              for (size_t i = 0; i < entries.size(); ++i) {
                if (owing_set.count(entries[i].member_id) == 0) {
                  return common::InvalidField(absl::StrCat("payments[", i, "].member"),
                                              absl::StrCat("did not owe dues to ", OrgName(cell.id), " in ",
                                                           domain::FormatMonth(month)));
                }
                GR_ASSIGN_OR_RETURN(const store::StoredEntry stored, dues.InsertEntry(session, entries[i]));
                *out.add_entries() = ToProto(stored);
              }
              for (const v1::DuesEntry& entry : out.entries()) {
                common::feed::ChangeRecord change;
                change.resource_type = "dues_entry";
                change.resource_name = entry.name();
                change.action = "collected";
                change.resource = &entry;
                change.audit_details = {{"cell_id", cell.id}, {"month", entry.month()}};
                changes.push_back(std::move(change));
              }
              GR_RETURN_IF_ERROR(
                  common::feed::RecordChanges(session, common::feed::WriteContextOf(call), changes));
              return out;
            }));
    return absl::OkStatus();
  });
}

grpc::Status DuesServiceImpl::CorrectDuesEntry(grpc::ServerContext* context,
                                               const v1::CorrectDuesEntryRequest* request, v1::DuesEntry* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    if (request->entry().empty()) return common::InvalidField("entry", "is required");
    const std::vector<std::string> parts = absl::StrSplit(request->entry(), '/');
    if (parts.size() != 4 || parts[2] != "duesEntries") {
      return common::InvalidField("entry", "must look like members/{member}/duesEntries/{entry}");
    }
    GR_ASSIGN_OR_RETURN(const int64_t member_id, ParseMemberName(absl::StrCat(parts[0], "/", parts[1]), "entry"));
    GR_ASSIGN_OR_RETURN(const int64_t entry_id, api::ParseId(absl::StrCat(parts[2], "/", parts[3]), "duesEntries", "entry"));
    GR_ASSIGN_OR_RETURN(const absl::CivilMonth month, DuesMonth(request->month(), "month"));
    if (request->amount() < 0 || request->amount() > kMaxAmount) {
      return common::InvalidField("amount", "must be 0 (cancel the entry) or a positive number of đồng");
    }
    GR_ASSIGN_OR_RETURN(const std::string reason, api::NormalizeText(request->reason(), "reason", true, kNoteChars));
    GR_RETURN_IF_ERROR(api::ValidateRequestId(request->request_id()));
    GR_ASSIGN_OR_RETURN(
        *response,
        common::feed::RunIdempotentTyped<v1::DuesEntry>(
            ctx_.pool, "membership.dues.correct_entry", common::feed::WriteContextOf(call), "CorrectDuesEntry",
            request->request_id(), *request, [&](Session& session) -> absl::StatusOr<v1::DuesEntry> {
              GR_RETURN_IF_ERROR(LockWritable(ctx_, session, call.principal, member_id).status());
              store::DuesStore dues;
              GR_ASSIGN_OR_RETURN(const std::optional<store::StoredEntry> original,
                                  dues.EntryForUpdate(session, member_id, entry_id));
              if (!original) return common::ResourceNotFound(DuesEntryName(member_id, entry_id));
              if (original->corrected_by) {
                return common::Reasoned(absl::StatusCode::kFailedPrecondition, "ENTRY_ALREADY_CORRECTED",
                                        absl::StrCat(request->entry(), " was corrected by ",
                                                     DuesEntryName(member_id, *original->corrected_by),
                                                     ": correct that entry instead"));
              }
              store::StoredEntry correction = *original;
              correction.id = 0;
              correction.month = month;
              correction.amount = request->amount();
              correction.note = reason;
              correction.corrects = entry_id;
              correction.corrected_by.reset();
              GR_ASSIGN_OR_RETURN(const store::StoredEntry stored, dues.InsertEntry(session, correction));
              v1::DuesEntry out = ToProto(stored);
              store::StoredEntry superseded = *original;
              superseded.corrected_by = stored.id;
              const v1::DuesEntry old_view = ToProto(superseded);
              // The corrected entry no longer counts: its own change, so a copy of it is updated too.
              GR_RETURN_IF_ERROR(RecordDuesChange(session, call, "dues_entry", old_view.name(), "corrected", old_view,
                                                  {{"member_id", member_id}, {"corrected_by", out.name()}}));
              GR_RETURN_IF_ERROR(RecordDuesChange(session, call, "dues_entry", out.name(), "correction", out,
                                                  {{"member_id", member_id}, {"corrects", old_view.name()},
                                                   {"month", out.month()}}));
              return out;
            }));
    return absl::OkStatus();
  });
}

grpc::Status DuesServiceImpl::GetDuesLedger(grpc::ServerContext* context, const v1::GetDuesLedgerRequest* request,
                                            v1::DuesLedger* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const int64_t member_id, ParseMemberName(request->member(), "member"));
    const absl::CivilDay today = api::Today();
    const int32_t year = request->year() == 0 ? static_cast<int32_t>(today.year()) : request->year();
    if (year < kFirstDuesMonth.year() || year > today.year() + 1) {
      return common::InvalidField("year", absl::StrCat("must be from ", kFirstDuesMonth.year(), " to next year"));
    }
    GR_ASSIGN_OR_RETURN(*response, ctx_.pool.Read<v1::DuesLedger>(
                                       "membership.dues.ledger", [&](Session& session) -> absl::StatusOr<v1::DuesLedger> {
                                         GR_RETURN_IF_ERROR(ReadReadable(ctx_, session, call.principal, member_id).status());
                                         return BuildDuesLedger(ctx_, session, member_id, year, today);
                                       }));
    GR_RETURN_IF_ERROR(AuditMemberReads(ctx_, *context, call, "GetDuesLedger", {member_id}));
    return absl::OkStatus();
  });
}

grpc::Status DuesServiceImpl::GetCollectionSheet(grpc::ServerContext* context,
                                                 const v1::GetCollectionSheetRequest* request,
                                                 v1::CollectionSheet* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const orgtree::ProjectedOrganization cell, ReadCell(ctx_, call.principal, request->cell()));
    GR_ASSIGN_OR_RETURN(const absl::CivilMonth month, SheetMonth(request->month()));
    GR_ASSIGN_OR_RETURN(Sheet sheet, BuildSheet(ctx_, cell.id, month));
    GR_RETURN_IF_ERROR(AuditMemberReads(ctx_, *context, call, "GetCollectionSheet", sheet.member_ids));
    *response = std::move(sheet.proto);
    return absl::OkStatus();
  });
}

grpc::Status DuesServiceImpl::ExportCollectionSheet(grpc::ServerContext* context,
                                                    const v1::ExportCollectionSheetRequest* request,
                                                    v1::DuesSheetFile* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const orgtree::ProjectedOrganization cell, ReadCell(ctx_, call.principal, request->cell()));
    GR_ASSIGN_OR_RETURN(const absl::CivilMonth month, SheetMonth(request->month()));
    GR_ASSIGN_OR_RETURN(const Sheet sheet, BuildSheet(ctx_, cell.id, month));
    GR_ASSIGN_OR_RETURN(std::string data, SheetWorkbook(sheet.proto, cell.display_name));
    GR_RETURN_IF_ERROR(AuditMemberReads(ctx_, *context, call, "ExportCollectionSheet", sheet.member_ids));
    response->set_file_name(absl::StrCat("dang-phi-", cell.code, "-", domain::FormatMonth(month), ".xlsx"));
    response->set_content_type(kXlsxType);
    response->set_data(std::move(data));
    return absl::OkStatus();
  });
}

grpc::Status DuesServiceImpl::OpenDuesLedger(grpc::ServerContext* context, const v1::OpenDuesLedgerRequest* request,
                                             v1::DuesLedgerOpening* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    if (!request->has_opening()) return common::InvalidField("opening", "is required");
    const v1::DuesLedgerOpening& in = request->opening();
    if (in.organization().empty()) return common::InvalidField("opening.organization", "is required");
    GR_ASSIGN_OR_RETURN(const int64_t org_id, ParseOrgName(in.organization(), "opening.organization"));
    GR_ASSIGN_OR_RETURN(const absl::CivilMonth first_month, DuesMonth(in.first_month(), "opening.first_month"));
    GR_RETURN_IF_ERROR(ReadOrganization(ctx_, call.principal, org_id).status());
    GR_ASSIGN_OR_RETURN(*response, ctx_.pool.Transact<v1::DuesLedgerOpening>(
                                       "membership.dues.open_ledger",
                                       [&](Session& session) -> absl::StatusOr<v1::DuesLedgerOpening> {
                                         store::DuesStore dues;
                                         GR_ASSIGN_OR_RETURN(const store::DuesStore::PutResult put,
                                                             dues.PutLedgerOpening(session, org_id, first_month));
                                         v1::DuesLedgerOpening out;
                                         out.set_name(absl::StrCat(OrgName(org_id), "/duesLedgerOpenings/", put.id));
                                         out.set_organization(OrgName(org_id));
                                         out.set_first_month(domain::FormatMonth(first_month));
                                         if (!put.changed) return out;  // the same again: nothing to record
                                         GR_RETURN_IF_ERROR(RecordDuesChange(session, call, "dues_ledger_opening",
                                                                             out.name(), "set", out,
                                                                             {{"org_id", org_id},
                                                                              {"first_month", out.first_month()}}));
                                         return out;
                                       }));
    return absl::OkStatus();
  });
}

grpc::Status DuesServiceImpl::SetWageRegion(grpc::ServerContext* context, const v1::SetWageRegionRequest* request,
                                            v1::WageRegion* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    if (!request->has_region()) return common::InvalidField("region", "is required");
    const v1::WageRegion& in = request->region();
    if (in.organization().empty()) return common::InvalidField("region.organization", "is required");
    GR_ASSIGN_OR_RETURN(const int64_t org_id, ParseOrgName(in.organization(), "region.organization"));
    if (in.region() < 1 || in.region() > 4) return common::InvalidField("region.region", "must be 1 to 4 (vùng I to IV)");
    if (in.effective_from().empty()) return common::InvalidField("region.effective_from", "is required");
    GR_ASSIGN_OR_RETURN(const absl::CivilDay from, api::ParseDate(in.effective_from(), "region.effective_from"));
    GR_ASSIGN_OR_RETURN(const std::string citation, api::NormalizeText(in.citation(), "region.citation", true, kNoteChars));
    GR_RETURN_IF_ERROR(ReadOrganization(ctx_, call.principal, org_id).status());
    GR_ASSIGN_OR_RETURN(*response, ctx_.pool.Transact<v1::WageRegion>(
                                       "membership.dues.set_wage_region",
                                       [&](Session& session) -> absl::StatusOr<v1::WageRegion> {
                                         store::DuesStore dues;
                                         GR_ASSIGN_OR_RETURN(const store::DuesStore::PutResult put,
                                                             dues.PutWageRegion(session, org_id, in.region(), from, citation));
                                         v1::WageRegion out;
                                         out.set_name(absl::StrCat(OrgName(org_id), "/wageRegions/", put.id));
                                         out.set_organization(OrgName(org_id));
                                         out.set_region(in.region());
                                         out.set_effective_from(api::FormatDate(from));
                                         out.set_citation(citation);
                                         if (!put.changed) return out;  // the same again: nothing to record
                                         GR_RETURN_IF_ERROR(RecordDuesChange(session, call, "wage_region", out.name(), "set",
                                                                             out, {{"org_id", org_id}, {"region", in.region()}}));
                                         return out;
                                       }));
    return absl::OkStatus();
  });
}

}  // namespace grassroots::membership
