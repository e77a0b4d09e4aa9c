#include "services/reporting/store/warning_store.h"

#include <memory>
#include <vector>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/db/sql_dates.h"
#include "common/db/sql_ids.h"

namespace grassroots::reporting::store {

using common::db::IdArray;
using common::db::kIdSet;

absl::StatusOr<std::map<int64_t, absl::CivilDay>> WarningStore::ProbationEndDates(common::db::Session& session,
                                                                                  const domain::SubtreeFacts& facts) {
  std::map<int64_t, absl::CivilDay> ends;
  std::vector<int64_t> probationary;
  for (const domain::MemberFacts& member : facts.members) {
    if (member.on_d && member.on_d->probationary) probationary.push_back(member.id);
  }
  if (probationary.empty()) return ends;
  // The probation end as last published: a probationary member's end does not
  // change with the day asked (it is the ceremony plus the probation months).
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT member_id, probation_end_date FROM member_fact_projection WHERE probation_end_date IS NOT NULL"
      " AND member_id IN ",
      kIdSet));
  ps.setString(1, IdArray(probationary));
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  while (rs->next()) {
    const std::optional<absl::CivilDay> end = common::db::GetOptionalDay(*rs, "probation_end_date");
    if (end) ends.emplace(rs->getInt64("member_id"), *end);
  }
  return ends;
}

absl::Status WarningStore::ReplaceFeedbackYear(common::db::Session& session, int year, absl::CivilDay recorded_by,
                                               domain::SubtreeFacts& facts) {
  std::vector<int64_t> ids;
  for (domain::MemberFacts& member : facts.members) {
    member.feedback_years.clear();
    ids.push_back(member.id);
  }
  if (ids.empty()) return absl::OkStatus();
  sql::PreparedStatement& ps = session.Prepare(absl::StrCat(
      "SELECT member_id FROM rm_residence_feedback WHERE year = ? AND (given_on IS NULL OR given_on <= ?)"
      " AND member_id IN ",
      kIdSet));
  ps.setInt(1, year);
  ps.setString(2, absl::FormatCivilTime(recorded_by));
  ps.setString(3, IdArray(ids));
  std::unique_ptr<sql::ResultSet> rs(session.Query(ps));
  absl::flat_hash_set<int64_t> with_feedback;
  while (rs->next()) with_feedback.insert(rs->getInt64("member_id"));
  for (domain::MemberFacts& member : facts.members) {
    if (with_feedback.contains(member.id)) member.feedback_years.insert(year);
  }
  return absl::OkStatus();
}

}  // namespace grassroots::reporting::store
