// The post and term a training qualifies for (S14), without I/O.
#include <gtest/gtest.h>

#include "common/status/status.h"
#include "services/membership/domain/yearly_rules.h"

namespace grassroots::membership::domain {
namespace {

PostTerm SecretaryTraining() {
  PostTerm term;
  term.kind = "POST_TRAINING";
  term.post = v1::TRAINING_POST_CELL_SECRETARY;
  term.term_starts_on = absl::CivilDay(2025, 7, 1);
  term.term_ends_on = absl::CivilDay(2030, 7, 1);
  term.training_start = absl::CivilDay(2025, 9, 10);
  return term;
}

TEST(PostTraining, APostTrainingNamesItsPostAndTerm) {
  EXPECT_TRUE(ValidatePostTerm(SecretaryTraining()).ok());
  PostTerm open = SecretaryTraining();
  open.term_ends_on.reset();
  EXPECT_TRUE(ValidatePostTerm(open).ok());
  PostTerm by_committee = SecretaryTraining();
  by_committee.term_starts_on.reset();
  by_committee.term_ends_on.reset();
  by_committee.committee_term = "organizations/12/committeeTerms/3";
  EXPECT_TRUE(ValidatePostTerm(by_committee).ok());
}

TEST(PostTraining, ATrainingWithoutAPostHasNoTerm) {
  PostTerm plain;
  plain.kind = "NEW_MEMBER";
  plain.training_start = absl::CivilDay(2025, 9, 10);
  EXPECT_TRUE(ValidatePostTerm(plain).ok());
  plain.term_starts_on = absl::CivilDay(2025, 7, 1);
  EXPECT_EQ(common::FieldOf(ValidatePostTerm(plain)), "training.term_starts_on");
  plain.term_starts_on.reset();
  plain.committee_term = "organizations/12/committeeTerms/3";
  EXPECT_EQ(common::FieldOf(ValidatePostTerm(plain)), "training.committee_term");
}

TEST(PostTraining, EachBadFieldIsNamed) {
  PostTerm wrong_kind = SecretaryTraining();
  wrong_kind.kind = "REFRESHER";
  EXPECT_EQ(common::FieldOf(ValidatePostTerm(wrong_kind)), "training.kind");

  PostTerm unknown = SecretaryTraining();
  unknown.post = static_cast<v1::TrainingPost>(99);
  EXPECT_EQ(common::FieldOf(ValidatePostTerm(unknown)), "training.post");

  PostTerm no_term = SecretaryTraining();
  no_term.term_starts_on.reset();
  no_term.term_ends_on.reset();
  EXPECT_EQ(common::FieldOf(ValidatePostTerm(no_term)), "training.term_starts_on");

  PostTerm backwards = SecretaryTraining();
  backwards.term_ends_on = absl::CivilDay(2025, 7, 1);
  EXPECT_EQ(common::FieldOf(ValidatePostTerm(backwards)), "training.term_ends_on");

  PostTerm after_the_term = SecretaryTraining();
  after_the_term.training_start = absl::CivilDay(2030, 7, 1);
  EXPECT_EQ(common::FieldOf(ValidatePostTerm(after_the_term)), "training.start_date");

  PostTerm bad_name = SecretaryTraining();
  bad_name.committee_term = "organizations/12/terms/3";
  EXPECT_EQ(common::FieldOf(ValidatePostTerm(bad_name)), "training.committee_term");
}

TEST(PostTraining, HeadsHaveNoCommitteeTerm) {
  PostTerm head = SecretaryTraining();
  head.post = v1::TRAINING_POST_VILLAGE_HEAD;
  EXPECT_TRUE(ValidatePostTerm(head).ok());
  head.committee_term = "organizations/12/committeeTerms/3";
  EXPECT_EQ(common::FieldOf(ValidatePostTerm(head)), "training.committee_term");
  EXPECT_TRUE(IsCommitteePost(v1::TRAINING_POST_CELL_DEPUTY_SECRETARY));
  EXPECT_FALSE(IsCommitteePost(v1::TRAINING_POST_FRONT_WORK_COMMITTEE_HEAD));
}

}  // namespace
}  // namespace grassroots::membership::domain
