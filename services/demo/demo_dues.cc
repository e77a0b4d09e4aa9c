#include "services/demo/demo_dues.h"

#include <string>

namespace grassroots::demo {
namespace {

// FNV-1a: stable across platforms and runs, unlike std::hash.
uint64_t Hash(std::string_view text, uint64_t salt = 0) {
  uint64_t h = 1469598103934665603ULL ^ salt;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

uint64_t MonthSalt(absl::CivilMonth month) {
  return static_cast<uint64_t>(month.year()) * 100 + static_cast<uint64_t>(month.month());
}

}  // namespace

std::optional<DemoBase> DemoBaseFor(std::string_view member, mv1::OccupationCategory category) {
  const uint64_t h = Hash(member, 17);
  switch (category) {
    case mv1::OCCUPATION_CATEGORY_CIVIL_SERVICE:
    case mv1::OCCUPATION_CATEGORY_ARMED_FORCES:
    case mv1::OCCUPATION_CATEGORY_WORKER:
    case mv1::OCCUPATION_CATEGORY_ENTERPRISE_EMPLOYEE:
      return DemoBase{.kind = mv1::DUES_BASE_KIND_SOCIAL_INSURANCE_SALARY,
                      .amount = 5'500'000 + static_cast<int64_t>(h % 1251) * 10'000};
    case mv1::OCCUPATION_CATEGORY_RETIRED:
      return DemoBase{.kind = mv1::DUES_BASE_KIND_PENSION,
                      .amount = 3'500'000 + static_cast<int64_t>(h % 551) * 10'000};
    default:
      return std::nullopt;
  }
}

std::optional<mv1::DuesRelief> DemoReliefFor(std::string_view member) {
  const uint64_t pick = Hash(member, 29) % 100;
  if (pick > 1) return std::nullopt;
  mv1::DuesRelief relief;
  relief.set_member(std::string(member));
  relief.mutable_decision()->set_issuing_body("Chi bộ");
  if (pick == 0) {
    relief.set_kind(mv1::DUES_RELIEF_KIND_EXEMPTION);
    relief.set_reason(mv1::DUES_RELIEF_REASON_SERIOUS_ILLNESS);
    relief.set_from_month("2026-03");
    relief.set_to_month("2026-08");
    relief.mutable_decision()->set_number("03-QĐ/CB");
    relief.mutable_decision()->set_signed_on("2026-02-26");
  } else {
    relief.set_kind(mv1::DUES_RELIEF_KIND_REDUCTION);
    relief.set_reason(mv1::DUES_RELIEF_REASON_OTHER_HARDSHIP);
    relief.set_reduction_percent(50);
    relief.set_from_month("2026-02");
    relief.set_to_month("2026-12");
    relief.mutable_decision()->set_number("02-QĐ/CB");
    relief.mutable_decision()->set_signed_on("2026-01-28");
  }
  return relief;
}

DemoPayment DemoPaymentFor(std::string_view member, absl::CivilMonth month) {
  const bool behind = Hash(member, 41) % 50 == 0;
  if (behind && month >= absl::CivilMonth(2026, 4) && month <= absl::CivilMonth(2026, 7)) return DemoPayment::kSkipped;
  const uint64_t roll = Hash(member, MonthSalt(month)) % 120;
  if (roll == 0) return DemoPayment::kSkipped;
  if (roll <= 4) return DemoPayment::kVoluntary;
  return DemoPayment::kDue;
}

int32_t DemoCellRemittancePercent(std::string_view cell, absl::CivilMonth month) {
  return Hash(cell, MonthSalt(month) * 7 + 3) % 30 == 0 ? 40 : 60;
}

}  // namespace grassroots::demo
