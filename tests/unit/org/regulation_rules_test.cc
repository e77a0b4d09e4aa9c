// Working-regulation versions: numbering, adoption order and supersession, without a database.
#include "services/org/domain/regulation_rules.h"

#include <gtest/gtest.h>

#include "common/status/status.h"

namespace grassroots::org::domain {
namespace {

WorkingRegulation Version(int32_t version, absl::CivilDay adopted_on) {
  WorkingRegulation r;
  r.id = version * 10;
  r.organization_id = 3;
  r.version = version;
  r.adopted_on = adopted_on;
  return r;
}

const absl::CivilDay kToday(2026, 12, 4);

TEST(RegulationRules, TheFirstVersionNeedsOnlyAPastDate) {
  EXPECT_TRUE(CheckAdoption(std::nullopt, Version(1, absl::CivilDay(2021, 3, 1)), kToday).ok());
  EXPECT_TRUE(CheckAdoption(std::nullopt, Version(1, kToday), kToday).ok());
  EXPECT_EQ(common::FieldOf(CheckAdoption(std::nullopt, Version(1, kToday + 1), kToday)), "regulation.adopted_on");
  EXPECT_FALSE(Superseded(std::nullopt, Version(1, kToday)).has_value());
}

TEST(RegulationRules, VersionsIncreaseInNumberAndDate) {
  const WorkingRegulation first = Version(1, absl::CivilDay(2021, 3, 1));
  EXPECT_EQ(common::ReasonOf(CheckAdoption(first, Version(1, absl::CivilDay(2022, 1, 1)), kToday)),
            "REGULATION_VERSION_NOT_INCREASING");
  EXPECT_EQ(common::ReasonOf(CheckAdoption(first, Version(2, absl::CivilDay(2021, 3, 1)), kToday)),
            "REGULATION_ADOPTED_BEFORE_PREVIOUS");
  EXPECT_TRUE(CheckAdoption(first, Version(3, absl::CivilDay(2021, 3, 2)), kToday).ok());
}

TEST(RegulationRules, TheVersionInForceIsSupersededOnTheNewAdoptionDay) {
  const WorkingRegulation first = Version(1, absl::CivilDay(2021, 3, 1));
  std::optional<WorkingRegulation> superseded = Superseded(first, Version(2, absl::CivilDay(2025, 9, 1)));
  ASSERT_TRUE(superseded.has_value());
  EXPECT_EQ(superseded->id, first.id);
  EXPECT_EQ(superseded->superseded_on, absl::CivilDay(2025, 9, 1));
  EXPECT_FALSE(superseded->InForceOn(absl::CivilDay(2025, 9, 1)));
  EXPECT_TRUE(superseded->InForceOn(absl::CivilDay(2025, 8, 31)));
  // Already superseded: nothing more to supersede.
  EXPECT_FALSE(Superseded(*superseded, Version(3, absl::CivilDay(2026, 1, 1))).has_value());
}

}  // namespace
}  // namespace grassroots::org::domain
