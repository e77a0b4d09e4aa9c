#pragma once
// The fixed inputs of the membership fuzz targets: the code lists, rules and
// working calendar of the repository, loaded once. A target that cannot load
// them aborts: it must not run on anything else.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/statusor.h"
#include "common/calendar/working_calendar.h"
#include "common/rules/rules_registry.h"
#include "services/membership/domain/code_lists.h"

namespace grassroots::fuzz {

template <typename T>
T OrDie(absl::StatusOr<T> value) {
  if (!value.ok()) {
    std::fprintf(stderr, "fuzz setup: %s\n", std::string(value.status().message()).c_str());
    std::abort();
  }
  return *std::move(value);
}

struct MemberInputs {
  membership::domain::CodeLists codes =
      OrDie(membership::domain::CodeLists::LoadDir(membership::domain::CodeLists::DefaultDir()));
  common::RulesRegistry rules = OrDie(common::RulesRegistry::LoadFile(common::RulesRegistry::DefaultPath()));
  common::WorkingCalendar calendar =
      OrDie(common::WorkingCalendar::LoadFile(common::WorkingCalendar::DefaultPath()));
};

inline const MemberInputs& Loaded() {
  static const MemberInputs* inputs = new MemberInputs();
  return *inputs;
}

}  // namespace grassroots::fuzz
