// Issue 10, cross-scope access on the organization tree: an organization
// outside the caller's scope answers exactly as one that does not exist (no
// existence oracle), and moves out of a scope need the receiving side.
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "tests/integration/org/org_fixture.h"

namespace grassroots::org::testing {
namespace {

class OrgOracleTest : public OrgFixture {
 protected:
  // A status with the probed id written as "{id}", so the answers about two ids compare.
  static std::string Shape(const grpc::Status& status, const std::string& name) {
    return absl::StrCat(status.error_code(), "|", Reason(status), "|",
                        absl::StrReplaceAll(status.error_message(), {{name, "{name}"}}));
  }
  static std::string Missing() { return "organizations/987654321"; }

  static grpc::Status Get(const std::string& name, const std::string& token, const std::string& as_of = "") {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::GetOrganizationRequest request;
    request.set_name(name);
    request.set_as_of_date(as_of);
    v1::Organization out;
    return orgs().GetOrganization(&ctx, request, &out);
  }
  static grpc::Status Events(const std::string& name, const std::string& token) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::ListOrganizationEventsRequest request;
    request.set_name(name);
    v1::ListOrganizationEventsResponse out;
    return orgs().ListOrganizationEvents(&ctx, request, &out);
  }
  static grpc::Status Ancestors(const std::string& name, const std::string& token) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::ListAncestorsRequest request;
    request.set_name(name);
    v1::ListAncestorsResponse out;
    return orgs().ListAncestors(&ctx, request, &out);
  }
  static grpc::Status Subtree(const std::string& name, const std::string& token) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::GetSubtreeRequest request;
    request.set_name(name);
    v1::GetSubtreeResponse out;
    return orgs().GetSubtree(&ctx, request, &out);
  }
  static grpc::Status Rename(const std::string& name, const std::string& token) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::RenameOrganizationRequest request;
    request.set_name(name);
    request.set_new_display_name("Tên mới");
    v1::Organization out;
    return orgs().RenameOrganization(&ctx, request, &out);
  }
  static grpc::Status HandOver(const std::string& name, const std::string& receiving, const std::string& token) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::HandOverOrganizationRequest request;
    request.set_name(name);
    request.set_receiving_committee(receiving);
    request.set_effective_date("2025-07-01");
    v1::Organization out;
    return orgs().HandOverOrganization(&ctx, request, &out);
  }
  static grpc::Status Dissolve(const std::string& name, const std::string& token) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::DissolveOrganizationRequest request;
    request.set_name(name);
    request.set_effective_date("2025-07-01");
    v1::Organization out;
    return orgs().DissolveOrganization(&ctx, request, &out);
  }
};

TEST_F(OrgOracleTest, OutOfScopeAnswersExactlyAsMissing) {
  const v1::Organization mine = CreateOrg("DANG_BO_XA", RootName(), "Xã của tôi");
  const v1::Organization theirs = CreateOrg("DANG_BO_XA", RootName(), "Xã khác");
  const std::string admin = AdminToken(IdOf(mine.name()));
  using Probe = grpc::Status (*)(const std::string&, const std::string&);
  const std::pair<const char*, Probe> probes[] = {
      {"GetOrganization", [](const std::string& n, const std::string& t) { return Get(n, t); }},
      {"GetOrganization as of", [](const std::string& n, const std::string& t) { return Get(n, t, "2015-01-01"); }},
      {"ListOrganizationEvents", &Events},
      {"ListAncestors", &Ancestors},
      {"GetSubtree", &Subtree},
      {"RenameOrganization", &Rename},
  };
  for (const auto& [method, probe] : probes) {
    const grpc::Status outside = probe(theirs.name(), admin);
    const grpc::Status missing = probe(Missing(), admin);
    EXPECT_EQ(outside.error_code(), grpc::StatusCode::NOT_FOUND) << method << ": " << outside.error_message();
    EXPECT_EQ(Shape(outside, theirs.name()), Shape(missing, Missing())) << method;
  }
  EXPECT_TRUE(Get(mine.name(), admin).ok());
  EXPECT_EQ(theirs.state(), v1::ORGANIZATION_STATE_ACTIVE) << "nothing renamed";
  EXPECT_EQ(GetOrg(theirs.name()).display_name(), "Xã khác");
}

TEST_F(OrgOracleTest, HandOverNeedsTheReceivingCommitteeInScope) {
  const v1::Organization military = CreateOrg("DANG_BO_QUAN_SU", RootName(), "Đảng bộ Quân sự tỉnh");
  const v1::Organization xa = CreateOrg("DANG_BO_XA", RootName(), "Xã giao");
  const v1::Organization cell = CreateOrg("CHI_BO_CO_SO", xa.name(), "Chi bộ Quân sự xã", "MILITARY");
  // The commune's admin cannot put its cell under a committee outside its scope.
  const grpc::Status alone = HandOver(cell.name(), military.name(), AdminToken(IdOf(xa.name())));
  EXPECT_EQ(alone.error_code(), grpc::StatusCode::NOT_FOUND) << alone.error_message();
  EXPECT_EQ(GetOrg(cell.name(), "2025-07-01").parent(), xa.name()) << "nothing moved";
  // Nor hand over (or dissolve) its own scope root.
  const grpc::Status own_root = HandOver(xa.name(), military.name(), AdminToken(IdOf(xa.name())));
  EXPECT_NE(own_root.error_code(), grpc::StatusCode::OK);
  const grpc::Status dissolve_root = Dissolve(xa.name(), AdminToken(IdOf(xa.name())));
  EXPECT_EQ(dissolve_root.error_code(), grpc::StatusCode::PERMISSION_DENIED) << dissolve_root.error_message();
  EXPECT_EQ(Reason(dissolve_root), "SCOPE_ROOT");
  EXPECT_EQ(GetOrg(xa.name()).state(), v1::ORGANIZATION_STATE_ACTIVE);
  // The level above both decides.
  const grpc::Status above = HandOver(cell.name(), military.name(), AdminToken());
  ASSERT_TRUE(above.ok()) << above.error_message();
  EXPECT_EQ(GetOrg(cell.name(), "2025-07-01").parent(), military.name());
}

}  // namespace
}  // namespace grassroots::org::testing
