// The membership method policy: every RPC of every membership service is
// listed (deny by default would otherwise lock it away), with the roles the
// design gives it.
#include "services/membership/handlers/policy.h"

#include <string>

#include <gtest/gtest.h>
#include <google/protobuf/descriptor.h>

#include "grassroots/membership/v1/dues.grpc.pb.h"
#include "grassroots/membership/v1/import.grpc.pb.h"
#include "grassroots/membership/v1/lifecycle.grpc.pb.h"
#include "grassroots/membership/v1/member.grpc.pb.h"
#include "grassroots/membership/v1/sync.grpc.pb.h"
#include "grassroots/membership/v1/yearly_records.grpc.pb.h"

namespace grassroots::membership {
namespace {

using common::auth::Principal;
using common::auth::Role;

Principal With(Role role) {
  Principal p;
  p.subject = "test";
  p.roles = {role};
  p.scope_org_id = 1;
  return p;
}

bool Allowed(const common::auth::MethodPolicy& policy, Role role, const std::string& service,
             const std::string& method) {
  return policy.Check(With(role), "/grassroots.membership.v1." + service + "/" + method).ok();
}

TEST(MembershipPolicyTest, CoversEveryMethodOfEveryMembershipService) {
  const common::auth::MethodPolicy policy = MakeMembershipMethodPolicy();
  // Every service declared in the six membership proto files.
  const google::protobuf::FileDescriptor* files[] = {
      v1::Member::descriptor()->file(), v1::RecordAwarenessClassRequest::descriptor()->file(),
      v1::RegisterResidenceRequest::descriptor()->file(), v1::ImportChunk::descriptor()->file(),
      v1::SyncMyRecordRequest::descriptor()->file(), v1::DuesEntry::descriptor()->file()};
  int methods = 0;
  for (const google::protobuf::FileDescriptor* file : files) {
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = file->service(s);
      for (int i = 0; i < service->method_count(); ++i) {
        const std::string full = "/" + service->full_name() + "/" + service->method(i)->name();
        EXPECT_TRUE(policy.Covers(full)) << full;
        ++methods;
      }
    }
  }
  EXPECT_EQ(methods, 15 + 19 + 9 + 1 + 1 + 14);
  EXPECT_TRUE(policy.Covers("/grassroots.feed.v1.ChangeFeedService/StreamChanges"));
}

TEST(MembershipPolicyTest, MemberServiceRoles) {
  const common::auth::MethodPolicy p = MakeMembershipMethodPolicy();
  for (const char* m : {"CreateMember", "UpdateMember", "IssuePartyCard", "ListPartyCards"}) {
    EXPECT_TRUE(Allowed(p, Role::kAdmin, "MemberService", m)) << m;
    for (Role other : {Role::kInspector, Role::kSecretary, Role::kMember, Role::kPortal, Role::kService}) {
      EXPECT_FALSE(Allowed(p, other, "MemberService", m)) << m;
    }
  }
  for (const char* m : {"GetMember", "SearchMembers", "LookupMember"}) {
    for (Role reader : {Role::kAdmin, Role::kInspector, Role::kSecretary, Role::kService}) {
      EXPECT_TRUE(Allowed(p, reader, "MemberService", m)) << m;
    }
    EXPECT_FALSE(Allowed(p, Role::kMember, "MemberService", m)) << m;
    EXPECT_FALSE(Allowed(p, Role::kPortal, "MemberService", m)) << m;
  }
  EXPECT_TRUE(Allowed(p, Role::kPortal, "MemberService", "CountMembers"));
  EXPECT_TRUE(Allowed(p, Role::kService, "MemberService", "CountMembers"));
  EXPECT_FALSE(Allowed(p, Role::kMember, "MemberService", "CountMembers"));
  EXPECT_TRUE(Allowed(p, Role::kMember, "MemberService", "GetMyRecord"));
  EXPECT_FALSE(Allowed(p, Role::kPortal, "MemberService", "GetMyRecord"));
}

TEST(MembershipPolicyTest, DataSubjectRightsRoles) {
  const common::auth::MethodPolicy p = MakeMembershipMethodPolicy();
  for (const char* m : {"ExportMyData", "RequestCorrection", "ListMyCorrectionRequests"}) {
    EXPECT_TRUE(Allowed(p, Role::kMember, "MemberService", m)) << m;
    for (Role other : {Role::kAdmin, Role::kInspector, Role::kSecretary, Role::kPortal, Role::kService}) {
      EXPECT_FALSE(Allowed(p, other, "MemberService", m)) << m;
    }
  }
  EXPECT_TRUE(Allowed(p, Role::kAdmin, "MemberService", "ListCorrectionRequests"));
  EXPECT_TRUE(Allowed(p, Role::kSecretary, "MemberService", "ListCorrectionRequests"));
  EXPECT_FALSE(Allowed(p, Role::kMember, "MemberService", "ListCorrectionRequests"));
  EXPECT_TRUE(Allowed(p, Role::kAdmin, "MemberService", "AnswerCorrectionRequest"));
  for (Role other : {Role::kInspector, Role::kSecretary, Role::kMember, Role::kPortal, Role::kService}) {
    EXPECT_FALSE(Allowed(p, other, "MemberService", "AnswerCorrectionRequest"));
  }
}

TEST(MembershipPolicyTest, LifecycleWritesAreTheBoardsExpulsionAlsoTheServices) {
  const common::auth::MethodPolicy p = MakeMembershipMethodPolicy();
  EXPECT_TRUE(Allowed(p, Role::kAdmin, "LifecycleService", "DecideAdmission"));
  EXPECT_FALSE(Allowed(p, Role::kSecretary, "LifecycleService", "DecideAdmission"));
  EXPECT_FALSE(Allowed(p, Role::kService, "LifecycleService", "DecideAdmission"));
  EXPECT_TRUE(Allowed(p, Role::kService, "LifecycleService", "ExpelMember"));
  EXPECT_FALSE(Allowed(p, Role::kInspector, "LifecycleService", "ExpelMember"));
  EXPECT_TRUE(Allowed(p, Role::kInspector, "LifecycleService", "ListMemberEvents"));
  EXPECT_FALSE(Allowed(p, Role::kMember, "LifecycleService", "ListMemberEvents"));
}

TEST(MembershipPolicyTest, YearlyRecordRoles) {
  const common::auth::MethodPolicy p = MakeMembershipMethodPolicy();
  EXPECT_TRUE(Allowed(p, Role::kSecretary, "YearlyRecordService", "RateMember"));
  EXPECT_FALSE(Allowed(p, Role::kMember, "YearlyRecordService", "RateMember"));
  EXPECT_TRUE(Allowed(p, Role::kMember, "YearlyRecordService", "RecordCommitment"));
  EXPECT_FALSE(Allowed(p, Role::kSecretary, "YearlyRecordService", "RegisterResidence"));
  EXPECT_TRUE(Allowed(p, Role::kMember, "YearlyRecordService", "ListYearlyRecords"));
  EXPECT_FALSE(Allowed(p, Role::kPortal, "YearlyRecordService", "ListYearlyRecords"));
  EXPECT_TRUE(Allowed(p, Role::kAdmin, "MemberImportService", "ImportMembers"));
  EXPECT_FALSE(Allowed(p, Role::kService, "MemberImportService", "ImportMembers"));
}

// The treasurer (the cell's secretary) keeps the ledger, the inspection
// commission reads it, a member reads their own; organization-wide data is the admin's.
TEST(MembershipPolicyTest, DuesRoles) {
  const common::auth::MethodPolicy p = MakeMembershipMethodPolicy();
  for (const char* m :
       {"RecordDuesBase", "GrantDuesRelief", "RecordDuesPayment", "RecordCellCollection", "CorrectDuesEntry",
        "ImportPortalPayments", "RecordDuesRemittance"}) {
    EXPECT_TRUE(Allowed(p, Role::kSecretary, "DuesService", m)) << m;
    EXPECT_FALSE(Allowed(p, Role::kInspector, "DuesService", m)) << m;
    EXPECT_FALSE(Allowed(p, Role::kMember, "DuesService", m)) << m;
    EXPECT_FALSE(Allowed(p, Role::kPortal, "DuesService", m)) << m;
  }
  EXPECT_TRUE(Allowed(p, Role::kMember, "DuesService", "GetDuesLedger"));
  EXPECT_TRUE(Allowed(p, Role::kInspector, "DuesService", "GetCollectionSheet"));
  EXPECT_FALSE(Allowed(p, Role::kMember, "DuesService", "GetCollectionSheet")) << "other members' amounts";
  EXPECT_FALSE(Allowed(p, Role::kPortal, "DuesService", "GetCollectionSheet")) << "never an individual's amount to a portal";
  EXPECT_FALSE(Allowed(p, Role::kPortal, "DuesService", "GetDuesLedger"));
  EXPECT_TRUE(Allowed(p, Role::kInspector, "DuesService", "GetDuesReconciliation")) << "the commission inspects remittances";
  EXPECT_FALSE(Allowed(p, Role::kMember, "DuesService", "GetDuesReconciliation"));
  EXPECT_FALSE(Allowed(p, Role::kPortal, "DuesService", "GetDuesReconciliation"));
  for (const char* m : {"SetWageRegion", "OpenDuesLedger"}) {
    EXPECT_TRUE(Allowed(p, Role::kAdmin, "DuesService", m)) << m;
    EXPECT_FALSE(Allowed(p, Role::kSecretary, "DuesService", m)) << m;
  }
}

// The offline copy is the caller's own: nobody syncs on a member's behalf.
TEST(MembershipPolicyTest, OnlyAMemberSyncsTheirRecord) {
  const common::auth::MethodPolicy p = MakeMembershipMethodPolicy();
  EXPECT_TRUE(Allowed(p, Role::kMember, "MemberSyncService", "SyncMyRecord"));
  for (Role other : {Role::kAdmin, Role::kInspector, Role::kSecretary, Role::kPortal, Role::kService}) {
    EXPECT_FALSE(Allowed(p, other, "MemberSyncService", "SyncMyRecord"));
  }
}

}  // namespace
}  // namespace grassroots::membership
