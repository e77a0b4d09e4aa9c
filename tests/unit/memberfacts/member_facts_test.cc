// How entries of membership's feed ("member", "member_periods") become the
// rows the member-facts projection keeps, and which entries it refuses (pure).
#include "services/memberfacts/member_facts.h"

#include <gtest/gtest.h>

#include "common/status/status.h"

namespace grassroots::memberfacts {
namespace {

namespace feedpb = grassroots::feed::v1;
namespace memberpb = grassroots::membership::v1;

feedpb::Change Entry(const std::string& type, const std::string& name, const google::protobuf::Message& payload) {
  feedpb::Change change;
  change.set_sequence(41);
  change.set_resource_type(type);
  change.set_resource_name(name);
  change.mutable_resource()->PackFrom(payload);
  return change;
}

memberpb::MemberFacts Facts() {
  memberpb::MemberFacts facts;
  facts.set_member("members/12");
  facts.set_status(memberpb::MEMBER_STATUS_PROBATIONARY);
  facts.set_cell("organizations/7");
  facts.set_host_cell("organizations/9");
  facts.set_suspended(true);
  facts.set_status_since("2026-03-02");
  facts.set_admission_decision_date("2026-02-01");
  facts.set_admission_ceremony_date("2026-03-02");
  facts.set_probation_end_date("2027-03-02");
  facts.set_occupation_category(memberpb::OCCUPATION_CATEGORY_FARMER);
  facts.set_occupation_category_at_admission(memberpb::OCCUPATION_CATEGORY_FARMER);
  facts.set_ethnicity_code("01");  // carried by the feed, not kept
  return facts;
}

memberpb::StatusPeriod Period(memberpb::MemberStatus status, const std::string& cell, const std::string& from,
                              const std::string& to) {
  memberpb::StatusPeriod period;
  period.set_status(status);
  period.set_cell(cell);
  period.set_valid_from(from);
  period.set_valid_to(to);
  return period;
}

memberpb::MemberPeriods TwoPeriods() {
  memberpb::MemberPeriods periods;
  periods.set_member("members/12");
  *periods.add_periods() = Period(memberpb::MEMBER_STATUS_PROBATIONARY, "organizations/7", "2025-03-02", "2026-03-02");
  *periods.add_periods() = Period(memberpb::MEMBER_STATUS_OFFICIAL, "organizations/8", "2026-03-02", "");
  periods.mutable_periods(1)->set_exempt(true);
  return periods;
}

TEST(DecodeMemberFactsTest, KeepsStatusPlacementAndPartyDates) {
  absl::StatusOr<ProjectedMember> member = DecodeMemberFacts(Entry("member", "members/12", Facts()));
  ASSERT_TRUE(member.ok()) << member.status();
  EXPECT_EQ(member->member_id, 12);
  EXPECT_EQ(member->status, memberpb::MEMBER_STATUS_PROBATIONARY);
  EXPECT_EQ(member->cell_id, 7);
  EXPECT_EQ(member->host_cell_id, 9);
  EXPECT_FALSE(member->exempt);
  EXPECT_TRUE(member->suspended);
  EXPECT_EQ(member->status_since, absl::CivilDay(2026, 3, 2));
  EXPECT_EQ(member->admission_decision_date, absl::CivilDay(2026, 2, 1));
  EXPECT_EQ(member->probation_end_date, absl::CivilDay(2027, 3, 2));
  EXPECT_FALSE(member->official_date.has_value());
  EXPECT_EQ(member->occupation_category, memberpb::OCCUPATION_CATEGORY_FARMER);
}

TEST(DecodeMemberFactsTest, AMemberInNoCellHasNone) {
  memberpb::MemberFacts facts = Facts();
  facts.clear_cell();
  facts.clear_host_cell();
  absl::StatusOr<ProjectedMember> member = DecodeMemberFacts(Entry("member", "members/12", facts));
  ASSERT_TRUE(member.ok()) << member.status();
  EXPECT_FALSE(member->cell_id.has_value());
  EXPECT_FALSE(member->host_cell_id.has_value());
}

TEST(DecodeMemberFactsTest, RefusesOtherPayloadsBadFieldsAndAnotherMember) {
  EXPECT_EQ(DecodeMemberFacts(Entry("member", "members/12", TwoPeriods())).status().code(),
            absl::StatusCode::kInvalidArgument);

  const absl::Status other_member = DecodeMemberFacts(Entry("member", "members/13", Facts())).status();
  EXPECT_EQ(other_member.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(common::FieldOf(other_member), "member");

  memberpb::MemberFacts bad_date = Facts();
  bad_date.set_official_date("2026-02-30");
  EXPECT_EQ(common::FieldOf(DecodeMemberFacts(Entry("member", "members/12", bad_date)).status()), "official_date");

  memberpb::MemberFacts bad_cell = Facts();
  bad_cell.set_cell("cells/7");
  EXPECT_EQ(common::FieldOf(DecodeMemberFacts(Entry("member", "members/12", bad_cell)).status()), "cell");

  memberpb::MemberFacts no_status = Facts();
  no_status.clear_status();
  EXPECT_EQ(common::FieldOf(DecodeMemberFacts(Entry("member", "members/12", no_status)).status()), "status");

  feedpb::Change garbled = Entry("member", "members/12", Facts());
  garbled.mutable_resource()->set_value("\xff\xff\xff");
  EXPECT_EQ(DecodeMemberFacts(garbled).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(DecodeMemberPeriodsTest, KeepsEveryPeriodOldestFirst) {
  absl::StatusOr<ProjectedPeriods> decoded =
      DecodeMemberPeriods(Entry("member_periods", "members/12", TwoPeriods()));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->member_id, 12);
  ASSERT_EQ(decoded->periods.size(), 2u);
  const ProjectedPeriod& first = decoded->periods[0];
  EXPECT_EQ(first.status, memberpb::MEMBER_STATUS_PROBATIONARY);
  EXPECT_EQ(first.cell_id, 7);
  EXPECT_EQ(first.valid_from, absl::CivilDay(2025, 3, 2));
  EXPECT_EQ(first.valid_to, absl::CivilDay(2026, 3, 2));
  const ProjectedPeriod& second = decoded->periods[1];
  EXPECT_EQ(second.cell_id, 8);
  EXPECT_TRUE(second.exempt);
  EXPECT_FALSE(second.valid_to.has_value()) << "in force";

  // [valid_from, valid_to): the day a period ends belongs to the next one.
  EXPECT_TRUE(first.Covers(absl::CivilDay(2026, 3, 1)));
  EXPECT_FALSE(first.Covers(absl::CivilDay(2026, 3, 2)));
  EXPECT_TRUE(second.Covers(absl::CivilDay(2026, 3, 2)));
  EXPECT_FALSE(first.Covers(absl::CivilDay(2025, 3, 1)));
}

TEST(DecodeMemberPeriodsTest, NoPeriodsClearTheMembersHistory) {
  memberpb::MemberPeriods none;
  none.set_member("members/12");
  absl::StatusOr<ProjectedPeriods> decoded = DecodeMemberPeriods(Entry("member_periods", "members/12", none));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_TRUE(decoded->periods.empty());
}

TEST(DecodeMemberPeriodsTest, RefusesPeriodsOutOfOrderOverlappingOrEndingBeforeTheyStart) {
  memberpb::MemberPeriods backwards = TwoPeriods();
  backwards.mutable_periods(0)->set_valid_to("2025-03-02");
  EXPECT_EQ(common::FieldOf(DecodeMemberPeriods(Entry("member_periods", "members/12", backwards)).status()),
            "periods[0].valid_to");

  memberpb::MemberPeriods overlapping = TwoPeriods();
  overlapping.mutable_periods(0)->set_valid_to("2026-04-01");
  EXPECT_EQ(common::FieldOf(DecodeMemberPeriods(Entry("member_periods", "members/12", overlapping)).status()),
            "periods[1].valid_from");

  memberpb::MemberPeriods open_before_another = TwoPeriods();
  open_before_another.mutable_periods(0)->clear_valid_to();
  EXPECT_EQ(common::FieldOf(DecodeMemberPeriods(Entry("member_periods", "members/12", open_before_another)).status()),
            "periods[1].valid_from");

  memberpb::MemberPeriods bad_host = TwoPeriods();
  bad_host.mutable_periods(1)->set_host_cell("organizations/x");
  EXPECT_EQ(common::FieldOf(DecodeMemberPeriods(Entry("member_periods", "members/12", bad_host)).status()),
            "periods[1].host_cell");

  EXPECT_EQ(DecodeMemberPeriods(Entry("member_periods", "members/13", TwoPeriods())).status().code(),
            absl::StatusCode::kInvalidArgument)
      << "about another member than the entry";
  EXPECT_EQ(DecodeMemberPeriods(Entry("member_periods", "members/12", Facts())).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace grassroots::memberfacts
