#include "services/org/handlers/policy.h"

#include <string>

#include "common/feed/feed.h"

namespace grassroots::org {
namespace {

using common::auth::Role;

std::string M(const char* service, const char* method) {
  return std::string("/grassroots.org.v1.") + service + "/" + method;
}

}  // namespace

common::auth::MethodPolicy MakeOrgMethodPolicy() {
  common::auth::MethodPolicy p;
  // Who may read the structure: everyone who works in the tree. Reads are still
  // limited to the caller's scope subtree by the handlers.
  const auto kTreeReaders = {Role::kAdmin, Role::kInspector, Role::kSecretary, Role::kService};
  const auto kWriters = {Role::kAdmin};

  // ---- OrganizationService ----
  const char* kOrg = "OrganizationService";
  for (const char* m : {"CreateOrganization", "UpdateOrganization", "RenameOrganization", "MoveOrganization",
                        "MergeOrganizations", "SplitOrganization", "HandOverOrganization",
                        "ChangeOrganizationSector", "ChangeCommuneMilitaryCell", "AdoptWorkingRegulation"}) {
    p.Allow(M(kOrg, m), kWriters);
  }
  // A dissolution (giải tán) also arrives from the inspection service's discipline decisions.
  p.Allow(M(kOrg, "DissolveOrganization"), {Role::kAdmin, Role::kService});
  // Aggregate-level organization facts are not personal data: the portal and a
  // member's app may read them (a member only inside their own scope).
  for (const char* m : {"GetOrganization", "ListOrganizations"}) {
    p.Allow(M(kOrg, m), {Role::kAdmin, Role::kInspector, Role::kSecretary, Role::kMember, Role::kPortal,
                         Role::kService});
  }
  for (const char* m : {"ListAncestors", "GetSubtree", "ListOrganizationEvents", "ListWorkingRegulations"}) {
    p.Allow(M(kOrg, m), kTreeReaders);
  }
  for (const char* m : {"ListOrganizationTypes", "ListSectors", "ListRules"}) {
    p.Allow(M(kOrg, m), {Role::kAdmin, Role::kInspector, Role::kSecretary, Role::kMember, Role::kPortal,
                         Role::kService});
  }

  // ---- CommitteeService ----
  const char* kCommittee = "CommitteeService";
  for (const char* m : {"CreateCommitteeTerm", "EndCommitteeTerm", "AssignPosition"}) {
    p.Allow(M(kCommittee, m), kWriters);
  }
  // A dismissal (cách chức) from the inspection service's discipline decisions ends a post.
  p.Allow(M(kCommittee, "EndPosition"), {Role::kAdmin, Role::kService});
  for (const char* m : {"GetCommitteeTerm", "ListCommitteeTerms", "ListPositions", "CheckOrganizationRules"}) {
    p.Allow(M(kCommittee, m), kTreeReaders);
  }

  // ---- ResidentialUnitService ----
  const char* kUnits = "ResidentialUnitService";
  for (const char* m : {"CreateResidentialUnit", "UpdateResidentialUnit", "AssignCoveringCell", "EndCoveringCell",
                        "AssignUnitHead", "EndUnitHead", "RecordHeadTraining"}) {
    p.Allow(M(kUnits, m), kWriters);
  }
  for (const char* m : {"GetResidentialUnit", "ListResidentialUnits", "ListCoveringPeriods", "ListUnitHeads",
                        "ListHeadTrainings"}) {
    p.Allow(M(kUnits, m), kTreeReaders);
  }

  // ---- MeetingService: secretaries run their own cells' meetings; members see their cell's ----
  const char* kMeetings = "MeetingService";
  for (const char* m : {"CreateMeeting", "UpdateMeeting"}) {
    p.Allow(M(kMeetings, m), {Role::kAdmin, Role::kSecretary});
  }
  for (const char* m : {"GetMeeting", "ListMeetings"}) {
    p.Allow(M(kMeetings, m), {Role::kAdmin, Role::kInspector, Role::kSecretary, Role::kMember, Role::kService});
  }
  p.Allow(M(kMeetings, "ListCellsMissingThematicMeeting"), kTreeReaders);

  // ---- RecognitionService: secretaries rate within their subtree ----
  const char* kRecognition = "RecognitionService";
  for (const char* m : {"RecordNewModel", "RecordFourGoodDesignation"}) p.Allow(M(kRecognition, m), kWriters);
  p.Allow(M(kRecognition, "RateOrganization"), {Role::kAdmin, Role::kSecretary});
  for (const char* m : {"ListNewModels", "ListFourGoodDesignations", "ListOrganizationRatings"}) {
    p.Allow(M(kRecognition, m), kTreeReaders);
  }

  common::feed::AllowFeedMethods(p);
  return p;
}

}  // namespace grassroots::org
