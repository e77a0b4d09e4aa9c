#pragma once
// The repository's data/rules/rules.json, loaded once for the membership unit tests.
#include <gtest/gtest.h>

#include "common/rules/rules_registry.h"

namespace grassroots::membership::testing {

inline const common::RulesRegistry& RepoRules() {
  static const common::RulesRegistry* rules = [] {
    auto loaded = common::RulesRegistry::LoadFile(common::RulesRegistry::DefaultPath());
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return new common::RulesRegistry(loaded.ok() ? *std::move(loaded) : common::RulesRegistry());
  }();
  return *rules;
}

}  // namespace grassroots::membership::testing
