#pragma once
// The statistics as rules without I/O: the store reads the counted members,
// the organizations and the movements of a subtree on a day; this file bands
// ages, tallies them into tables in the shapes of the party's statistical
// forms, and withholds small counts from roles that may not see persons.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace grassroots::reporting::domain {

// ---- tables --------------------------------------------------------------------------------

struct StatisticsRow {
  std::string key;
  std::string label;
  int64_t count = 0;
  bool suppressed = false;
};

// Rows that partition `total` (every unit in exactly one row).
struct StatisticsTable {
  std::string dimension;
  std::string title;
  std::vector<StatisticsRow> rows;
  int64_t total = 0;
  bool total_suppressed = false;
};

// The key of the row of units with nothing recorded.
inline constexpr char kUnspecifiedKey[] = "UNSPECIFIED";

// Withholds every count of 1 .. min_count-1 (zeros are shown: they name
// nobody). When exactly one row is withheld and the total is shown, the next
// smallest shown non-zero row is withheld with it, so the withheld value
// cannot be recomputed from the total. A total below min_count is withheld
// with every row, zeros included (they would tell which rows hold it).
// min_count <= 1 withholds nothing. Suppressed counts are set to 0.
void Suppress(StatisticsTable& table, int64_t min_count);

// ---- bands ---------------------------------------------------------------------------------

// A band of completed years, both ends included; an open end is absent.
struct Band {
  std::string key;
  std::string label;
  std::optional<int> from;
  std::optional<int> to;
  bool Contains(int years) const { return (!from || years >= *from) && (!to || years <= *to); }
};

// A rule's value: [{"key", "label", "from"?, "to"?}, ...], in order, not
// overlapping. INVALID_ARGUMENT naming `rule_id` otherwise.
absl::StatusOr<std::vector<Band>> ParseBands(const nlohmann::json& value, std::string_view rule_id);

// Completed years of age on `day` from the birth year and month (the birthday
// counts as reached from the first day of its month; without a month, from 1
// January). None without a birth year or when born after `day`.
std::optional<int> AgeOn(std::optional<int> birth_year, std::optional<int> birth_month, absl::CivilDay day);

// Completed years from `since` to `day` (none when since is absent or after day).
std::optional<int> YearsBetween(std::optional<absl::CivilDay> since, absl::CivilDay day);

// The key of the band holding `years`; kUnspecifiedKey when none does.
std::string BandKey(const std::vector<Band>& bands, std::optional<int> years);

// ---- members -------------------------------------------------------------------------------

// A member counted on the day (official or probationary, in a cell of the
// subtree), with the statistical attributes in force then: enum numbers of
// grassroots.membership.v1 (0: not recorded) and the codes of data/codes.
struct CountedMember {
  int32_t status = 0;
  int32_t sex = 0;
  std::optional<int> birth_year;
  std::optional<int> birth_month;
  std::string ethnicity_code;
  std::string religion_code;
  int32_t general_education = 0;
  int32_t professional_qualification = 0;
  int32_t political_theory = 0;
  int32_t occupation_category = 0;
  std::optional<absl::CivilDay> admission_decision_date;
};

enum class MemberDimension {
  kStatus, kSex, kAgeBand, kEthnicity, kReligion, kGeneralEducation, kProfessionalQualification,
  kPoliticalTheory, kOccupation, kPartyAge,
};
const std::vector<MemberDimension>& AllMemberDimensions();
std::string DimensionName(MemberDimension dimension);  // "STATUS", "AGE_BAND", ...

// A code list (data/codes): codes in the list's order with their names.
struct CodeNames {
  std::vector<std::pair<std::string, std::string>> codes;
};
// The JSON of a data/codes file ({"codes": [{"code", "name", ...}]}).
absl::StatusOr<CodeNames> ParseCodeNames(std::string_view json_text, std::string_view source);

// What the tallies need besides the members.
struct MemberTallyRules {
  absl::CivilDay day;
  std::vector<Band> age_bands;
  std::vector<Band> party_age_bands;
  CodeNames ethnicities;
  CodeNames religions;
};

// The table of one dimension: a row for every value the dimension knows (zeros
// included; codes in the list's order), then UNSPECIFIED when anyone has no
// known value. The rows sum to members.size().
StatisticsTable TallyMembers(MemberDimension dimension, const std::vector<CountedMember>& members,
                             const MemberTallyRules& rules);

// ---- organizations ---------------------------------------------------------------------------

// An organization that exists on the day, with its facts then.
struct CountedOrganization {
  std::string type_code;
  std::string sector_code;
  bool is_cell = false;
  bool elected_committee = false;  // a committee term in force on the day elected a committee
};

// TYPE and SECTOR (rows by code, in code order; labelled by the code), and
// CELL_COMMITTEE (cells with and without an elected committee).
std::vector<StatisticsTable> TallyOrganizations(const std::vector<CountedOrganization>& organizations);

// ---- movements -----------------------------------------------------------------------------

struct MovementCounts {
  int64_t admitted = 0;
  int64_t transferred_in = 0;
  int64_t transferred_out = 0;
  int64_t removed = 0;
  int64_t left = 0;
  int64_t expelled = 0;
  int64_t deceased = 0;
};

// INCREASES (ADMITTED, TRANSFERRED_IN) and DECREASES (TRANSFERRED_OUT,
// REMOVED, LEFT, EXPELLED, DECEASED).
std::vector<StatisticsTable> MovementTables(const MovementCounts& counts);

}  // namespace grassroots::reporting::domain
