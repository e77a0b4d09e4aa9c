#include "services/membership/handlers/dues_book.h"

#include <set>
#include <utility>

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"
#include "services/membership/handlers/request_fields.h"

namespace grassroots::membership {

domain::DuesMember DuesInputs(const domain::MemberRecord& record, std::span<const store::StoredBase> bases,
                              std::span<const store::StoredRelief> reliefs) {
  domain::DuesMember member;
  member.birth_date = record.profile.birth_date;
  member.sex = record.profile.sex;
  member.occupation_category = record.profile.occupation_category;
  // Party age runs from the admission decision (domain-rules.md §2.2), else the ceremony.
  member.party_age_from = record.state.admission_decision_date ? record.state.admission_decision_date
                                                               : record.state.admission_ceremony_date;
  for (const store::StoredBase& base : bases) member.bases.push_back(base.base);
  for (const store::StoredRelief& relief : reliefs) member.reliefs.push_back(relief.relief);
  return member;
}

absl::StatusOr<DuesBook> ReadMemberDues(HandlerContext& ctx, common::db::Session& session,
                                                             std::span<const int64_t> member_ids,
                                                             absl::CivilMonth from, absl::CivilMonth to) {
  store::DuesStore dues;
  const std::vector<int64_t> ids(member_ids.begin(), member_ids.end());
  GR_ASSIGN_OR_RETURN(std::vector<domain::MemberRecord> records, ctx.members.GetMany(session, ids));
  GR_ASSIGN_OR_RETURN(auto bases, dues.Bases(session, member_ids));
  GR_ASSIGN_OR_RETURN(auto reliefs, dues.Reliefs(session, member_ids));
  GR_ASSIGN_OR_RETURN(auto periods, dues.Periods(session, member_ids));
  GR_ASSIGN_OR_RETURN(auto entries, dues.Entries(session, member_ids, from, to));
  std::set<int64_t> cells;
  for (const auto& [id, member_periods] : periods) {
    for (const domain::Period& p : member_periods) cells.insert(p.host_cell_id.value_or(p.cell_id));
  }
  const std::vector<int64_t> cell_ids(cells.begin(), cells.end());
  GR_ASSIGN_OR_RETURN(auto regions, dues.RegionsReaching(session, cell_ids));
  GR_ASSIGN_OR_RETURN(auto openings, dues.OpeningsReaching(session, cell_ids));
  const domain::CellSettingsOf settings_of = [&](int64_t cell, absl::CivilDay day) {
    domain::CellDuesSettings settings;
    if (auto found = regions.find(cell); found != regions.end()) {
      settings.wage_region = domain::WageRegionOn(found->second, day);
    }
    if (auto found = openings.find(cell); found != openings.end()) {
      settings.ledger_opened = domain::LedgerOpenedFor(found->second);
    }
    return settings;
  };

  DuesBook out;
  for (domain::MemberRecord& record : records) {
    const int64_t id = record.id;
    MemberDues member;
    member.entries = std::move(entries[id]);
    member.reliefs = std::move(reliefs[id]);
    std::vector<domain::EntryAmount> amounts;
    for (const store::StoredEntry& entry : member.entries) {
      amounts.push_back({.month = entry.month, .amount_dong = entry.amount, .counts = !entry.corrected_by});
    }
    const domain::DuesMember inputs = DuesInputs(record, bases[id], member.reliefs);
    GR_ASSIGN_OR_RETURN(member.months,
                        domain::BuildLedgerMonths(inputs, periods[id], amounts, from, to, settings_of, ctx.rules));
    member.record = std::move(record);
    out.emplace(id, std::move(member));
  }
  return out;
}

absl::StatusOr<v1::DuesLedger> BuildDuesLedger(HandlerContext& ctx, common::db::Session& session, int64_t member_id,
                                               int32_t year, absl::CivilDay today) {
  const int64_t ids[] = {member_id};
  GR_ASSIGN_OR_RETURN(DuesBook book,
                      ReadMemberDues(ctx, session, ids, absl::CivilMonth(year, 1), absl::CivilMonth(year, 12)));
  auto found = book.find(member_id);
  if (found == book.end()) return common::ResourceNotFound(MemberName(member_id));
  const MemberDues& dues = found->second;
  v1::DuesLedger out;
  out.set_member(MemberName(member_id));
  out.set_year(year);
  for (const domain::LedgerMonth& month : dues.months) {
    *out.add_months() = ToProto(month);
    out.set_total_due(out.total_due() + month.due.due_dong);
    out.set_total_paid(out.total_paid() + month.paid.toward_due);
    out.set_total_voluntary(out.total_voluntary() + month.paid.voluntary);
    out.set_total_outstanding(out.total_outstanding() + month.paid.outstanding);
  }
  for (const store::StoredEntry& entry : dues.entries) *out.add_entries() = ToProto(entry);
  if (std::optional<domain::Arrears> arrears =
          domain::FindArrears(domain::Standings(dues.months), year, today, ctx.rules)) {
    *out.mutable_arrears() = ToProto(*arrears);
  }
  return out;
}

absl::StatusOr<std::vector<domain::Alert>> DuesArrearsAlerts(HandlerContext& ctx, common::db::Session& session,
                                                             std::span<const domain::AlertSubject> subjects,
                                                             const domain::AlertQuery& query) {
  std::vector<domain::Alert> out;
  if (subjects.empty()) return out;
  std::vector<int64_t> ids;
  for (const domain::AlertSubject& subject : subjects) ids.push_back(subject.member_id);
  const auto year = static_cast<int32_t>(query.as_of.year());
  GR_ASSIGN_OR_RETURN(const DuesBook dues,
                      ReadMemberDues(ctx, session, ids, absl::CivilMonth(year - 1, 1), absl::CivilMonth(query.as_of)));
  for (const domain::AlertSubject& subject : subjects) {
    auto found = dues.find(subject.member_id);
    if (found == dues.end()) continue;
    const std::vector<domain::MonthStanding> standings = domain::Standings(found->second.months);
    for (int32_t y : {year, year - 1}) {
      if (std::optional<domain::Arrears> arrears = domain::FindArrears(standings, y, query.as_of, ctx.rules)) {
        out.push_back(domain::DuesArrearsAlert(subject, *arrears, query));
        break;
      }
    }
  }
  return out;
}

std::string DuesEntryName(int64_t member_id, int64_t entry_id) {
  return absl::StrCat(MemberName(member_id), "/duesEntries/", entry_id);
}

v1::DuesBase ToProto(const store::StoredBase& base) {
  v1::DuesBase out;
  out.set_name(absl::StrCat(MemberName(base.member_id), "/duesBases/", base.id));
  out.set_member(MemberName(base.member_id));
  out.set_kind(base.base.kind);
  out.set_amount(base.base.amount_dong);
  out.set_effective_month(domain::FormatMonth(base.base.effective_month));
  out.set_note(base.note);
  return out;
}

v1::DuesRelief ToProto(const store::StoredRelief& relief) {
  v1::DuesRelief out;
  out.set_name(absl::StrCat(MemberName(relief.member_id), "/duesReliefs/", relief.id));
  out.set_member(MemberName(relief.member_id));
  out.set_kind(relief.relief.kind);
  out.set_reason(relief.relief.reason);
  out.set_reduction_percent(relief.relief.reduction_percent);
  out.set_from_month(domain::FormatMonth(relief.relief.from_month));
  out.set_to_month(domain::FormatMonth(relief.relief.to_month));
  out.mutable_decision()->set_issuing_body(relief.decision_issuing_body);
  out.mutable_decision()->set_number(relief.decision_number);
  out.mutable_decision()->set_signed_on(common::api::FormatDate(relief.decision_signed_on));
  return out;
}

v1::DuesEntry ToProto(const store::StoredEntry& entry) {
  v1::DuesEntry out;
  out.set_name(DuesEntryName(entry.member_id, entry.id));
  out.set_member(MemberName(entry.member_id));
  out.set_month(domain::FormatMonth(entry.month));
  out.set_amount(entry.amount);
  out.set_channel(entry.channel);
  out.set_paid_on(common::api::FormatDate(entry.paid_on));
  out.set_reference(entry.reference);
  out.set_note(entry.note);
  if (entry.corrects) out.set_corrects(DuesEntryName(entry.member_id, *entry.corrects));
  if (entry.corrected_by) out.set_corrected_by(DuesEntryName(entry.member_id, *entry.corrected_by));
  *out.mutable_record_time() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
      absl::ToUnixMicros(entry.recorded_at));
  return out;
}

v1::DuesMonth ToProto(const domain::LedgerMonth& month) {
  v1::DuesMonth out;
  out.set_month(domain::FormatMonth(month.month));
  out.set_owed(month.status.owed);
  out.set_due(month.due.due_dong);
  out.set_paid(month.paid.toward_due);
  out.set_voluntary(month.paid.voluntary);
  out.set_outstanding(month.paid.outstanding);
  out.set_basis(month.due.basis);
  out.set_rule_id(month.due.rule_id);
  out.set_citation(month.due.citation);
  out.set_relief(month.due.relief);
  out.set_deferred(month.status.deferred);
  out.set_missing(month.due.missing);
  out.set_in_ledger(month.in_ledger);
  return out;
}

v1::DuesArrears ToProto(const domain::Arrears& arrears) {
  v1::DuesArrears out;
  out.set_year(arrears.year);
  for (absl::CivilMonth month : arrears.months) out.add_months(domain::FormatMonth(month));
  out.set_rule_id(arrears.rule_id);
  out.set_citation(arrears.citation);
  return out;
}

}  // namespace grassroots::membership
