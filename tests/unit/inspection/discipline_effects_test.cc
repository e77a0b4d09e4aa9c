// What discipline decisions and appeal outcomes do to org and membership: the
// table the effect worker applies, and its agreement with the rules file.
#include "services/inspection/domain/discipline_effects.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/inspection/inspection_test_support.h"

namespace grassroots::inspection::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing_support::D;
using testing_support::Rules;

using Form = DisciplineForm;
using Subject = DisciplineSubjectKind;
using Outcome = AppealOutcome;

TEST(InspectionDisciplineEffectsTest, DecisionEffects) {
  EXPECT_THAT(EffectsOfDecision(Form::kExpulsion, Subject::kOfficialMember), ElementsAre(EffectKind::kEndMembership));
  EXPECT_THAT(EffectsOfDecision(Form::kDismissal, Subject::kOfficialMember),
              ElementsAre(EffectKind::kEndCommitteePosition));
  EXPECT_THAT(EffectsOfDecision(Form::kDissolution, Subject::kOrganization),
              ElementsAre(EffectKind::kDissolveOrganization));
  EXPECT_THAT(EffectsOfDecision(Form::kReprimand, Subject::kOfficialMember), IsEmpty());
  EXPECT_THAT(EffectsOfDecision(Form::kWarning, Subject::kProbationaryMember), IsEmpty());
  EXPECT_THAT(EffectsOfDecision(Form::kWarning, Subject::kOrganization), IsEmpty());
}

TEST(InspectionDisciplineEffectsTest, UpheldChangesNothing) {
  EXPECT_THAT(EffectsOfAppeal(Form::kExpulsion, Subject::kOfficialMember, Outcome::kUpheld, std::nullopt), IsEmpty());
}

TEST(InspectionDisciplineEffectsTest, AnnulledExpulsionReinstatesOtherReversalsAreNotAutomatic) {
  EXPECT_THAT(EffectsOfAppeal(Form::kExpulsion, Subject::kOfficialMember, Outcome::kAnnulled, std::nullopt),
              ElementsAre(EffectKind::kReinstateMembership));
  EXPECT_THAT(EffectsOfAppeal(Form::kDismissal, Subject::kOfficialMember, Outcome::kAnnulled, std::nullopt),
              IsEmpty());
  EXPECT_THAT(EffectsOfAppeal(Form::kDissolution, Subject::kOrganization, Outcome::kAnnulled, std::nullopt),
              IsEmpty());
  EXPECT_THAT(EffectsOfAppeal(Form::kWarning, Subject::kOfficialMember, Outcome::kAnnulled, std::nullopt), IsEmpty());
}

TEST(InspectionDisciplineEffectsTest, ChangedReversesWhatTheNewFormLacksAndAppliesWhatItAdds) {
  EXPECT_THAT(EffectsOfAppeal(Form::kExpulsion, Subject::kOfficialMember, Outcome::kChanged, Form::kWarning),
              ElementsAre(EffectKind::kReinstateMembership));
  EXPECT_THAT(EffectsOfAppeal(Form::kWarning, Subject::kOfficialMember, Outcome::kChanged, Form::kExpulsion),
              ElementsAre(EffectKind::kEndMembership));
  EXPECT_THAT(EffectsOfAppeal(Form::kExpulsion, Subject::kOfficialMember, Outcome::kChanged, Form::kDismissal),
              ElementsAre(EffectKind::kReinstateMembership, EffectKind::kEndCommitteePosition));
  EXPECT_THAT(EffectsOfAppeal(Form::kDismissal, Subject::kOfficialMember, Outcome::kChanged, Form::kExpulsion),
              ElementsAre(EffectKind::kEndMembership));
  EXPECT_THAT(EffectsOfAppeal(Form::kDismissal, Subject::kOfficialMember, Outcome::kChanged, Form::kReprimand),
              IsEmpty());
}

// The code and the rule that documents what an annulment restores must agree.
TEST(InspectionDisciplineEffectsTest, AnnulmentAgreesWithTheRuleInForce) {
  const absl::StatusOr<const common::Rule*> rule = Rules().Find("inspection.discipline.annulment_restores",
                                                                D(2026, 12, 4));
  ASSERT_TRUE(rule.ok()) << rule.status();
  const struct {
    Form form;
    Subject subject;
  } cases[] = {{Form::kExpulsion, Subject::kOfficialMember},
               {Form::kDismissal, Subject::kOfficialMember},
               {Form::kDissolution, Subject::kOrganization}};
  for (const auto& c : cases) {
    const std::string restores = (*rule)->value.at(std::string(DisciplineFormName(c.form))).get<std::string>();
    const std::vector<EffectKind> effects = EffectsOfAppeal(c.form, c.subject, Outcome::kAnnulled, std::nullopt);
    if (restores == "CONSIDER") {
      EXPECT_THAT(effects, IsEmpty()) << DisciplineFormName(c.form);
    } else {
      ASSERT_EQ(effects.size(), 1u) << DisciplineFormName(c.form);
      EXPECT_EQ(EffectKindName(effects[0]), restores);
    }
  }
}

}  // namespace
}  // namespace grassroots::inspection::domain
