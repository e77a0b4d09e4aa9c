#pragma once
// The demo committee's inspection and supervision work 2020-2025 as data: the yearly
// programs of the organizations that must have one (a few left without, so S12 has
// gaps to find), a few dozen cases of the commune committees in every status, some
// discipline decisions (one expulsion, appealed and upheld) and petitions (feedback
// from the Fatherland Front and citizens, a denunciation, an anonymous one).
// Built from the org, members and facts plans without randomness of its own: the
// same caseload every time. No I/O here; demo_inspection_loader sends it.
#include <string>
#include <vector>

#include "grassroots/inspection/v1/inspection.pb.h"
#include "services/demo/demo_facts.h"
#include "services/demo/demo_members.h"
#include "services/demo/demo_plan.h"

namespace grassroots::demo {

namespace iv1 = ::grassroots::inspection::v1;

inline constexpr int kInspectionFirstYear = 2020;
inline constexpr int kInspectionLastYear = 2025;

// A demo member, found in membership by citizen ID (external ids are the import's own key).
struct MemberRef {
  std::string external_id;
  std::string citizen_id;
  bool empty() const { return citizen_id.empty(); }
};

struct PlannedProgramItem {
  std::string topic;
  iv1::CaseKind kind = iv1::CASE_KIND_UNSPECIFIED;
  iv1::CaseBasis basis = iv1::CASE_BASIS_UNSPECIFIED;
  int quarter = 1;
  iv1::Conductor lead = iv1::CONDUCTOR_COMMITTEE;
};

struct PlannedProgram {
  std::string org_code;
  int year = 0;
  std::string adopted_on;
  Decision decision;
  std::vector<PlannedProgramItem> items;
};

struct PlannedRecommendation {
  std::string text;
  std::string responsible_code;  // the organization that must act on it
  std::string deadline;
  // OPEN: still open at the end of the demo; DONE or DROPPED on `settled_on`.
  iv1::RecommendationStatus outcome = iv1::RECOMMENDATION_STATUS_OPEN;
  std::string settled_on;
  std::string note;
};

struct PlannedFinance {
  int64_t dues_due = 0;
  int64_t dues_collected = 0;
  int64_t dues_remitted = 0;
  int64_t remittance_shortfall = 0;
  int late_payers = 0;
  std::string notes;
};

struct PlannedCase {
  std::string key;  // stable, for request ids: "case-2021-03"
  std::string org_code;
  iv1::Conductor conductor = iv1::CONDUCTOR_INSPECTION_COMMISSION;
  iv1::CaseKind kind = iv1::CASE_KIND_INSPECTION;
  iv1::CaseBasis basis = iv1::CASE_BASIS_REGULAR;
  std::string subject_org_code;  // one of these two
  MemberRef subject_member;
  std::string topic;
  Decision opening;  // its number is unique in the demo: loads find a case by it
  std::string period_start;
  std::string period_end;
  int program_item = -1;  // index of the item it carries out in its organization's program for the year
  iv1::CaseStatus final_status = iv1::CASE_STATUS_CLOSED;
  std::string started_on;
  std::string concluded_on;
  std::string findings;
  std::string conclusion;
  bool finance = false;
  PlannedFinance finance_findings;
  std::vector<PlannedRecommendation> recommendations;
  std::string closed_on;
  std::string cancel_reason;
};

struct PlannedAppeal {
  std::string decision_received_on;
  std::string filed_on;
  std::string resolving_code;
  iv1::Conductor resolving_body = iv1::CONDUCTOR_INSPECTION_COMMISSION;
  iv1::AppealOutcome outcome = iv1::APPEAL_OUTCOME_UPHELD;
  iv1::DisciplineForm new_form = iv1::DISCIPLINE_FORM_UNSPECIFIED;  // for CHANGED
  std::string resolved_on;
  Decision resolution;
};

struct PlannedDiscipline {
  std::string key;
  std::string org_code;
  iv1::Conductor deciding_body = iv1::CONDUCTOR_INSPECTION_COMMISSION;
  MemberRef member;
  iv1::DisciplineForm form = iv1::DISCIPLINE_FORM_REPRIMAND;
  Decision decision;  // its number is unique in the demo
  std::string violation;
  std::string violation_started_on;
  std::string violation_ended_on;
  std::string case_key;  // the case that led to it, if any
  bool appealed = false;
  PlannedAppeal appeal;
};

struct PlannedPetition {
  std::string key;
  iv1::PetitionKind kind = iv1::PETITION_KIND_FEEDBACK;
  iv1::PetitionSource source = iv1::PETITION_SOURCE_CITIZEN;
  std::string org_code;  // whose inspection commission handles it
  std::string about_org_code;
  MemberRef about_member;
  std::string received_on;
  std::string summary;  // unique in the demo: loads find a petition by it
  bool anonymous = false;
  bool content_specific = false;
  // A fictional filer (never on a feed or in a log); empty for an anonymous denunciation.
  std::string filer_name;
  std::string filer_address;
  std::string filer_phone;
  iv1::PetitionStatus final_status = iv1::PETITION_STATUS_ANSWERED;
  MemberRef assignee;
  std::string assigned_on;
  std::string answer_by;  // feedback only: the deadline the commission sets
  std::string answer;
  std::string answered_on;
  std::string close_reason;
  std::string closed_on;
};

struct InspectionPlan {
  std::vector<PlannedProgram> programs;
  std::vector<PlannedCase> cases;
  std::vector<PlannedDiscipline> decisions;  // a decision's case comes earlier in `cases`
  std::vector<PlannedPetition> petitions;
  // (org code, year) of the organizations that must have a program and are left without one.
  std::vector<std::pair<std::string, int>> without_program;
  size_t expulsion = 0;  // index into `decisions`
};

InspectionPlan BuildInspectionPlan(const Plan& plan, const MembersPlan& members, const FactsPlan& facts);

// Whether an organization of the plan must have an inspection program (S12): đảng bộ
// cơ sở, chi bộ cơ sở and chi bộ trực thuộc.
bool MustHaveProgram(const Org& org);

}  // namespace grassroots::demo
