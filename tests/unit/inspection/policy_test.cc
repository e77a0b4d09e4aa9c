// The inspection method policy: every RPC of every inspection service is listed
// (deny by default would otherwise lock it away), with the roles issue 8 gives it.
#include "services/inspection/handlers/policy.h"

#include <initializer_list>
#include <string>
#include <utility>

#include <gtest/gtest.h>
#include <google/protobuf/descriptor.h>

#include "grassroots/inspection/v1/inspection.grpc.pb.h"

namespace grassroots::inspection {
namespace {

using common::auth::Principal;
using common::auth::Role;

bool Allowed(Role role, const std::string& service, const std::string& method) {
  static const common::auth::MethodPolicy policy = MakeInspectionMethodPolicy();
  Principal p;
  p.subject = "test";
  p.roles = {role};
  p.scope_org_id = 1;
  return policy.Check(p, "/grassroots.inspection.v1." + service + "/" + method).ok();
}

TEST(InspectionPolicyTest, CoversEveryMethodOfEveryInspectionService) {
  const common::auth::MethodPolicy policy = MakeInspectionMethodPolicy();
  const google::protobuf::FileDescriptor* file = v1::Case::descriptor()->file();
  int methods = 0;
  for (int s = 0; s < file->service_count(); ++s) {
    const google::protobuf::ServiceDescriptor* service = file->service(s);
    for (int i = 0; i < service->method_count(); ++i) {
      EXPECT_TRUE(policy.Covers("/" + service->full_name() + "/" + service->method(i)->name()))
          << service->full_name() << "/" << service->method(i)->name();
      ++methods;
    }
  }
  EXPECT_EQ(methods, 6 + 9 + 6 + 7 + 2);
  EXPECT_TRUE(policy.Covers("/grassroots.feed.v1.ChangeFeedService/StreamChanges"));
}

TEST(InspectionPolicyTest, OnlyInspectorsWrite) {
  const std::pair<const char*, const char*> writes[] = {
      {"ProgramService", "CreateProgram"},     {"CaseService", "OpenCase"},
      {"CaseService", "ConcludeCase"},         {"DisciplineService", "DecideDiscipline"},
      {"DisciplineService", "ResolveAppeal"},  {"PetitionService", "ReceivePetition"},
      {"PetitionService", "GetPetitionFiler"},
  };
  for (const auto& [service, method] : writes) {
    EXPECT_TRUE(Allowed(Role::kInspector, service, method)) << method;
    for (Role other : {Role::kAdmin, Role::kSecretary, Role::kMember, Role::kPortal, Role::kService}) {
      EXPECT_FALSE(Allowed(other, service, method)) << method << " " << common::auth::RoleName(other);
    }
  }
}

TEST(InspectionPolicyTest, ThePortalGetsCountsOnly) {
  EXPECT_TRUE(Allowed(Role::kPortal, "InspectionReportService", "CountInspectionWork"));
  for (const auto& [service, method] : std::initializer_list<std::pair<const char*, const char*>>{
           {"CaseService", "GetCase"},
           {"CaseService", "ListCases"},
           {"ProgramService", "GetProgram"},
           {"DisciplineService", "ListDisciplineDecisions"},
           {"PetitionService", "ListPetitions"},
           {"InspectionReportService", "GetCaseload"}}) {
    EXPECT_FALSE(Allowed(Role::kPortal, service, method)) << method;
  }
  // A member reads its own decisions (checked per decision), nothing else.
  EXPECT_TRUE(Allowed(Role::kMember, "DisciplineService", "GetDisciplineDecision"));
  EXPECT_FALSE(Allowed(Role::kMember, "CaseService", "GetCase"));
  EXPECT_FALSE(Allowed(Role::kMember, "PetitionService", "GetPetition"));
}

}  // namespace
}  // namespace grassroots::inspection
