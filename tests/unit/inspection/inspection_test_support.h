#pragma once
// The real rules file and working-day calendar, loaded once for the
// inspection domain tests, and a matcher-free way to read an error's reason.
#include <string>

#include <gtest/gtest.h>

#include "common/calendar/working_calendar.h"
#include "common/rules/rules_registry.h"
#include "common/status/status.h"

namespace grassroots::inspection::domain::testing_support {

using D = absl::CivilDay;

inline const common::RulesRegistry& Rules() {
  static const common::RulesRegistry* rules = [] {
    auto loaded = common::RulesRegistry::LoadFile(common::RulesRegistry::DefaultPath());
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return new common::RulesRegistry(loaded.ok() ? *std::move(loaded) : common::RulesRegistry());
  }();
  return *rules;
}

inline const common::WorkingCalendar& Calendar() {
  static const common::WorkingCalendar* calendar = [] {
    auto loaded = common::WorkingCalendar::LoadFile(common::WorkingCalendar::DefaultPath());
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return new common::WorkingCalendar(loaded.ok() ? *std::move(loaded) : common::WorkingCalendar());
  }();
  return *calendar;
}

// "CODE/REASON" of a status, e.g. "FAILED_PRECONDITION/ILLEGAL_TRANSITION", or "OK".
inline std::string Outcome(const absl::Status& status) {
  if (status.ok()) return "OK";
  const std::string reason = common::ReasonOf(status);
  const std::string field = common::FieldOf(status);
  return absl::StatusCodeToString(status.code()) + "/" + (reason.empty() ? field : reason);
}

}  // namespace grassroots::inspection::domain::testing_support
