#pragma once
// A member record as the domain sees it. No I/O here. The enums are the API's
// (generated from grassroots/membership/v1/*.proto): they are the vocabulary.
#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "grassroots/membership/v1/member.pb.h"

namespace grassroots::membership::domain {

namespace v1 = ::grassroots::membership::v1;

// The legal decision behind a change.
struct Decision {
  std::string issuing_body;
  std::string number;
  std::optional<absl::CivilDay> signed_on;
  bool empty() const { return issuing_body.empty() && number.empty() && !signed_on; }
};

// Personal attributes (what UpdateMember may change).
struct Profile {
  std::string full_name;
  std::string birth_name;
  v1::Sex sex = v1::SEX_UNSPECIFIED;
  absl::CivilDay birth_date;
  std::string birth_place;
  std::string home_town;
  v1::OccupationCategory occupation_category = v1::OCCUPATION_CATEGORY_UNSPECIFIED;
  std::string occupation;
  v1::GeneralEducation general_education = v1::GENERAL_EDUCATION_UNSPECIFIED;
  std::string professional_qualification;
  v1::ProfessionalQualificationLevel professional_qualification_level =
      v1::PROFESSIONAL_QUALIFICATION_LEVEL_UNSPECIFIED;
  v1::PoliticalTheoryLevel political_theory_level = v1::POLITICAL_THEORY_LEVEL_UNSPECIFIED;
  std::string permanent_address;
  std::string current_address;
  std::string phone;
  std::string email;
  std::optional<std::string> external_id;
};

// Sensitive attributes: never logged, returned only to roles that need them.
struct SensitiveFields {
  std::string citizen_id;  // "" when unknown
  std::string ethnicity;  // a code of CodeLists::ethnicity, "" when not recorded
  std::string religion;   // a code of CodeLists::religion, "" when not recorded
};

// The state derived from the event log (see lifecycle.h).
struct MemberState {
  v1::MemberStatus status = v1::MEMBER_STATUS_UNSPECIFIED;
  int64_t cell_id = 0;
  std::optional<int64_t> host_cell_id;  // temporary transfer in force (presented)
  // "To be placed": the member's cell ended with no successor named (this is
  // that cell; cell_id is then 0) until an official transfer places them.
  std::optional<int64_t> awaiting_placement_from;
  bool exempt = false;
  bool suspended = false;
  // A transfer introduced and not yet presented; its details:
  bool transfer_pending = false;
  v1::TransferKind pending_transfer_kind = v1::TRANSFER_KIND_UNSPECIFIED;
  std::optional<int64_t> pending_destination_cell_id;  // nullopt: outside the tree
  std::optional<absl::CivilDay> pending_introduced_on;
  std::optional<absl::CivilDay> temporary_planned_end;
  absl::CivilDay status_since;
  std::optional<absl::CivilDay> awareness_certificate_valid_until;
  bool dossier_completed = false;
  bool cell_vote_passed = false;
  std::optional<absl::CivilDay> admission_decision_date;
  std::optional<absl::CivilDay> admission_ceremony_date;
  std::optional<absl::CivilDay> probation_end_date;
  std::optional<absl::CivilDay> official_date;
  // Effective date of the latest event in force: a new event may not be earlier.
  absl::CivilDay last_event_date;
  // The id of the latest event in force (what VoidEvent may void), 0 if none.
  int64_t last_event_id = 0;
  bool IsCounted() const {
    return status == v1::MEMBER_STATUS_PROBATIONARY || status == v1::MEMBER_STATUS_OFFICIAL;
  }
  bool IsTerminal() const;
};

struct MemberRecord {
  int64_t id = 0;
  Profile profile;
  SensitiveFields sensitive;
  std::optional<std::string> party_card_number;
  MemberState state;
  int64_t version = 0;  // etag source
  absl::Time create_time;
  absl::Time update_time;
};

}  // namespace grassroots::membership::domain
