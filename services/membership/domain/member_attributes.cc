#include "services/membership/domain/member_attributes.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"

namespace grassroots::membership::domain {

const std::vector<v1::MemberAttribute>& DatedAttributes() {
  static const auto* const kAll = new std::vector<v1::MemberAttribute>{
      v1::MEMBER_ATTRIBUTE_OCCUPATION_CATEGORY, v1::MEMBER_ATTRIBUTE_GENERAL_EDUCATION,
      v1::MEMBER_ATTRIBUTE_PROFESSIONAL_QUALIFICATION_LEVEL, v1::MEMBER_ATTRIBUTE_POLITICAL_THEORY_LEVEL};
  return *kAll;
}

const char* AttributeField(v1::MemberAttribute attribute) {
  switch (attribute) {
    case v1::MEMBER_ATTRIBUTE_OCCUPATION_CATEGORY: return "occupation_category";
    case v1::MEMBER_ATTRIBUTE_GENERAL_EDUCATION: return "general_education";
    case v1::MEMBER_ATTRIBUTE_PROFESSIONAL_QUALIFICATION_LEVEL: return "professional_qualification_level";
    case v1::MEMBER_ATTRIBUTE_POLITICAL_THEORY_LEVEL: return "political_theory_level";
    default: return "";
  }
}

int32_t AttributeValue(const Profile& profile, v1::MemberAttribute attribute) {
  switch (attribute) {
    case v1::MEMBER_ATTRIBUTE_OCCUPATION_CATEGORY: return profile.occupation_category;
    case v1::MEMBER_ATTRIBUTE_GENERAL_EDUCATION: return profile.general_education;
    case v1::MEMBER_ATTRIBUTE_PROFESSIONAL_QUALIFICATION_LEVEL: return profile.professional_qualification_level;
    case v1::MEMBER_ATTRIBUTE_POLITICAL_THEORY_LEVEL: return profile.political_theory_level;
    default: return 0;
  }
}

void SetAttributeValue(Profile& profile, v1::MemberAttribute attribute, int32_t value) {
  switch (attribute) {
    case v1::MEMBER_ATTRIBUTE_OCCUPATION_CATEGORY:
      profile.occupation_category = static_cast<v1::OccupationCategory>(value);
      break;
    case v1::MEMBER_ATTRIBUTE_GENERAL_EDUCATION:
      profile.general_education = static_cast<v1::GeneralEducation>(value);
      break;
    case v1::MEMBER_ATTRIBUTE_PROFESSIONAL_QUALIFICATION_LEVEL:
      profile.professional_qualification_level = static_cast<v1::ProfessionalQualificationLevel>(value);
      break;
    case v1::MEMBER_ATTRIBUTE_POLITICAL_THEORY_LEVEL:
      profile.political_theory_level = static_cast<v1::PoliticalTheoryLevel>(value);
      break;
    default:
      break;
  }
}

std::vector<AttributePeriod> InitialAttributePeriods(const Profile& profile, absl::CivilDay start) {
  std::vector<AttributePeriod> out;
  for (v1::MemberAttribute attribute : DatedAttributes()) {
    out.push_back(AttributePeriod{attribute, AttributeValue(profile, attribute), start, std::nullopt});
  }
  return out;
}

absl::StatusOr<std::vector<AttributePeriod>> ChangeAttribute(std::vector<AttributePeriod> periods,
                                                             v1::MemberAttribute attribute, int32_t value,
                                                             absl::CivilDay day) {
  std::stable_sort(periods.begin(), periods.end(), [](const AttributePeriod& a, const AttributePeriod& b) {
    return a.attribute != b.attribute ? a.attribute < b.attribute : a.valid_from < b.valid_from;
  });
  // The attribute's periods are contiguous after the sort; the last is in force.
  auto last = periods.end();
  auto previous = periods.end();
  for (auto it = periods.begin(); it != periods.end(); ++it) {
    if (it->attribute != attribute) continue;
    previous = last;
    last = it;
  }
  if (last == periods.end()) {
    periods.push_back(AttributePeriod{attribute, value, day, std::nullopt});
    return periods;
  }
  if (last->value == value) return periods;
  if (day < last->valid_from) {
    return common::Reasoned(absl::StatusCode::kFailedPrecondition, "ATTRIBUTE_CHANGE_OUT_OF_ORDER",
                            absl::StrCat(AttributeField(attribute), ": effective_date ", common::api::FormatDate(day),
                                         " is before the start of the value in force (",
                                         common::api::FormatDate(last->valid_from), ")"));
  }
  if (day == last->valid_from) {
    // A correction of the value that started that day.
    if (previous != periods.end() && previous->value == value && previous->valid_to == day) {
      previous->valid_to.reset();
      periods.erase(last);
    } else {
      last->value = value;
    }
    return periods;
  }
  last->valid_to = day;
  periods.push_back(AttributePeriod{attribute, value, day, std::nullopt});
  return periods;
}

std::optional<int32_t> AttributeOn(const std::vector<AttributePeriod>& periods, v1::MemberAttribute attribute,
                                   absl::CivilDay day) {
  for (const AttributePeriod& p : periods) {
    if (p.attribute == attribute && p.valid_from <= day && (!p.valid_to || *p.valid_to > day)) return p.value;
  }
  return std::nullopt;
}

void ApplyAttributesOn(const std::vector<AttributePeriod>& periods, absl::CivilDay day, Profile& profile) {
  for (v1::MemberAttribute attribute : DatedAttributes()) {
    if (std::optional<int32_t> value = AttributeOn(periods, attribute, day)) {
      SetAttributeValue(profile, attribute, *value);
    }
  }
}

}  // namespace grassroots::membership::domain
