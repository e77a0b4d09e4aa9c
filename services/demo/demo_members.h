#pragma once
// The demo committee's party members as data: about 3,500 invented people in
// the cells of the demo plan (demo_plan.h), opened by a spreadsheet import as
// of 1 January 2020, and their history to the end of 2025 — admissions
// through the whole pipeline, recognitions, transfers, exemptions, removals,
// deaths, yearly ratings, QĐ 213 residence liaison, commitments and trainings.
// Built from a fixed seed: the same plan every time. No I/O here;
// demo_members_loader sends it through the membership API.
#include <cstdint>
#include <string>
#include <vector>

#include "grassroots/membership/v1/member.pb.h"
#include "grassroots/membership/v1/lifecycle.pb.h"
#include "grassroots/membership/v1/yearly_records.pb.h"
#include "services/demo/demo_plan.h"

namespace grassroots::demo {

namespace mv1 = ::grassroots::membership::v1;

// The import's "as of" day, and the last day the history reaches.
inline constexpr char kMembersImportDate[] = "2020-01-01";
inline constexpr char kMembersHistoryEnd[] = "2025-12-31";

struct Person {
  std::string external_id;  // "BN-000001" (imported), "BN-K2021-0007" (admitted through the pipeline)
  std::string full_name;
  mv1::Sex sex = mv1::SEX_UNSPECIFIED;
  std::string birth_date;
  std::string birth_place;
  std::string home_town;
  std::string ethnicity;       // as written on the forms ("Tày"): the import CSV maps it to its code
  std::string ethnicity_code;  // data/codes/ethnicity.json: what the API takes
  std::string religion;        // empty: none
  std::string religion_code;   // data/codes/religion.json ("00" none)
  std::string citizen_id;   // agrees with birth date and sex
  mv1::OccupationCategory category = mv1::OCCUPATION_CATEGORY_UNSPECIFIED;
  std::string occupation;
  mv1::GeneralEducation education = mv1::GENERAL_EDUCATION_UNSPECIFIED;
  std::string qualification;
  mv1::PoliticalTheoryLevel theory = mv1::POLITICAL_THEORY_LEVEL_UNSPECIFIED;
  std::string permanent_address;
  std::string current_address;
  std::string phone;
  std::string email;
  std::string home_unit_code;  // the residential unit the person lives in
};

// One call of a member's history. Which fields apply depends on the kind.
enum class ActionKind {
  // admission pipeline
  kAwarenessClass,   // text: certificate number; decision: the certificate's issuer
  kDossierCompleted,
  kCellVote,         // in_favour / eligible; text: resolution number
  kDecideAdmission,  // decision
  kCeremony,
  kRecognize,        // in_favour / eligible; decision (signed after probation ends)
  kAbandon,          // text: reason
  // transfers
  kStartTransfer,    // number: TransferKind; cell_code: destination (empty: outside, text names it);
                     // end_date: planned end (temporary); text2: reason; decision
  kCompleteTransfer,
  kEndTemporary,
  // exemption and ends
  kExempt,           // text: reason code; decision
  kRemove,           // number: RemovalTrigger; decision
  kLeave,            // decision
  kDecease,          // decision (optional)
  // yearly records
  kRegisterResidence,  // cell_code: residence cell (empty with number = exemption); text: address;
                       // text2: exemption reason; end_date: letter issued on
  kResidenceFeedback,  // year; number: FeedbackAssessment; text: opinion; text2: signed by
  kCommitment,         // year; text: content
  kRating,             // year; score; cell_code: the cell rated in; decision
  kTraining,           // text: course; text2: kind; end_date; certificate; provider
};

struct Action {
  ActionKind kind = ActionKind::kDossierCompleted;
  std::string date;       // the event's effective date, or the record's own date
  Decision decision;
  std::string text;
  std::string text2;
  std::string cell_code;
  std::string end_date;
  std::string certificate;
  std::string provider;
  int number = 0;
  int year = 0;
  int in_favour = 0;
  int eligible = 0;
  double score = 0;
  bool IsLifecycle() const { return kind < ActionKind::kRegisterResidence; }
};

struct PlannedMember {
  Person person;
  bool imported = false;
  std::string cell_code;    // the first cell: the imported row's, or where the prospect was introduced
  // Imported (an existing member on kMembersImportDate):
  mv1::MemberStatus status = mv1::MEMBER_STATUS_UNSPECIFIED;
  std::string decision_date;
  std::string ceremony_date;
  std::string official_date;
  std::string joined_cell_on;
  std::string party_card_number;
  // Prospect (introduced by a mass organization):
  std::string introduced_by;
  std::string introduced_on;
  std::vector<Action> actions;  // in the order they must be sent
};

struct MembersPlan {
  std::vector<PlannedMember> members;  // the imported first (external-id order), then the prospects
  // The member whose 2025 rating is sent last of all: its presence tells a
  // finished load (see demo_members_loader.h).
  size_t marker_member = 0;
  size_t marker_action = 0;
};

MembersPlan BuildMembersPlan(const Plan& org_plan);

// The import file of the imported members in [begin, end): Vietnamese headers
// and values as a committee's spreadsheet has them (docs/member-import.md).
std::string ImportCsv(const MembersPlan& plan, size_t begin, size_t end);

struct MembersCounts {
  int members = 0;
  int imported = 0;
  int prospects = 0;
  int admitted = 0;          // prospects who reached the ceremony
  int abandoned = 0;
  int recognized = 0;
  int transfers = 0;         // started
  int transfers_out = 0;     // official, outside the tree
  int exempted = 0;
  int removed = 0;
  int left = 0;
  int deceased = 0;
  int ratings = 0;
  int registrations = 0;
  int feedback = 0;
  int commitments = 0;
  int trainings = 0;
  int calls = 0;             // every create and action
  std::vector<std::pair<int, int>> admissions_by_year;  // decision year -> admissions
};
MembersCounts CountMembers(const MembersPlan& plan);

}  // namespace grassroots::demo
