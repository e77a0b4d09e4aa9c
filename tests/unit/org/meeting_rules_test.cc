// Meeting rules: minimum durations by kind and date, online reasons, party groups,
// attendance consistency and the quarter logic of the thematic-meeting check.
#include "services/org/domain/meeting_rules.h"

#include <gtest/gtest.h>

#include "common/status/status.h"

namespace grassroots::org::domain {
namespace {

// The same rule ids, values and dates as data/rules/rules.json.
constexpr char kRulesJson[] = R"json({"rules": [
  {"id": "meeting.regular.min_duration_minutes", "value": 90, "effective_from": "2025-10-28",
   "citation": "HD 42-HD/BTCTW (28/10/2025)", "description": "regular minimum"},
  {"id": "meeting.combined.min_duration_minutes", "value": 120, "effective_from": "2025-10-28",
   "citation": "HD 42-HD/BTCTW (28/10/2025)", "description": "combined minimum"},
  {"id": "meeting.online.allowed_reasons",
   "value": ["MEMBERS_DISPERSED", "IRREGULAR_LOCATION", "CANNOT_LEAVE_POST", "SPECIAL_CIRCUMSTANCES"],
   "effective_from": "2022-12-27", "citation": "HD 03-HD/TW (27/12/2022)", "description": "online reasons"},
  {"id": "meeting.thematic.per_quarter_min", "value": 1, "effective_from": "2011-01-19",
   "citation": "Điều lệ", "description": "thematic per quarter"}
]})json";

const common::RulesRegistry& Rules() {
  static const common::RulesRegistry* rules = [] {
    absl::StatusOr<common::RulesRegistry> r = common::RulesRegistry::FromJsonText(kRulesJson);
    EXPECT_TRUE(r.ok()) << r.status();
    return new common::RulesRegistry(*std::move(r));
  }();
  return *rules;
}

// A local (UTC+7) time.
absl::Time Local(int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), CommitteeTimeZone());
}

constexpr int64_t kCell = 10;

Meeting HeldMeeting(MeetingKind kind, absl::Time start, int minutes) {
  Meeting m;
  m.organization_id = kCell;
  m.kind = kind;
  m.mode = MeetingMode::kInPerson;
  m.topic = "Học tập chuyên đề";
  m.planned_start = start;
  m.planned_end = start + absl::Minutes(minutes);
  m.actual_start = start;
  m.actual_end = start + absl::Minutes(minutes);
  m.invited_count = 20;
  m.present_count = 18;
  m.excused_count = 2;
  return m;
}

const absl::Time kAfterRule = Local(2025, 11, 5, 19, 30);

TEST(MeetingDuration, RegularMeetingOf89MinutesIsShort) {
  MeetingAssessment a = AssessMeeting(HeldMeeting(MeetingKind::kRegular, kAfterRule, 89), Rules());
  EXPECT_FALSE(a.meets_minimum_duration);
  ASSERT_EQ(a.findings.size(), 1u);
  EXPECT_EQ(a.findings[0].code, "SHORTER_THAN_MINIMUM");
  EXPECT_EQ(a.findings[0].severity, FindingSeverity::kViolation);
  EXPECT_EQ(a.findings[0].rule_id, "meeting.regular.min_duration_minutes");
  EXPECT_EQ(a.findings[0].citation, "HD 42-HD/BTCTW (28/10/2025)");
  EXPECT_NE(a.findings[0].message.find("89"), std::string::npos);
}

TEST(MeetingDuration, RegularMeetingOf90MinutesMeetsTheMinimum) {
  MeetingAssessment a = AssessMeeting(HeldMeeting(MeetingKind::kRegular, kAfterRule, 90), Rules());
  EXPECT_TRUE(a.meets_minimum_duration);
  EXPECT_TRUE(a.findings.empty());
}

TEST(MeetingDuration, CombinedMeetingNeeds120Minutes) {
  MeetingAssessment short_one = AssessMeeting(HeldMeeting(MeetingKind::kRegularAndThematic, kAfterRule, 119), Rules());
  EXPECT_FALSE(short_one.meets_minimum_duration);
  ASSERT_EQ(short_one.findings.size(), 1u);
  EXPECT_EQ(short_one.findings[0].rule_id, "meeting.combined.min_duration_minutes");

  MeetingAssessment enough = AssessMeeting(HeldMeeting(MeetingKind::kRegularAndThematic, kAfterRule, 120), Rules());
  EXPECT_TRUE(enough.meets_minimum_duration);
  EXPECT_TRUE(enough.findings.empty());
}

TEST(MeetingDuration, CombinedMeetingOf100MinutesIsShortEvenThoughARegularOneWouldPass) {
  MeetingAssessment a = AssessMeeting(HeldMeeting(MeetingKind::kRegularAndThematic, kAfterRule, 100), Rules());
  EXPECT_FALSE(a.meets_minimum_duration);
}

TEST(MeetingDuration, ThematicMeetingAloneUsesTheRegularMinimum) {
  EXPECT_FALSE(AssessMeeting(HeldMeeting(MeetingKind::kThematic, kAfterRule, 89), Rules()).meets_minimum_duration);
  EXPECT_TRUE(AssessMeeting(HeldMeeting(MeetingKind::kThematic, kAfterRule, 90), Rules()).meets_minimum_duration);
}

TEST(MeetingDuration, NoMinimumBeforeTheRuleTookEffect) {
  MeetingAssessment a =
      AssessMeeting(HeldMeeting(MeetingKind::kRegular, Local(2025, 10, 27, 19, 0), 45), Rules());
  EXPECT_TRUE(a.meets_minimum_duration);
  EXPECT_TRUE(a.findings.empty());
  EXPECT_FALSE(MinimumDurationFor(MeetingKind::kRegular, absl::CivilDay(2025, 10, 27), Rules()).has_value());
  ASSERT_TRUE(MinimumDurationFor(MeetingKind::kRegular, absl::CivilDay(2025, 10, 28), Rules()).has_value());
}

TEST(MeetingDuration, TheRuleDateIsTheLocalDayNotTheUtcDay) {
  // 23:30 UTC on 27/10 is 06:30 on 28/10 in Vietnam: the rule applies.
  const absl::Time start = absl::FromCivil(absl::CivilMinute(2025, 10, 27, 23, 30), absl::UTCTimeZone());
  EXPECT_EQ(MeetingDate(HeldMeeting(MeetingKind::kRegular, start, 60)), absl::CivilDay(2025, 10, 28));
  EXPECT_FALSE(AssessMeeting(HeldMeeting(MeetingKind::kRegular, start, 60), Rules()).meets_minimum_duration);
}

TEST(MeetingDuration, KindsWithoutAMinimum) {
  for (MeetingKind kind : {MeetingKind::kExtraordinary, MeetingKind::kCommittee, MeetingKind::kPartyGroup}) {
    MeetingAssessment a = AssessMeeting(HeldMeeting(kind, kAfterRule, 20), Rules());
    EXPECT_TRUE(a.meets_minimum_duration);
    EXPECT_TRUE(a.findings.empty());
  }
}

TEST(MeetingDuration, PlannedButNotHeld) {
  Meeting m = HeldMeeting(MeetingKind::kRegular, kAfterRule, 60);
  m.actual_start.reset();
  m.actual_end.reset();
  MeetingAssessment a = AssessMeeting(m, Rules());
  EXPECT_FALSE(a.meets_minimum_duration);
  ASSERT_EQ(a.findings.size(), 1u);
  EXPECT_EQ(a.findings[0].code, "PLANNED_SHORTER_THAN_MINIMUM");
  EXPECT_EQ(a.findings[0].severity, FindingSeverity::kWarning);

  m.planned_end = m.planned_start + absl::Minutes(90);
  a = AssessMeeting(m, Rules());
  EXPECT_FALSE(a.meets_minimum_duration);  // not held yet
  EXPECT_TRUE(a.findings.empty());
}

TEST(MeetingDuration, StartedButNotEndedHasNoVerdict) {
  Meeting m = HeldMeeting(MeetingKind::kRegular, kAfterRule, 90);
  m.actual_end.reset();
  EXPECT_FALSE(AssessMeeting(m, Rules()).meets_minimum_duration);
  EXPECT_TRUE(ValidateMeeting(m, Rules()).ok());
}

void ExpectInvalidField(const absl::Status& s, const std::string& field) {
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_EQ(common::FieldOf(s), field) << s;
}

TEST(MeetingValidation, AValidMeetingPasses) {
  EXPECT_TRUE(ValidateMeeting(HeldMeeting(MeetingKind::kRegular, kAfterRule, 90), Rules()).ok());
}

TEST(MeetingValidation, OnlineReasonAllowedByTheRule) {
  Meeting m = HeldMeeting(MeetingKind::kRegular, kAfterRule, 90);
  m.mode = MeetingMode::kOnline;
  m.online_reason = "MEMBERS_DISPERSED";
  EXPECT_TRUE(ValidateMeeting(m, Rules()).ok());
  m.mode = MeetingMode::kHybrid;
  m.online_reason = "CANNOT_LEAVE_POST";
  EXPECT_TRUE(ValidateMeeting(m, Rules()).ok());
}

TEST(MeetingValidation, OnlineReasonNotAllowed) {
  Meeting m = HeldMeeting(MeetingKind::kRegular, kAfterRule, 90);
  m.mode = MeetingMode::kOnline;
  m.online_reason = "CONVENIENCE";
  ExpectInvalidField(ValidateMeeting(m, Rules()), "meeting.online_reason");
  m.online_reason = "";
  ExpectInvalidField(ValidateMeeting(m, Rules()), "meeting.online_reason");
  m.mode = MeetingMode::kHybrid;
  ExpectInvalidField(ValidateMeeting(m, Rules()), "meeting.online_reason");
}

TEST(MeetingValidation, NoOnlineMeetingsBeforeTheGuidance) {
  Meeting m = HeldMeeting(MeetingKind::kRegular, Local(2022, 12, 26, 19, 0), 90);
  m.mode = MeetingMode::kOnline;
  m.online_reason = "MEMBERS_DISPERSED";
  ExpectInvalidField(ValidateMeeting(m, Rules()), "meeting.online_reason");
  m.planned_start = m.planned_start + absl::Hours(24);
  m.planned_end = m.planned_end + absl::Hours(24);
  m.actual_start = *m.actual_start + absl::Hours(24);
  m.actual_end = *m.actual_end + absl::Hours(24);
  EXPECT_TRUE(ValidateMeeting(m, Rules()).ok());
}

TEST(MeetingValidation, InPersonMeetingTakesNoOnlineReason) {
  Meeting m = HeldMeeting(MeetingKind::kRegular, kAfterRule, 90);
  m.online_reason = "MEMBERS_DISPERSED";
  ExpectInvalidField(ValidateMeeting(m, Rules()), "meeting.online_reason");
}

TEST(MeetingValidation, TimesMustBeOrdered) {
  Meeting m = HeldMeeting(MeetingKind::kRegular, kAfterRule, 90);
  m.planned_end = m.planned_start;
  ExpectInvalidField(ValidateMeeting(m, Rules()), "meeting.planned_end");
  m = HeldMeeting(MeetingKind::kRegular, kAfterRule, 90);
  m.planned_end = m.planned_start + absl::Hours(73);
  ExpectInvalidField(ValidateMeeting(m, Rules()), "meeting.planned_end");
  m = HeldMeeting(MeetingKind::kRegular, kAfterRule, 90);
  m.actual_end = *m.actual_start - absl::Minutes(1);
  ExpectInvalidField(ValidateMeeting(m, Rules()), "meeting.actual_end");
  m = HeldMeeting(MeetingKind::kRegular, kAfterRule, 90);
  m.actual_start.reset();
  ExpectInvalidField(ValidateMeeting(m, Rules()), "meeting.actual_start");
}

TEST(MeetingValidation, AttendanceCountsMustBeConsistent) {
  Meeting m = HeldMeeting(MeetingKind::kRegular, kAfterRule, 90);
  m.invited_count = 20;
  m.present_count = 18;
  m.excused_count = 2;  // exactly the invited
  EXPECT_TRUE(ValidateMeeting(m, Rules()).ok());
  m.excused_count = 3;
  ExpectInvalidField(ValidateMeeting(m, Rules()), "meeting.excused_count");
  m.excused_count = 0;
  m.present_count = 21;
  ExpectInvalidField(ValidateMeeting(m, Rules()), "meeting.present_count");
  m.present_count = -1;
  ExpectInvalidField(ValidateMeeting(m, Rules()), "meeting.present_count");
  m.present_count = 2;
  m.invited_count = -5;
  ExpectInvalidField(ValidateMeeting(m, Rules()), "meeting.invited_count");
  m.invited_count = 20;
  m.attendee_member_ids = {1, 2, 3};
  ExpectInvalidField(ValidateMeeting(m, Rules()), "meeting.attendees");
  m.attendee_member_ids = {1, 2};
  EXPECT_TRUE(ValidateMeeting(m, Rules()).ok());
}

TEST(MeetingValidation, ThematicMeetingNeedsATopic) {
  Meeting m = HeldMeeting(MeetingKind::kThematic, kAfterRule, 90);
  m.topic.clear();
  ExpectInvalidField(ValidateMeeting(m, Rules()), "meeting.topic");
  m.kind = MeetingKind::kRegular;
  EXPECT_TRUE(ValidateMeeting(m, Rules()).ok());
}

Organization Org(int64_t id, const std::string& type, bool is_cell, std::optional<int64_t> parent,
                 absl::CivilDay established, std::optional<absl::CivilDay> ended = std::nullopt) {
  Organization o;
  o.id = id;
  o.type.code = type;
  o.type.is_cell = is_cell;
  o.type.is_grassroots = type == "CHI_BO_CO_SO" || type == "DANG_BO_CO_SO";
  o.parent_id = parent;
  o.established_on = established;
  o.ended_on = ended;
  return o;
}

TEST(PartyGroupMeeting, GroupMustBeATổĐảngOfTheCellActiveOnTheDay) {
  Meeting m = HeldMeeting(MeetingKind::kPartyGroup, kAfterRule, 60);
  m.party_group_id = 11;
  EXPECT_TRUE(ValidatePartyGroup(m, Org(11, "TO_DANG", false, kCell, absl::CivilDay(2020, 1, 1))).ok());
  ExpectInvalidField(ValidatePartyGroup(m, Org(11, "CHI_BO_TRUC_THUOC", true, kCell, absl::CivilDay(2020, 1, 1))),
                     "meeting.party_group");
  ExpectInvalidField(ValidatePartyGroup(m, Org(11, "TO_DANG", false, 99, absl::CivilDay(2020, 1, 1))),
                     "meeting.party_group");
  ExpectInvalidField(ValidatePartyGroup(m, Org(11, "TO_DANG", false, kCell, absl::CivilDay(2020, 1, 1),
                                               absl::CivilDay(2025, 11, 5))),
                     "meeting.party_group");
  ExpectInvalidField(ValidatePartyGroup(m, std::nullopt), "meeting.party_group");
}

TEST(PartyGroupMeeting, OtherKindsNameNoGroup) {
  Meeting m = HeldMeeting(MeetingKind::kRegular, kAfterRule, 90);
  EXPECT_TRUE(ValidatePartyGroup(m, std::nullopt).ok());
  m.party_group_id = 11;
  ExpectInvalidField(ValidatePartyGroup(m, Org(11, "TO_DANG", false, kCell, absl::CivilDay(2020, 1, 1))),
                     "meeting.party_group");
}

TEST(Quarters, Bounds) {
  absl::StatusOr<Quarter> q1 = MakeQuarter(2025, 1);
  ASSERT_TRUE(q1.ok());
  EXPECT_EQ(q1->first_day, absl::CivilDay(2025, 1, 1));
  EXPECT_EQ(q1->last_day, absl::CivilDay(2025, 3, 31));
  EXPECT_EQ(MakeQuarter(2025, 2)->last_day, absl::CivilDay(2025, 6, 30));
  EXPECT_EQ(MakeQuarter(2024, 3)->first_day, absl::CivilDay(2024, 7, 1));
  EXPECT_EQ(MakeQuarter(2025, 4)->last_day, absl::CivilDay(2025, 12, 31));
  ExpectInvalidField(MakeQuarter(2025, 0).status(), "quarter");
  ExpectInvalidField(MakeQuarter(2025, 5).status(), "quarter");
  ExpectInvalidField(MakeQuarter(0, 1).status(), "year");
}

TEST(Quarters, ActiveThroughTheWholeQuarter) {
  const Quarter q2 = *MakeQuarter(2025, 2);
  EXPECT_TRUE(ActiveThroughQuarter(Org(1, "CHI_BO_CO_SO", true, 0, absl::CivilDay(2025, 4, 1)), q2));
  EXPECT_FALSE(ActiveThroughQuarter(Org(1, "CHI_BO_CO_SO", true, 0, absl::CivilDay(2025, 4, 2)), q2));
  // ended_on is the first day it no longer exists.
  EXPECT_TRUE(ActiveThroughQuarter(
      Org(1, "CHI_BO_CO_SO", true, 0, absl::CivilDay(2020, 1, 1), absl::CivilDay(2025, 7, 1)), q2));
  EXPECT_FALSE(ActiveThroughQuarter(
      Org(1, "CHI_BO_CO_SO", true, 0, absl::CivilDay(2020, 1, 1), absl::CivilDay(2025, 6, 30)), q2));
}

TEST(Quarters, HeldInQuarterUsesTheLocalDayOfTheActualStart) {
  const Quarter q1 = *MakeQuarter(2025, 1), q2 = *MakeQuarter(2025, 2);
  // 31/3 20:00 UTC is 1/4 03:00 in Vietnam.
  Meeting m = HeldMeeting(MeetingKind::kThematic,
                          absl::FromCivil(absl::CivilMinute(2025, 3, 31, 20, 0), absl::UTCTimeZone()), 90);
  EXPECT_FALSE(HeldInQuarter(m, q1));
  EXPECT_TRUE(HeldInQuarter(m, q2));
  m.actual_start.reset();
  m.actual_end.reset();
  EXPECT_FALSE(HeldInQuarter(m, q2));  // planned only: not held
}

TEST(Quarters, WhatCountsAsThematic) {
  EXPECT_TRUE(CountsAsThematic(MeetingKind::kThematic));
  EXPECT_TRUE(CountsAsThematic(MeetingKind::kRegularAndThematic));
  EXPECT_FALSE(CountsAsThematic(MeetingKind::kRegular));
  EXPECT_FALSE(CountsAsThematic(MeetingKind::kPartyGroup));
}

TEST(Quarters, RequiredThematicMeetingsComeFromTheRule) {
  EXPECT_EQ(ThematicMeetingsRequired(*MakeQuarter(2025, 1), Rules()), 1);
  EXPECT_EQ(ThematicMeetingsRequired(*MakeQuarter(2010, 1), Rules()), 0);
}

TEST(MeetingKinds, KnownValues) {
  EXPECT_FALSE(IsKnownMeetingKind(0));
  EXPECT_TRUE(IsKnownMeetingKind(6));
  EXPECT_FALSE(IsKnownMeetingKind(7));
  EXPECT_FALSE(IsKnownMeetingMode(0));
  EXPECT_TRUE(IsKnownMeetingMode(3));
  EXPECT_FALSE(IsKnownMeetingMode(4));
}

}  // namespace
}  // namespace grassroots::org::domain
