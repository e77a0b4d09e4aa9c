#include "services/membership/handlers/policy.h"

#include <string>

#include "common/feed/feed.h"

namespace grassroots::membership {
namespace {

using common::auth::Role;

std::string M(const char* service, const char* method) {
  return std::string("/grassroots.membership.v1.") + service + "/" + method;
}

}  // namespace

common::auth::MethodPolicy MakeMembershipMethodPolicy() {
  common::auth::MethodPolicy p;
  // Who may read member records (in scope; sensitive fields only for admin
  // and service, decided per record by the handlers).
  const auto kReaders = {Role::kAdmin, Role::kInspector, Role::kSecretary, Role::kService};
  const auto kAdmin = {Role::kAdmin};

  // ---- MemberService ----
  const char* kMembers = "MemberService";
  for (const char* m : {"CreateMember", "UpdateMember", "IssuePartyCard", "ListPartyCards"}) {
    p.Allow(M(kMembers, m), kAdmin);
  }
  // LookupMember by citizen ID is further limited to admin and service in the handler.
  for (const char* m : {"GetMember", "SearchMembers", "LookupMember", "ListMemberAlerts"}) {
    p.Allow(M(kMembers, m), kReaders);
  }
  // Counts are aggregates, not personal records: the portal may read them too.
  p.Allow(M(kMembers, "CountMembers"),
          {Role::kAdmin, Role::kInspector, Role::kSecretary, Role::kPortal, Role::kService});
  p.Allow(M(kMembers, "GetMyRecord"), {Role::kMember});
  // The data subject's rights: a member exports and asks about their own record only.
  for (const char* m : {"ExportMyData", "RequestCorrection", "ListMyCorrectionRequests"}) {
    p.Allow(M(kMembers, m), {Role::kMember});
  }
  // Officials of the member's scope see the requests; answering applies the
  // change as UpdateMember does, so it needs UpdateMember's role.
  p.Allow(M(kMembers, "ListCorrectionRequests"), {Role::kAdmin, Role::kSecretary});
  p.Allow(M(kMembers, "AnswerCorrectionRequest"), kAdmin);

  // ---- LifecycleService: the organization board records the lifecycle ----
  const char* kLifecycle = "LifecycleService";
  for (const char* m : {"RecordAwarenessClass", "RecordDossierCompleted", "RecordCellAdmissionVote",
                        "DecideAdmission", "RecordAdmissionCeremony", "RecognizeOfficial", "AbandonAdmission",
                        "StartTransfer", "CompleteTransfer", "EndTemporaryTransfer", "ExemptMember", "EndExemption",
                        "SuspendMember", "EndSuspension", "EndMembership", "VoidEvent"}) {
    p.Allow(M(kLifecycle, m), kAdmin);
  }
  // Expulsion arrives from the inspection service's discipline decisions.
  p.Allow(M(kLifecycle, "ExpelMember"), {Role::kAdmin, Role::kService});
  // ... and so does its undoing, when an appeal annuls the expulsion.
  p.Allow(M(kLifecycle, "ReinstateMember"), {Role::kAdmin, Role::kService});
  p.Allow(M(kLifecycle, "ListMemberEvents"), kReaders);

  // ---- YearlyRecordService ----
  const char* kYearly = "YearlyRecordService";
  for (const char* m : {"RateMember", "RecordResidenceFeedback", "RecordTraining"}) {
    p.Allow(M(kYearly, m), {Role::kAdmin, Role::kSecretary});
  }
  // A member registers their own commitment (the handler limits them to it).
  p.Allow(M(kYearly, "RecordCommitment"), {Role::kAdmin, Role::kSecretary, Role::kMember});
  for (const char* m : {"RegisterResidence", "ListForScreening", "RecordScreeningOutcome"}) {
    p.Allow(M(kYearly, m), kAdmin);
  }
  for (const char* m : {"GetRatingQuota", "ListYearlyRecords"}) {
    p.Allow(M(kYearly, m), {Role::kAdmin, Role::kInspector, Role::kSecretary, Role::kMember, Role::kService});
  }

  // ---- MemberImportService ----
  p.Allow(M("MemberImportService", "ImportMembers"), kAdmin);

  // ---- DuesService: the cell's treasurer (its secretary or committee) keeps
  // the ledger; the inspection commission inspects it; a member reads their own ----
  const char* kDues = "DuesService";
  for (const char* m :
       {"RecordDuesBase", "GrantDuesRelief", "RecordDuesPayment", "RecordCellCollection", "CorrectDuesEntry",
        "ImportPortalPayments", "RecordDuesRemittance"}) {
    p.Allow(M(kDues, m), {Role::kAdmin, Role::kSecretary});
  }
  for (const char* m : {"ListDuesBases", "GetDuesLedger"}) {
    p.Allow(M(kDues, m), {Role::kAdmin, Role::kInspector, Role::kSecretary, Role::kMember});
  }
  for (const char* m : {"GetCollectionSheet", "ExportCollectionSheet", "GetDuesReconciliation"}) {
    p.Allow(M(kDues, m), {Role::kAdmin, Role::kInspector, Role::kSecretary});
  }
  for (const char* m : {"SetWageRegion", "OpenDuesLedger"}) p.Allow(M(kDues, m), kAdmin);

  // ---- MemberSyncService: a member's own offline copy ----
  p.Allow(M("MemberSyncService", "SyncMyRecord"), {Role::kMember});

  common::feed::AllowFeedMethods(p);
  return p;
}

}  // namespace grassroots::membership
