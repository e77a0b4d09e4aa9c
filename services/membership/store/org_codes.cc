#include "services/membership/store/org_codes.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

namespace grassroots::membership::store {

absl::StatusOr<std::optional<int64_t>> FindOrganizationIdByCode(common::db::Session& session,
                                                                const std::string& code) {
  // Codes are unique in the organization service; the lowest id is a stable
  // answer should the projection ever briefly hold two.
  sql::PreparedStatement& ps =
      session.Prepare("SELECT org_id FROM org_projection WHERE code = ? ORDER BY org_id LIMIT 1");
  ps.setString(1, code);
  std::unique_ptr<sql::ResultSet> rs = session.Query(ps);
  if (!rs->next()) return std::optional<int64_t>();
  return std::optional<int64_t>(rs->getInt64("org_id"));
}

}  // namespace grassroots::membership::store
