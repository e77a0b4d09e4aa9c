#pragma once
// Petitions the inspection commission receives: denunciations (tố cáo),
// complaints about discipline (khiếu nại), feedback from the Fatherland Front,
// mass organizations and citizens (góp ý, phản ánh). Their deadlines, the
// handling workflow, and the separate track of anonymous denunciations. No I/O.
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/calendar/working_calendar.h"
#include "common/rules/rules_registry.h"
#include "services/inspection/domain/deadlines.h"

namespace grassroots::inspection::domain {

enum class PetitionKind {
  kDenunciation,  // tố cáo
  kComplaint,     // khiếu nại kỷ luật đảng
  kFeedback,      // góp ý, phản ánh
};
std::string_view PetitionKindName(PetitionKind kind);

// How a petition is handled. An anonymous denunciation (giấu tên, mạo tên, no
// address) is recorded but not resolved as a denunciation and gets no answer:
// when its content is specific it is a source for inspection or supervision
// (rule inspection.petition.anonymous_denunciation).
enum class PetitionTrack {
  kDenunciation,
  kAnonymousDenunciation,
  kComplaint,
  kFeedback,
};
std::string_view PetitionTrackName(PetitionTrack track);
PetitionTrack TrackOf(PetitionKind kind, bool anonymous);

enum class PetitionState {
  kReceived,
  kAssigned,
  kInProgress,
  kAnswered,
  kClosedWithoutAnswer,  // anonymous denunciation, withdrawn, or forwarded to the competent body
};
std::string_view PetitionStateName(PetitionState state);

struct PetitionDeadlines {
  // Classify and assign (thụ lý / chuyển) by this day; nullopt: no rule in force.
  std::optional<Deadline> assign_by;
  // Resolve and answer the filer by this day; nullopt for an anonymous
  // denunciation (no answer) or when no rule is in force.
  std::optional<Deadline> answer_by;
};

// From the rules in force on `received_on`:
//  assign_by:  inspection.petition.assign_working_days (every track)
//  answer_by:  DENUNCIATION  inspection.denunciation.resolution_days by level
//              COMPLAINT     inspection.appeal.resolution_working_days by level
//              FEEDBACK      inspection.feedback.answer_days
// No party-wide source was found for assign_working_days or feedback.answer_days,
// so the rules file has no version of them yet: those deadlines are nullopt
// until a committee adds its own rule (a duration: {"days"|"working_days"|"months": n}).
absl::StatusOr<PetitionDeadlines> PetitionDeadlinesFor(PetitionTrack track, absl::CivilDay received_on,
                                                       ResolvingLevel level, const common::RulesRegistry& rules,
                                                       const common::WorkingCalendar& calendar);

struct PetitionProgress {
  PetitionTrack track = PetitionTrack::kDenunciation;
  bool withdrawn = false;   // the filer withdrew it
  bool forwarded = false;   // not within this body's competence: sent on to the competent body
  bool has_outcome = false;  // the resolution or answer text is recorded
  bool has_handler = false;  // a handler (commission member or team) is assigned
};

// Workflow RECEIVED → ASSIGNED → IN_PROGRESS → ANSWERED, and
// CLOSED_WITHOUT_ANSWER from any open state.
//  ILLEGAL_TRANSITION               not a step of the workflow (rule inspection.petition.workflow)
//  HANDLER_MISSING                  → ASSIGNED without a handler
//  OUTCOME_MISSING                  → ANSWERED without the outcome
//  ANONYMOUS_NOT_ANSWERED           → ANSWERED on the anonymous track from any open state
//                                   (inspection.petition.anonymous_denunciation)
//  CLOSE_WITHOUT_ANSWER_NOT_ALLOWED → CLOSED_WITHOUT_ANSWER for a petition that is not anonymous,
//                                   withdrawn or forwarded
absl::Status CheckPetitionTransition(PetitionState from, PetitionState to, const PetitionProgress& progress,
                                     absl::CivilDay on, const common::RulesRegistry& rules);

// Whether an anonymous denunciation may be used as a source for inspection or
// supervision: its content is specific (names the subject and the facts).
bool UsableAsInspectionSource(PetitionTrack track, bool content_specific);

}  // namespace grassroots::inspection::domain
