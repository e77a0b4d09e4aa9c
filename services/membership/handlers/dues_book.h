#pragma once
// What the dues RPCs and the arrears alert share: reading a set of members'
// dues inputs in one session (records, bases, reliefs, status periods,
// entries, the wage regions of their cells) and computing their months by the
// rules (domain/dues_rules.h), and the API views of the rows.
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/db/db.h"
#include "grassroots/membership/v1/dues.pb.h"
#include "services/membership/domain/alerts.h"
#include "services/membership/domain/dues_rules.h"
#include "services/membership/domain/member.h"
#include "services/membership/handlers/handler_context.h"
#include "services/membership/store/dues_store.h"

namespace grassroots::membership {

struct MemberDues {
  domain::MemberRecord record;
  std::vector<domain::LedgerMonth> months;  // from..to
  std::vector<store::StoredEntry> entries;  // for months in from..to, in order
  std::vector<store::StoredRelief> reliefs;
};

// By member id.
using DuesBook = std::map<int64_t, MemberDues>;

// The members' dues for the months from..to (members with no record are
// left out).
absl::StatusOr<DuesBook> ReadMemberDues(HandlerContext& ctx, common::db::Session& session,
                                                             std::span<const int64_t> member_ids,
                                                             absl::CivilMonth from, absl::CivilMonth to);

// A member's dues for `year` as GetDuesLedger answers it: the months, the
// entries, the totals, and the arrears as of `today`.
absl::StatusOr<v1::DuesLedger> BuildDuesLedger(HandlerContext& ctx, common::db::Session& session, int64_t member_id,
                                               int32_t year, absl::CivilDay today);

// ALERT_KIND_DUES_ARREARS for the candidates: arrears in the as-of date's
// year, else in the year before (still unresolved), by their ledgers.
absl::StatusOr<std::vector<domain::Alert>> DuesArrearsAlerts(HandlerContext& ctx, common::db::Session& session,
                                                             std::span<const domain::AlertSubject> subjects,
                                                             const domain::AlertQuery& query);

// The inputs the rules read of a member.
domain::DuesMember DuesInputs(const domain::MemberRecord& record, std::span<const store::StoredBase> bases,
                              std::span<const store::StoredRelief> reliefs);

// API views.
v1::DuesBase ToProto(const store::StoredBase& base);
v1::DuesRelief ToProto(const store::StoredRelief& relief);
v1::DuesEntry ToProto(const store::StoredEntry& entry);
v1::DuesMonth ToProto(const domain::LedgerMonth& month);
v1::DuesArrears ToProto(const domain::Arrears& arrears);
std::string DuesEntryName(int64_t member_id, int64_t entry_id);

}  // namespace grassroots::membership
