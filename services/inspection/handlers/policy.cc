#include "services/inspection/handlers/policy.h"

#include <string>

#include "common/feed/feed.h"

namespace grassroots::inspection {
namespace {

using common::auth::Role;

std::string M(const char* service, const char* method) {
  return std::string("/grassroots.inspection.v1.") + service + "/" + method;
}

}  // namespace

common::auth::MethodPolicy MakeInspectionMethodPolicy() {
  common::auth::MethodPolicy p;
  // Inspectors write in their scope; admins read in theirs.
  const auto kWriters = {Role::kInspector};
  const auto kReaders = {Role::kInspector, Role::kAdmin};

  const char* kPrograms = "ProgramService";
  for (const char* m : {"CreateProgram", "AddProgramItem", "UpdateProgramItem"}) p.Allow(M(kPrograms, m), kWriters);
  // A committee's program is no secret to the committees of its scope.
  for (const char* m : {"GetProgram", "ListPrograms", "ListOrganizationsWithoutProgram"}) {
    p.Allow(M(kPrograms, m), {Role::kInspector, Role::kAdmin, Role::kSecretary});
  }

  const char* kCases = "CaseService";
  for (const char* m : {"OpenCase", "StartCase", "ConcludeCase", "RecordRecommendationFollowUp", "CloseCase",
                        "CancelCase"}) {
    p.Allow(M(kCases, m), kWriters);
  }
  // A secretary reads the concluded cases about its own organization (checked per case).
  for (const char* m : {"GetCase", "ListCases"}) p.Allow(M(kCases, m), {Role::kInspector, Role::kAdmin, Role::kSecretary});
  p.Allow(M(kCases, "ListOverdueRecommendations"), kReaders);

  const char* kDiscipline = "DisciplineService";
  for (const char* m : {"DecideDiscipline", "FileAppeal", "ResolveAppeal"}) p.Allow(M(kDiscipline, m), kWriters);
  // A member reads its own decisions (checked per decision).
  for (const char* m : {"GetDisciplineDecision", "ListDisciplineDecisions"}) {
    p.Allow(M(kDiscipline, m), {Role::kInspector, Role::kAdmin, Role::kMember});
  }
  p.Allow(M(kDiscipline, "ListAppeals"), kReaders);

  const char* kPetitions = "PetitionService";
  for (const char* m : {"ReceivePetition", "AssignPetition", "AnswerPetition", "ClosePetition", "GetPetitionFiler"}) {
    p.Allow(M(kPetitions, m), kWriters);
  }
  for (const char* m : {"GetPetition", "ListPetitions"}) p.Allow(M(kPetitions, m), kReaders);

  const char* kReport = "InspectionReportService";
  p.Allow(M(kReport, "GetCaseload"), kReaders);
  p.Allow(M(kReport, "CountInspectionWork"), {Role::kInspector, Role::kAdmin, Role::kPortal});

  common::feed::AllowFeedMethods(p);
  return p;
}

}  // namespace grassroots::inspection
