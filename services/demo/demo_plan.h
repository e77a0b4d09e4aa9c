#pragma once
// The demo committee as data: a fictional province "Lâm Viên" with one district
// committee shaped like a Lâm Đồng district before 2025 (about 60 grassroots
// organizations, 250 cells, 150 villages), its activity records for 2020-2025
// and the restructuring of 1 July 2025 (district ended, communes merged into
// commune-level committees directly under the province). Every name is
// invented. Built from a fixed seed: the same plan every time. No I/O here;
// demo_loader sends it through the API.
#include <cstdint>
#include <string>
#include <vector>

namespace grassroots::demo {

inline constexpr char kRootCode[] = "DEMO-LV";
inline constexpr char kDistrictCode[] = "DEMO-LV.BN";
inline constexpr char kRestructuringDate[] = "2025-07-01";

struct Decision {
  std::string issuing_body;
  std::string number;
  std::string signed_on;
};

struct Org {
  std::string code;
  std::string display_name;
  std::string type;          // org type code (V0002 reference data)
  std::string sector;        // sector code, may be empty
  std::string parent_code;   // empty for the root
  std::string established_on;
  Decision decision;
  int members = 0;           // notional size: decides committees, meeting attendance, ratings
  // Last day (exclusive) the organization is sure to sit in this tree before
  // restructuring touches it; empty when it stays. Activity is planned before it.
  std::string active_until;
  bool commune_military_cell = false;  // the commune's military cell (a recorded fact)
};

struct ResidentialUnit {
  std::string code;
  std::string display_name;
  int kind = 1;              // grassroots.org.v1.ResidentialUnitKind: 1 village, 2 residential group
  std::string commune_code;
  std::string covering_cell_code;  // empty: no cell covers it
  // The heads since the unit's founding: not party members (a member head is named by a
  // member id, which exists only once the members are loaded; see demo_facts.h).
  std::string head_name;
  std::string front_head_name;
  // Their successors (demo_facts.h): the head elected in 2022 and, for some units, the front
  // work committee head chosen in 2024. A successor who is a member is one of the demo's
  // members living in the unit; the names below are for successors who are not.
  bool head_is_member = false;
  bool front_head_is_member = false;
  std::string elected_head_name;
  std::string front_successor_name;
  std::string established_on;
  int households = 0;
};

struct Regulation {
  std::string org_code;
  int version = 1;
  std::string adopted_on;
  std::string title;
  Decision decision;
};

struct CommitteeTerm {
  std::string org_code;
  std::string label;
  std::string starts_on;
  std::string ends_on;       // exclusive; empty while open
  bool elected_committee = false;
  int seats = 0;
  Decision decision;
};

struct Meeting {
  std::string org_code;
  int kind = 1;              // grassroots.org.v1.MeetingKind
  int mode = 1;              // grassroots.org.v1.MeetingMode
  std::string online_reason;
  std::string topic;
  std::string date;          // local day, YYYY-MM-DD
  int start_hour = 8;        // local hour (UTC+7)
  int duration_minutes = 120;
  int invited = 0;
  int present = 0;
  int excused = 0;
  std::string request_key;   // unique per meeting, for the request id
};

struct NewModel {
  std::string org_code;
  int year = 0;
  std::string title;
  std::string description;
  Decision recognition;
};

struct FourGood {
  std::string org_code;
  int year = 0;
  int kind = 1;              // grassroots.org.v1.FourGoodKind
  Decision decision;
};

struct Rating {
  std::string org_code;
  int year = 0;
  double score = 0;
  bool disqualified = false;
  std::string disqualification_reason;
  Decision decision;
};

enum class StepKind { kHandOver, kMerge, kMove, kDissolve };

struct RestructuringStep {
  StepKind kind = StepKind::kMove;
  std::vector<std::string> source_codes;  // merge: several; others: one
  std::string target_code;                // new parent / merge target / receiving committee; empty for dissolve
  std::string effective_date;
  Decision decision;
};

struct Plan {
  std::vector<Org> organizations;          // parents before children; all exist before 2025
  std::vector<ResidentialUnit> units;
  std::vector<Regulation> regulations;
  std::vector<CommitteeTerm> terms;
  std::vector<Meeting> meetings;
  std::vector<NewModel> new_models;
  std::vector<FourGood> four_good;
  std::vector<Rating> ratings;
  std::vector<Org> new_organizations;      // created by the 2025 restructuring
  std::vector<RestructuringStep> restructuring;  // in order
  // Activity of the new organizations, recorded after restructuring.
  std::vector<Regulation> new_regulations;
  std::vector<CommitteeTerm> new_terms;
};

Plan BuildPlan();

// Counts the loader and tests report (over `organizations`, before restructuring).
struct PlanCounts {
  int grassroots = 0;        // DANG_BO_CO_SO + CHI_BO_CO_SO
  int cells = 0;             // CHI_BO_CO_SO + CHI_BO_TRUC_THUOC
  int party_groups = 0;      // TO_DANG
  int units = 0;
  int uncovered_units = 0;
  int organizations = 0;
};
PlanCounts Count(const Plan& plan);

bool IsCellType(const std::string& type);
bool IsGrassrootsType(const std::string& type);

}  // namespace grassroots::demo
