// The inspection service's feed in the read model (read_model.h).
#include <optional>
#include <string>

#include <cppconn/prepared_statement.h>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/db/sql_dates.h"
#include "grassroots/inspection/v1/inspection.pb.h"
#include "services/reporting/store/read_model.h"
#include "services/reporting/store/read_model_decode.h"

namespace grassroots::reporting {
namespace {

using common::db::Session;
using common::db::SetOptionalDay;
using common::db::SetOptionalInt64;
using internal::ParseChangeName;
using internal::ParseOptionalDate;
using internal::Unpack;
using internal::UpsertStatement;
namespace feedpb = grassroots::feed::v1;
namespace inspectionpb = grassroots::inspection::v1;

constexpr char kProgram[] = "inspection_program";
constexpr char kDisciplineDecision[] = "discipline_decision";

absl::Status ApplyProgram(Session& session, const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const inspectionpb::Program program, Unpack<inspectionpb::Program>(change));
  GR_ASSIGN_OR_RETURN(const std::vector<int64_t> ids, ParseChangeName(change, program.name(), {"programs"}, "program.name"));
  GR_ASSIGN_OR_RETURN(const int64_t org_id,
                      common::api::ParseId(program.organization(), "organizations", "program.organization"));
  GR_RETURN_IF_ERROR(internal::CheckYear(program.year(), "program.year"));
  GR_ASSIGN_OR_RETURN(const absl::CivilDay adopted_on,
                      common::api::ParseDate(program.adopted_on(), "program.adopted_on"));
  sql::PreparedStatement& ps = session.Prepare(
      UpsertStatement("rm_inspection_program", {"program_id", "org_id", "year", "adopted_on", "source_sequence"}));
  ps.setInt64(1, ids[0]);
  ps.setInt64(2, org_id);
  ps.setInt(3, program.year());
  SetOptionalDay(ps, 4, adopted_on);
  ps.setInt64(5, change.sequence());
  ps.executeUpdate();
  return absl::OkStatus();
}

// Re-published when an appeal is resolved (form_in_force): each copy replaces the row.
absl::Status ApplyDisciplineDecision(Session& session, const feedpb::Change& change) {
  GR_ASSIGN_OR_RETURN(const inspectionpb::DisciplineDecision decision,
                      Unpack<inspectionpb::DisciplineDecision>(change));
  GR_ASSIGN_OR_RETURN(const std::vector<int64_t> ids,
                      ParseChangeName(change, decision.name(), {"discipline_decisions"}, "decision.name"));
  std::optional<int64_t> member_id;
  std::optional<int64_t> org_id;
  switch (decision.subject().target_case()) {
    case inspectionpb::Subject::kMember: {
      GR_ASSIGN_OR_RETURN(member_id, common::api::ParseId(decision.subject().member(), "members",
                                                          "decision.subject.member"));
      break;
    }
    case inspectionpb::Subject::kOrganization: {
      GR_ASSIGN_OR_RETURN(org_id, common::api::ParseId(decision.subject().organization(), "organizations",
                                                       "decision.subject.organization"));
      break;
    }
    case inspectionpb::Subject::TARGET_NOT_SET:
      return common::InvalidField("decision.subject", "names neither a member nor an organization");
  }
  GR_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> effective_date,
                      ParseOptionalDate(decision.effective_date(), "decision.effective_date"));
  const inspectionpb::ViolationCategory category = decision.violation().category();
  const std::string violation_kind = category == inspectionpb::VIOLATION_CATEGORY_UNSPECIFIED
                                         ? std::string()
                                         : inspectionpb::ViolationCategory_Name(category);
  sql::PreparedStatement& ps = session.Prepare(
      UpsertStatement("rm_discipline_decision", {"decision_id", "member_id", "org_id", "form", "form_in_force",
                                                 "violation_kind", "effective_date", "source_sequence"}));
  ps.setInt64(1, ids[0]);
  SetOptionalInt64(ps, 2, member_id);
  SetOptionalInt64(ps, 3, org_id);
  ps.setString(4, inspectionpb::DisciplineForm_Name(decision.form()));
  ps.setString(5, inspectionpb::DisciplineForm_Name(decision.form_in_force()));
  ps.setString(6, violation_kind);
  SetOptionalDay(ps, 7, effective_date);
  ps.setInt64(8, change.sequence());
  ps.executeUpdate();
  return absl::OkStatus();
}

absl::Status ApplyInspectionChange(Session& session, const feedpb::Change& change) {
  const std::string& type = change.resource_type();
  if (type == kProgram) return ApplyProgram(session, change);
  if (type == kDisciplineDecision) return ApplyDisciplineDecision(session, change);
  return common::InvalidField("resource_type", absl::StrCat(type, " is not kept by the reporting read model"));
}

}  // namespace

common::feed::FeedConsumer InspectionFeedConsumer() {
  common::feed::FeedConsumer consumer;
  consumer.resource_types = {kProgram, kDisciplineDecision};
  consumer.apply = &ApplyInspectionChange;
  consumer.reset = [](Session& session) -> absl::Status {
    internal::DeleteAll(session, {"rm_inspection_program", "rm_discipline_decision"});
    return absl::OkStatus();
  };
  return consumer;
}

}  // namespace grassroots::reporting
