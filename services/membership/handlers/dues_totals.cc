#include "services/membership/handlers/dues_totals.h"

#include <google/protobuf/util/message_differencer.h>

#include <map>
#include <set>
#include <utility>
#include <vector>

#include "common/api/api.h"
#include "common/feed/feed.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "services/membership/domain/dues_rules.h"
#include "services/membership/handlers/dues_book.h"
#include "services/membership/store/dues_totals_store.h"

namespace grassroots::membership {
namespace {

using common::db::Session;

constexpr char kActor[] = "system:dues-totals";

// A member's owed months kept here, with the month from which their arrears stand.
std::vector<store::MemberMonthFigures> FiguresOf(const MemberDues& dues, absl::CivilDay today,
                                                 const common::RulesRegistry& rules) {
  std::map<int32_t, absl::CivilMonth> arrears_from;  // by year
  std::map<int32_t, std::vector<domain::LedgerMonth>> by_year;
  for (const domain::LedgerMonth& month : dues.months) by_year[static_cast<int32_t>(month.month.year())].push_back(month);
  for (const auto& [year, months] : by_year) {
    if (std::optional<domain::Arrears> arrears = domain::FindArrears(domain::Standings(months), year, today, rules)) {
      arrears_from[year] = absl::CivilMonth(arrears->reached_on);
    }
  }
  std::vector<store::MemberMonthFigures> out;
  for (const domain::LedgerMonth& month : dues.months) {
    if (!month.status.owed || !month.in_ledger || month.status.cell_id == 0) continue;
    store::MemberMonthFigures figures;
    figures.month = month.month;
    figures.cell_id = month.status.cell_id;
    figures.due = month.due.due_dong;
    figures.paid = month.paid.toward_due;
    figures.voluntary = month.paid.voluntary;
    figures.outstanding = month.paid.outstanding;
    figures.unpaid = month.paid.outstanding > 0 && !month.status.deferred;
    auto reached = arrears_from.find(static_cast<int32_t>(month.month.year()));
    figures.in_arrears = reached != arrears_from.end() && reached->second <= month.month;
    out.push_back(figures);
  }
  return out;
}

}  // namespace

DuesTotalsPublisher::DuesTotalsPublisher(HandlerContext& ctx, DuesTotalsOptions options)
    : ctx_(ctx), options_(options) {}

DuesTotalsPublisher::~DuesTotalsPublisher() { Stop(); }

absl::StatusOr<bool> DuesTotalsPublisher::RunOnce() {
  return ctx_.pool.Transact<bool>("membership.dues.totals", [&](Session& session) -> absl::StatusOr<bool> {
    store::DuesTotalsStore totals;
    GR_ASSIGN_OR_RETURN(store::DuesTotalsState state, totals.LockState(session));
    const absl::CivilDay today = common::api::Today();
    const absl::CivilMonth current(today);
    // Last year's months too: arrears of a year are read into the next.
    const absl::CivilMonth from(current.year() - 1, 1);
    bool more = false;
    std::set<int64_t> members;

    const bool sweeping = !state.swept_month || *state.swept_month < current;
    if (sweeping) {
      // The first sweep covers the feed's history: start reading it from its head.
      if (!state.swept_month && state.sweep_after_member_id == 0) {
        GR_ASSIGN_OR_RETURN(state.feed_sequence, totals.FeedHead(session));
      }
      GR_ASSIGN_OR_RETURN(const std::vector<int64_t> slice,
                          totals.MembersAfter(session, state.sweep_after_member_id, options_.members_per_round));
      if (slice.empty()) {
        state.swept_month = current;
        state.sweep_after_member_id = 0;
      } else {
        members.insert(slice.begin(), slice.end());
        state.sweep_after_member_id = slice.back();
        more = true;
      }
    }
    GR_ASSIGN_OR_RETURN(const store::ChangedSince changed,
                        totals.ChangesAfter(session, state.feed_sequence, options_.changes_per_round,
                                            static_cast<size_t>(options_.members_per_round)));
    // Whether the feed holds more than this round took (a cut by count or by members).
    GR_ASSIGN_OR_RETURN(const int64_t head, totals.FeedHead(session));
    if (changed.last_sequence < head) more = true;
    state.feed_sequence = changed.last_sequence;
    members.insert(changed.members.begin(), changed.members.end());
    for (int64_t org : changed.organizations) {
      GR_ASSIGN_OR_RETURN(const std::vector<int64_t> under, totals.MembersUnder(session, org));
      members.insert(under.begin(), under.end());
    }

    if (!members.empty()) {
      const std::vector<int64_t> ids(members.begin(), members.end());
      GR_ASSIGN_OR_RETURN(const DuesBook book, ReadMemberDues(ctx_, session, ids, from, current));
      std::vector<std::pair<int64_t, std::vector<store::MemberMonthFigures>>> figures;
      for (int64_t id : ids) {
        auto found = book.find(id);
        figures.emplace_back(id, found == book.end() ? std::vector<store::MemberMonthFigures>{}
                                                     : FiguresOf(found->second, today, ctx_.rules));
      }
      GR_ASSIGN_OR_RETURN(const std::set<store::CellMonth> touched,
                          totals.ReplaceMemberMonths(session, figures, from, current));
      std::vector<grassroots::membership::v1::DuesCellMonth> publish;
      for (const store::CellMonth& cell_month : touched) {
        GR_ASSIGN_OR_RETURN(v1::DuesCellMonth sum, totals.SumCellMonth(session, cell_month));
        GR_ASSIGN_OR_RETURN(const std::optional<v1::DuesCellMonth> published,
                            totals.PublishedCellMonth(session, cell_month));
        if (published ? google::protobuf::util::MessageDifferencer::Equals(*published, sum)
                      : sum.members_owing() == 0) {
          continue;
        }
        GR_RETURN_IF_ERROR(totals.PutCellMonth(session, cell_month, sum));
        publish.push_back(std::move(sum));
      }
      std::vector<common::feed::ChangeRecord> changes;
      changes.reserve(publish.size());
      for (size_t i = 0; i < publish.size(); ++i) {
        common::feed::ChangeRecord change;
        change.resource_type = "dues_cell_month";
        change.resource_name = publish[i].name();
        change.action = "totals";
        change.resource = &publish[i];
        change.audit_details = {{"cell", publish[i].cell()}, {"month", publish[i].month()}};
        changes.push_back(std::move(change));
      }
      if (!changes.empty()) {
        GR_RETURN_IF_ERROR(common::feed::RecordChanges(session, common::feed::WriteContext{kActor, ""}, changes));
      }
    }
    GR_RETURN_IF_ERROR(totals.SaveState(session, state));
    return more;
  });
}

absl::Status DuesTotalsPublisher::CatchUp() {
  while (true) {
    GR_ASSIGN_OR_RETURN(const bool more, RunOnce());
    if (!more) return absl::OkStatus();
  }
}

void DuesTotalsPublisher::Start() {
  if (thread_.joinable()) return;
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void DuesTotalsPublisher::Stop() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void DuesTotalsPublisher::Loop() {
  while (true) {
    absl::StatusOr<bool> more = RunOnce();
    if (!more.ok()) common::log::Warn("dues totals round failed", {{"status", more.status().ToString()}});
    const bool again = more.ok() && *more;
    absl::MutexLock lock(&mutex_);
    if (stopping_) return;
    if (again) continue;
    if (mutex_.AwaitWithTimeout(absl::Condition(&stopping_), options_.interval)) return;
  }
}

}  // namespace grassroots::membership
