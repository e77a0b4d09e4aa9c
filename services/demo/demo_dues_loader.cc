#include "services/demo/demo_dues_loader.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <ostream>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "common/api/api.h"
#include "common/status/status.h"
#include "grassroots/membership/v1/dues.grpc.pb.h"
#include "grassroots/membership/v1/member.grpc.pb.h"
#include "services/demo/demo_dues.h"
#include "services/demo/demo_loader.h"

namespace grassroots::demo {
namespace {

constexpr int kVoluntaryExtra = 10'000;
constexpr int kSearchPage = 500;
// Remittances start with the tree of the July 2025 restructuring.
constexpr absl::CivilMonth kRemittanceFirstMonth(2025, 7);

std::string MonthText(absl::CivilMonth month) { return absl::FormatCivilTime(month); }

class DuesLoader {
 public:
  DuesLoader(const cli::Connection& membership, const std::map<std::string, std::string>& organizations,
             const Plan& plan, int parallelism, std::ostream& progress)
      : membership_(membership),
        organizations_(organizations),
        plan_(plan),
        parallelism_(std::max(1, parallelism)),
        progress_(progress),
        dues_(mv1::DuesService::NewStub(membership.channel())),
        members_(mv1::MemberService::NewStub(membership.channel())) {}

  absl::StatusOr<DuesLoadReport> Run() {
    auto root = organizations_.find(plan_.organizations.front().code);
    if (root == organizations_.end()) return absl::FailedPreconditionError("the demo root is not loaded");
    root_ = root->second;
    for (const std::vector<Org>* orgs : {&plan_.organizations, &plan_.new_organizations}) {
      for (const Org& org : *orgs) {
        if (!IsCellType(org.type)) continue;
        auto found = organizations_.find(org.code);
        if (found != organizations_.end()) cells_.push_back({org.code, found->second});
      }
    }
    if (cells_.empty()) return absl::FailedPreconditionError("the demo has no cells");
    last_month_ = absl::CivilMonth(common::api::Today()) - 1;
    if (last_month_ < kDuesFirstMonth) return report_;

    // Setting the same opening and region again writes nothing.
    GR_RETURN_IF_ERROR(OpenLedgerAndRegion());
    GR_ASSIGN_OR_RETURN(marker_, FindMarker());
    if (marker_recorded_) {
      report_.already_recorded = true;
      return report_;
    }
    GR_RETURN_IF_ERROR(RecordBasesAndReliefs());
    // Every (cell, month) but the marker, then the marker.
    std::vector<std::pair<size_t, absl::CivilMonth>> work;
    for (size_t c = 0; c < cells_.size(); ++c) {
      for (absl::CivilMonth month = kDuesFirstMonth; month <= last_month_; ++month) {
        if (c == marker_ && month == last_month_) continue;
        work.emplace_back(c, month);
      }
    }
    GR_RETURN_IF_ERROR(Parallel("collections", work.size(), [&](size_t i) {
      return Collect(work[i].first, work[i].second);
    }));
    GR_RETURN_IF_ERROR(RecordRemittances());
    GR_RETURN_IF_ERROR(Collect(marker_, last_month_));
    return report_;
  }

 private:
  struct Cell {
    std::string code;
    std::string name;  // "organizations/N"
  };

  absl::Status Call(const std::string& what, const std::function<grpc::Status(grpc::ClientContext&)>& call) {
    grpc::Status status = WithRetry([&] {
      grpc::ClientContext context;
      membership_.Prepare(context);
      return call(context);
    });
    if (!status.ok()) return CallError(what, status);
    return absl::OkStatus();
  }

  absl::StatusOr<mv1::CollectionSheet> Sheet(const Cell& cell, absl::CivilMonth month) {
    mv1::GetCollectionSheetRequest request;
    request.set_cell(cell.name);
    request.set_month(MonthText(month));
    mv1::CollectionSheet sheet;
    GR_RETURN_IF_ERROR(Call(absl::StrCat("reading the dues sheet of ", cell.code, " for ", MonthText(month)),
                            [&](grpc::ClientContext& c) { return dues_->GetCollectionSheet(&c, request, &sheet); }));
    return sheet;
  }

  // The marker is the last month of the first cell that collects anything
  // then (chosen from the members, not the payments, so the same before and
  // after): held back to the end, so once it shows paid every collection
  // before it is on file.
  absl::StatusOr<size_t> FindMarker() {
    for (size_t c = 0; c < cells_.size(); ++c) {
      GR_ASSIGN_OR_RETURN(const mv1::CollectionSheet sheet, Sheet(cells_[c], last_month_));
      const bool collects = std::any_of(sheet.rows().begin(), sheet.rows().end(), [&](const mv1::CollectionSheetRow& row) {
        return row.due() > 0 && !row.deferred() && DemoPaymentFor(row.member(), last_month_) != DemoPayment::kSkipped;
      });
      if (!collects) continue;
      marker_recorded_ = sheet.total_paid() + sheet.total_voluntary() > 0;
      return c;
    }
    return absl::FailedPreconditionError("no demo cell collects dues: are the members loaded?");
  }

  absl::Status OpenLedgerAndRegion() {
    mv1::OpenDuesLedgerRequest open;
    open.mutable_opening()->set_organization(root_);
    open.mutable_opening()->set_first_month(MonthText(kDuesFirstMonth));
    mv1::DuesLedgerOpening opening;
    GR_RETURN_IF_ERROR(Call("opening the province's dues ledger",
                            [&](grpc::ClientContext& c) { return dues_->OpenDuesLedger(&c, open, &opening); }));
    mv1::SetWageRegionRequest region;
    region.mutable_region()->set_organization(root_);
    region.mutable_region()->set_region(3);
    region.mutable_region()->set_effective_from("2026-01-01");
    region.mutable_region()->set_citation(
        "Nghị định 293/2025/NĐ-CP, Phụ lục (demo: the province's communes taken as vùng III)");
    mv1::WageRegion set;
    return Call("setting the province's wage region",
                [&](grpc::ClientContext& c) { return dues_->SetWageRegion(&c, region, &set); });
  }

  absl::Status RecordBasesAndReliefs() {
    std::vector<mv1::Member> members;
    mv1::SearchMembersRequest search;
    search.set_organization(root_);
    search.set_page_size(kSearchPage);
    for (;;) {
      mv1::SearchMembersResponse page;
      GR_RETURN_IF_ERROR(Call("listing the demo members",
                              [&](grpc::ClientContext& c) { return members_->SearchMembers(&c, search, &page); }));
      for (mv1::Member& member : *page.mutable_members()) members.push_back(std::move(member));
      if (page.next_page_token().empty()) break;
      search.set_page_token(page.next_page_token());
    }
    std::atomic<int> bases{0}, reliefs{0};
    GR_RETURN_IF_ERROR(Parallel("bases and reliefs", members.size(), [&](size_t i) -> absl::Status {
      const mv1::Member& member = members[i];
      if (std::optional<DemoBase> base = DemoBaseFor(member.name(), member.occupation_category())) {
        mv1::RecordDuesBaseRequest request;
        request.mutable_base()->set_member(member.name());
        request.mutable_base()->set_kind(base->kind);
        request.mutable_base()->set_amount(base->amount);
        request.mutable_base()->set_effective_month(MonthText(kDuesFirstMonth));
        mv1::DuesBase stored;
        GR_RETURN_IF_ERROR(Call(absl::StrCat("recording the dues base of ", member.name()),
                                [&](grpc::ClientContext& c) { return dues_->RecordDuesBase(&c, request, &stored); }));
        ++bases;
      }
      if (std::optional<mv1::DuesRelief> relief = DemoReliefFor(member.name())) {
        mv1::GrantDuesReliefRequest request;
        *request.mutable_relief() = *relief;
        request.set_request_id(RequestId("dues-relief", member.name().substr(member.name().find('/') + 1)));
        mv1::DuesRelief granted;
        GR_RETURN_IF_ERROR(Call(absl::StrCat("granting the demo relief of ", member.name()),
                                [&](grpc::ClientContext& c) { return dues_->GrantDuesRelief(&c, request, &granted); }));
        ++reliefs;
      }
      return absl::OkStatus();
    }));
    report_.bases = bases.load();
    report_.reliefs = reliefs.load();
    return absl::OkStatus();
  }

  absl::Status Collect(size_t cell_index, absl::CivilMonth month) {
    const Cell& cell = cells_[cell_index];
    GR_ASSIGN_OR_RETURN(const mv1::CollectionSheet sheet, Sheet(cell, month));
    mv1::RecordCellCollectionRequest request;
    request.set_cell(cell.name);
    request.set_month(MonthText(month));
    // Collected at the month's meeting, around the 10th.
    request.set_paid_on(absl::FormatCivilTime(absl::CivilDay(month) + 9));
    request.set_request_id(RequestId("dues", absl::StrCat(cell.code, "-", MonthText(month))));
    for (const mv1::CollectionSheetRow& row : sheet.rows()) {
      if (row.due() <= 0 || row.deferred()) continue;
      const DemoPayment payment = DemoPaymentFor(row.member(), month);
      if (payment == DemoPayment::kSkipped) continue;
      mv1::CollectedPayment* paid = request.add_payments();
      paid->set_member(row.member());
      paid->set_amount(row.due() + (payment == DemoPayment::kVoluntary ? kVoluntaryExtra : 0));
    }
    if (request.payments().empty()) return absl::OkStatus();
    mv1::RecordCellCollectionResponse recorded;
    GR_RETURN_IF_ERROR(Call(absl::StrCat("recording the dues collection of ", cell.code, " for ", MonthText(month)),
                            [&](grpc::ClientContext& c) { return dues_->RecordCellCollection(&c, request, &recorded); }));
    absl::MutexLock lock(&mutex_);
    ++report_.collections;
    report_.payments += recorded.entries_size();
    return absl::OkStatus();
  }

  absl::StatusOr<mv1::DuesReconciliation> Reconcile(const std::string& org, absl::CivilMonth month) {
    mv1::GetDuesReconciliationRequest request;
    request.set_organization(org);
    request.set_from_month(MonthText(month));
    mv1::DuesReconciliation out;
    GR_RETURN_IF_ERROR(Call(absl::StrCat("reconciling the dues of ", org, " for ", MonthText(month)),
                            [&](grpc::ClientContext& c) { return dues_->GetDuesReconciliation(&c, request, &out); }));
    return out;
  }

  // Each organization of today's tree hands up its share for every month from
  // the restructuring of July 2025 (earlier months went to committees that
  // no longer exist) to the month before last month (last month is still
  // being collected): the deepest first, as a committee's share depends on
  // what was remitted to it. A cell mostly hands up 60% of what it
  // collected; the others exactly what the rule asks.
  absl::Status RecordRemittances() {
    const absl::CivilMonth first = std::max(kDuesFirstMonth, kRemittanceFirstMonth);
    const absl::CivilMonth last = last_month_ - 1;
    if (last < first) return absl::OkStatus();
    // The tree as the reconciliation sees it, level by level from the root.
    std::vector<std::vector<std::string>> levels = {{root_}};
    while (true) {
      std::vector<std::string> next;
      for (const std::string& org : levels.back()) {
        GR_ASSIGN_OR_RETURN(const mv1::DuesReconciliation tree, Reconcile(org, last));
        for (const mv1::DuesAccount& below : tree.below()) next.push_back(below.organization());
      }
      if (next.empty()) break;
      levels.push_back(std::move(next));
    }
    std::atomic<int> recorded{0};
    for (auto level = levels.rbegin(); level != levels.rend(); ++level) {
      std::vector<std::pair<size_t, absl::CivilMonth>> work;
      for (size_t i = 0; i < level->size(); ++i) {
        for (absl::CivilMonth month = first; month <= last; ++month) work.emplace_back(i, month);
      }
      GR_RETURN_IF_ERROR(Parallel(absl::StrCat("remittances, level ", levels.rend() - level - 1), work.size(),
                                  [&](size_t i) -> absl::Status {
                                    const std::string& org = (*level)[work[i].first];
                                    const absl::CivilMonth month = work[i].second;
                                    GR_ASSIGN_OR_RETURN(const mv1::DuesReconciliation now, Reconcile(org, month));
                                    const mv1::DuesAccount& account = now.account();
                                    if (account.received() <= 0 || account.remitted() > 0) return absl::OkStatus();
                                    int64_t amount = account.to_remit_max();
                                    if (account.keep_percent_min() != account.keep_percent_max()) {
                                      const int64_t percent = DemoCellRemittancePercent(org, month);
                                      amount = (account.received() * percent + 50) / 100;
                                    }
                                    if (amount <= 0) return absl::OkStatus();
                                    GR_RETURN_IF_ERROR(Remit(org, month, amount));
                                    recorded.fetch_add(1);
                                    return absl::OkStatus();
                                  }));
    }
    report_.remittances = recorded.load();
    return absl::OkStatus();
  }

  absl::Status Remit(const std::string& org, absl::CivilMonth month, int64_t amount) {
    mv1::RecordDuesRemittanceRequest request;
    mv1::DuesRemittance* remittance = request.mutable_remittance();
    remittance->set_organization(org);
    remittance->set_month(MonthText(month));
    remittance->set_amount(amount);
    remittance->set_channel(mv1::REMITTANCE_CHANNEL_BANK_TRANSFER);
    // Handed up in the first days of the next month.
    remittance->set_remitted_on(absl::FormatCivilTime(absl::CivilDay(month + 1) + 4));
    remittance->set_reference(absl::StrCat("UNC ", MonthText(month)));
    request.set_request_id(RequestId("remit", absl::StrCat(org, "-", MonthText(month))));
    mv1::DuesRemittance out;
    return Call(absl::StrCat("recording the remittance of ", org, " for ", MonthText(month)),
                [&](grpc::ClientContext& c) { return dues_->RecordDuesRemittance(&c, request, &out); });
  }

  absl::Status Parallel(const std::string& label, size_t count, const std::function<absl::Status(size_t)>& fn) {
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    absl::Mutex error_mutex;
    absl::Status first_error;
    const auto started = std::chrono::steady_clock::now();
    auto worker = [&] {
      while (!failed.load()) {
        const size_t i = next.fetch_add(1);
        if (i >= count) return;
        absl::Status status = fn(i);
        if (!status.ok()) {
          absl::MutexLock lock(&error_mutex);
          if (first_error.ok()) first_error = std::move(status);
          failed.store(true);
          return;
        }
      }
    };
    std::vector<std::thread> threads;
    const int workers = std::max(1, std::min<int>(parallelism_, static_cast<int>(count)));
    for (int t = 0; t < workers; ++t) threads.emplace_back(worker);
    for (std::thread& thread : threads) thread.join();
    if (!first_error.ok()) return first_error;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    progress_ << "  dues " << label << ": " << count << " done in " << absl::StrFormat("%.1f", seconds) << " s"
              << std::endl;
    return absl::OkStatus();
  }

  const cli::Connection& membership_;
  const std::map<std::string, std::string>& organizations_;
  const Plan& plan_;
  const int parallelism_;
  std::ostream& progress_;
  std::unique_ptr<mv1::DuesService::Stub> dues_;
  std::unique_ptr<mv1::MemberService::Stub> members_;
  std::string root_;
  std::vector<Cell> cells_;
  absl::CivilMonth last_month_;
  size_t marker_ = 0;
  bool marker_recorded_ = false;
  absl::Mutex mutex_;
  DuesLoadReport report_;
};

}  // namespace

absl::StatusOr<DuesLoadReport> LoadDues(const cli::Connection& membership,
                                        const std::map<std::string, std::string>& organizations, const Plan& plan,
                                        int parallelism, std::ostream& progress) {
  DuesLoader loader(membership, organizations, plan, parallelism, progress);
  return loader.Run();
}

}  // namespace grassroots::demo
