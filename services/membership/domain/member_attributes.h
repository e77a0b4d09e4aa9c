#pragma once
// The dated personal attributes (occupation category, general education,
// professional qualification level, political theory level): each has a
// history of periods [valid_from, valid_to), so statistics of a past date and
// "the category at admission" read the value then in force. No I/O here.
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "services/membership/domain/member.h"

namespace grassroots::membership::domain {

struct AttributePeriod {
  v1::MemberAttribute attribute = v1::MEMBER_ATTRIBUTE_UNSPECIFIED;
  int32_t value = 0;  // the enum number of the attribute's value type
  absl::CivilDay valid_from;
  std::optional<absl::CivilDay> valid_to;  // nullopt while in force
};

// The four dated attributes, in enum order.
const std::vector<v1::MemberAttribute>& DatedAttributes();
// The profile field an attribute is (its mask path in UpdateMember).
const char* AttributeField(v1::MemberAttribute attribute);
int32_t AttributeValue(const Profile& profile, v1::MemberAttribute attribute);
void SetAttributeValue(Profile& profile, v1::MemberAttribute attribute, int32_t value);

// One open period per attribute with the profile's values, from `start`
// (the record's admission or opening date).
std::vector<AttributePeriod> InitialAttributePeriods(const Profile& profile, absl::CivilDay start);

// The periods of all attributes after `attribute` took `value` on `day`:
//  - the same value as the one in force: unchanged;
//  - `day` the start of the period in force: that period's value is corrected
//    (and merged into the previous one when they then agree);
//  - `day` later: the period in force ends on `day` and a new one opens;
//  - `day` earlier than the start of the period in force: FAILED_PRECONDITION
//    ATTRIBUTE_CHANGE_OUT_OF_ORDER (history is not rewritten behind later changes);
//  - no period yet: one opens on `day`.
absl::StatusOr<std::vector<AttributePeriod>> ChangeAttribute(std::vector<AttributePeriod> periods,
                                                             v1::MemberAttribute attribute, int32_t value,
                                                             absl::CivilDay day);

// The value of `attribute` in force on `day`; nullopt when no period covers it.
std::optional<int32_t> AttributeOn(const std::vector<AttributePeriod>& periods, v1::MemberAttribute attribute,
                                   absl::CivilDay day);

// Replaces the dated fields of `profile` with their values on `day` (those
// without a period on that day are left as they are).
void ApplyAttributesOn(const std::vector<AttributePeriod>& periods, absl::CivilDay day, Profile& profile);

}  // namespace grassroots::membership::domain
