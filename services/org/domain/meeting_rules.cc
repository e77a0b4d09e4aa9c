#include "services/org/domain/meeting_rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/status.h"

namespace grassroots::org::domain {
namespace {

// A record spanning more than this is a typing error, not a meeting.
constexpr absl::Duration kLongestPlausibleMeeting = absl::Hours(72);

std::string Minutes(absl::Duration d) {
  return absl::StrCat(absl::ToInt64Minutes(d));
}

}  // namespace

bool IsKnownMeetingKind(int value) { return value >= 1 && value <= 6; }
bool IsKnownMeetingMode(int value) { return value >= 1 && value <= 3; }

absl::TimeZone CommitteeTimeZone() { return absl::FixedTimeZone(7 * 60 * 60); }

absl::CivilDay LocalDay(absl::Time t) { return absl::ToCivilDay(t, CommitteeTimeZone()); }

absl::CivilDay MeetingDate(const Meeting& meeting) {
  return LocalDay(meeting.actual_start ? *meeting.actual_start : meeting.planned_start);
}

std::optional<absl::CivilDay> HeldOn(const Meeting& meeting) {
  if (!meeting.actual_start) return std::nullopt;
  return LocalDay(*meeting.actual_start);
}

std::optional<MinimumDuration> MinimumDurationFor(MeetingKind kind, absl::CivilDay day,
                                                  const common::RulesRegistry& rules) {
  std::string_view rule_id;
  switch (kind) {
    // HD 42-HD/BTCTW: every cell meeting lasts at least the regular minimum; a thematic
    // meeting held on its own is a cell meeting too.
    case MeetingKind::kRegular:
    case MeetingKind::kThematic:
      rule_id = kRegularMinDurationRule;
      break;
    case MeetingKind::kRegularAndThematic:
      rule_id = kCombinedMinDurationRule;
      break;
    default:
      return std::nullopt;
  }
  absl::StatusOr<const common::Rule*> rule = rules.Find(rule_id, day);
  if (!rule.ok()) return std::nullopt;  // not in force on that day: no minimum
  absl::StatusOr<int64_t> minutes = rules.GetInt(rule_id, day);
  if (!minutes.ok() || *minutes <= 0) return std::nullopt;
  return MinimumDuration{absl::Minutes(*minutes), *rule};
}

absl::Status ValidateMeeting(const Meeting& meeting, const common::RulesRegistry& rules) {
  if (meeting.planned_end <= meeting.planned_start) {
    return common::InvalidField("meeting.planned_end", "must be after meeting.planned_start");
  }
  if (meeting.planned_end - meeting.planned_start > kLongestPlausibleMeeting) {
    return common::InvalidField("meeting.planned_end", "must be within 72 hours of meeting.planned_start");
  }
  if (meeting.actual_end && !meeting.actual_start) {
    return common::InvalidField("meeting.actual_start", "is required when meeting.actual_end is set");
  }
  if (meeting.actual_start && meeting.actual_end) {
    if (*meeting.actual_end <= *meeting.actual_start) {
      return common::InvalidField("meeting.actual_end", "must be after meeting.actual_start");
    }
    if (*meeting.actual_end - *meeting.actual_start > kLongestPlausibleMeeting) {
      return common::InvalidField("meeting.actual_end", "must be within 72 hours of meeting.actual_start");
    }
  }
  if (CountsAsThematic(meeting.kind) && meeting.topic.empty()) {
    return common::InvalidField("meeting.topic", "a thematic meeting needs its topic");
  }

  if (meeting.invited_count < 0) return common::InvalidField("meeting.invited_count", "must not be negative");
  if (meeting.present_count < 0) return common::InvalidField("meeting.present_count", "must not be negative");
  if (meeting.excused_count < 0) return common::InvalidField("meeting.excused_count", "must not be negative");
  if (meeting.present_count > meeting.invited_count) {
    return common::InvalidField("meeting.present_count", "must not exceed meeting.invited_count");
  }
  if (int64_t{meeting.present_count} + meeting.excused_count > meeting.invited_count) {
    return common::InvalidField("meeting.excused_count",
                                "present plus excused must not exceed meeting.invited_count");
  }
  if (static_cast<int64_t>(meeting.attendee_member_ids.size()) > meeting.present_count) {
    return common::InvalidField("meeting.attendees", "lists more members than meeting.present_count");
  }

  if (meeting.mode == MeetingMode::kInPerson) {
    if (!meeting.online_reason.empty()) {
      return common::InvalidField("meeting.online_reason", "must be empty for an in-person meeting");
    }
  } else {
    const absl::CivilDay day = MeetingDate(meeting);
    if (meeting.online_reason.empty()) {
      return common::InvalidField("meeting.online_reason", "is required for an online or hybrid meeting");
    }
    absl::StatusOr<std::vector<std::string>> allowed = rules.GetStringList(kOnlineAllowedReasonsRule, day);
    if (!allowed.ok()) {
      return common::InvalidField(
          "meeting.online_reason",
          absl::StrCat("no rule allows online meetings on ", absl::FormatCivilTime(day)));
    }
    if (std::find(allowed->begin(), allowed->end(), meeting.online_reason) == allowed->end()) {
      return common::InvalidField("meeting.online_reason",
                                  absl::StrCat("must be one of: ", absl::StrJoin(*allowed, ", ")));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidatePartyGroup(const Meeting& meeting, const std::optional<Organization>& party_group) {
  if (meeting.kind != MeetingKind::kPartyGroup) {
    if (meeting.party_group_id || party_group) {
      return common::InvalidField("meeting.party_group", "is only for party group meetings");
    }
    return absl::OkStatus();
  }
  if (!party_group) return common::InvalidField("meeting.party_group", "is required for a party group meeting");
  if (party_group->type.code != kPartyGroupTypeCode) {
    return common::InvalidField("meeting.party_group", "must be a party group (tổ đảng)");
  }
  if (party_group->parent_id != meeting.organization_id) {
    return common::InvalidField("meeting.party_group", "must be a party group of the meeting's cell");
  }
  if (!party_group->IsActiveOn(MeetingDate(meeting))) {
    return common::InvalidField("meeting.party_group", "did not exist on the meeting date");
  }
  return absl::OkStatus();
}

MeetingAssessment AssessMeeting(const Meeting& meeting, const common::RulesRegistry& rules) {
  MeetingAssessment out;
  std::optional<MinimumDuration> minimum = MinimumDurationFor(meeting.kind, MeetingDate(meeting), rules);
  if (meeting.actual_start && meeting.actual_end) {
    const absl::Duration lasted = *meeting.actual_end - *meeting.actual_start;
    out.meets_minimum_duration = !minimum || lasted >= minimum->minimum;
    if (minimum && lasted < minimum->minimum) {
      out.findings.push_back(RuleFinding{
          "SHORTER_THAN_MINIMUM", FindingSeverity::kViolation,
          absl::StrCat("the meeting lasted ", Minutes(lasted), " minutes; the minimum is ",
                       Minutes(minimum->minimum)),
          minimum->rule->id, minimum->rule->citation});
    }
  } else if (minimum && meeting.planned_end - meeting.planned_start < minimum->minimum) {
    out.findings.push_back(RuleFinding{
        "PLANNED_SHORTER_THAN_MINIMUM", FindingSeverity::kWarning,
        absl::StrCat("the meeting is planned for ", Minutes(meeting.planned_end - meeting.planned_start),
                     " minutes; the minimum is ", Minutes(minimum->minimum)),
        minimum->rule->id, minimum->rule->citation});
  }
  return out;
}

absl::StatusOr<Quarter> MakeQuarter(int year, int number) {
  if (year < 1900 || year > 9999) return common::InvalidField("year", "must be between 1900 and 9999");
  if (number < 1 || number > 4) return common::InvalidField("quarter", "must be between 1 and 4");
  Quarter q;
  q.year = year;
  q.number = number;
  q.first_day = absl::CivilDay(year, (number - 1) * 3 + 1, 1);
  // The day before the next quarter's first day.
  q.last_day = absl::CivilDay(absl::CivilMonth(year, (number - 1) * 3 + 1) + 3) - 1;
  return q;
}

bool CountsAsThematic(MeetingKind kind) {
  return kind == MeetingKind::kThematic || kind == MeetingKind::kRegularAndThematic;
}

bool ActiveThroughQuarter(const Organization& organization, const Quarter& quarter) {
  return organization.established_on <= quarter.first_day &&
         (!organization.ended_on || *organization.ended_on > quarter.last_day);
}

bool HeldInQuarter(const Meeting& meeting, const Quarter& quarter) {
  std::optional<absl::CivilDay> held = HeldOn(meeting);
  return held && *held >= quarter.first_day && *held <= quarter.last_day;
}

int64_t ThematicMeetingsRequired(const Quarter& quarter, const common::RulesRegistry& rules) {
  absl::StatusOr<int64_t> required = rules.GetInt(kThematicPerQuarterRule, quarter.last_day);
  return required.ok() && *required > 0 ? *required : 0;
}

}  // namespace grassroots::org::domain
