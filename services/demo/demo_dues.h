#pragma once
// What the demo committee's treasurers did with party dues from January 2025
// (docs/dues.md): the bases of salaried and retired members, a few relief
// decisions, and who paid each month, with some voluntary amounts and some
// members three or more months behind in 2026. Decided by a fixed hash of the
// member's name and the month: the same choices every time. No I/O here;
// demo_dues_loader sends them through the membership API.
#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/time/civil_time.h"
#include "grassroots/membership/v1/dues.pb.h"
#include "grassroots/membership/v1/member.pb.h"

namespace grassroots::demo {

namespace mv1 = ::grassroots::membership::v1;

// The first month the demo's ledgers hold (the province opened its ledger then).
inline constexpr absl::CivilMonth kDuesFirstMonth(2025, 1);

// The base a member of this occupation records, and its amount in đồng
// (salaries 5.5 to 18 million, pensions 3.5 to 9 million, in steps of 10,000);
// nullopt for categories whose dues need no base.
struct DemoBase {
  mv1::DuesBaseKind kind = mv1::DUES_BASE_KIND_UNSPECIFIED;
  int64_t amount = 0;
};
std::optional<DemoBase> DemoBaseFor(std::string_view member, mv1::OccupationCategory category);

// About one member in a hundred has a relief decision in 2026: an exemption
// for serious illness (March to August) or a 50% reduction for hardship
// (February to December).
std::optional<mv1::DuesRelief> DemoReliefFor(std::string_view member);

enum class DemoPayment {
  kDue,        // pays what is due
  kVoluntary,  // pays 10,000 đồng above it
  kSkipped,    // pays nothing that month
};
// About one member in fifty pays nothing from April to July 2026 (arrears);
// otherwise a month is skipped now and then, and a few pay more than due.
DemoPayment DemoPaymentFor(std::string_view member, absl::CivilMonth month);

// The percent of what a cell collected for a month that it hands up to its
// committee: 60 (within the 50 to 70 the rules ask of a cell under a
// grassroots committee), but 40 for about one cell-month in thirty, which the
// reconciliation shows short.
int32_t DemoCellRemittancePercent(std::string_view cell, absl::CivilMonth month);

}  // namespace grassroots::demo
