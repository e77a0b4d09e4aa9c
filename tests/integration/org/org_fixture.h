#pragma once
// Shared fixture for the org service's integration tests: the real org service
// (all five services + the change feed) runs in-process on 127.0.0.1:0 over a
// throwaway MariaDB database with CommonMigrations + OrgMigrations applied.
// One server per test suite (SetUpTestSuite); tests create their own
// organizations with unique codes, so tests in a suite do not interfere.
//
// Usage:
//   class MeetingsTest : public grassroots::org::testing::OrgFixture {};
//   TEST_F(MeetingsTest, X) {
//     auto cell = CreateOrg("CHI_BO_CO_SO", RootName(), "Chi bộ thôn 1");
//     grpc::ClientContext ctx; Authorize(ctx, SecretaryToken(IdOf(cell.name())));
//     ... meetings().CreateMeeting(&ctx, request, &response) ...
//   }
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/time/civil_time.h"
#include "common/db/db.h"
#include "common/rules/rules_registry.h"
#include "grassroots/feed/v1/change_feed.grpc.pb.h"
#include "grassroots/org/v1/committee.grpc.pb.h"
#include "grassroots/org/v1/meeting.grpc.pb.h"
#include "grassroots/org/v1/organization.grpc.pb.h"
#include "grassroots/org/v1/recognition.grpc.pb.h"
#include "grassroots/org/v1/residential_unit.grpc.pb.h"

namespace grassroots::org::testing {

namespace v1 = ::grassroots::org::v1;

class OrgFixture : public ::testing::Test {
 public:
  // Creates the database, applies migrations, starts the service and creates
  // the suite's root organization (a DANG_BO_TINH founded 2000-01-01).
  static void SetUpTestSuite();
  static void TearDownTestSuite();

 protected:
  // ---- stubs (one channel to the in-process server) ----
  static v1::OrganizationService::Stub& orgs();
  static v1::CommitteeService::Stub& committees();
  static v1::ResidentialUnitService::Stub& units();
  static v1::MeetingService::Stub& meetings();
  static v1::RecognitionService::Stub& recognition();
  static grassroots::feed::v1::ChangeFeedService::Stub& feed();
  static int port();

  // ---- direct access for assertions (never for the code under test) ----
  static common::db::ConnectionPool& pool();
  // Connection settings of the suite's database (e.g. to build a second pool).
  static const common::DbConfig& db_config();
  static const common::RulesRegistry& rules();
  // Runs a scalar SELECT (first column of the first row as int64; 0 when no row).
  static int64_t QueryInt(const std::string& sql);
  // Runs one statement (test set-up such as extra reference data); fails the test on error.
  static void ExecuteSql(const std::string& sql);
  // After ExecuteSql changed the organization types or their allowed parents: the
  // service reads them again (as a restart after a migration would).
  static void ReloadTypeRules();

  // ---- tokens (RS256, signed with the suite's key; 1 h lifetime) ----
  static int64_t RootId();
  static std::string RootName();   // "organizations/<root id>"
  static std::string AdminToken(std::optional<int64_t> scope_org = std::nullopt);  // default: root
  static std::string InspectorToken(std::optional<int64_t> scope_org = std::nullopt);
  static std::string SecretaryToken(int64_t scope_org, std::optional<int64_t> member_id = std::nullopt);
  static std::string MemberToken(int64_t scope_org, int64_t member_id);
  static std::string PortalToken();
  static std::string ServiceToken();
  static std::string ExpiredToken();  // admin claims, expired an hour ago
  static std::string ForgedToken();   // admin claims, signed with a different key

  // ---- error details ----
  static std::string BadField(const grpc::Status& status);  // the field a google.rpc.BadRequest names, or ""
  static std::string Reason(const grpc::Status& status);    // the google.rpc.ErrorInfo reason, or ""

  // Sets "authorization: Bearer <token>" (unless empty) and a 10 s deadline.
  static void Authorize(grpc::ClientContext& context, const std::string& token);

  // ---- data helpers (call through the API as root admin; fail the test on error) ----
  // A code unique within the test binary run, e.g. "T-<prefix>-17".
  static std::string UniqueCode(std::string_view prefix = "ORG");
  // Creates an active organization. parent empty -> root. established_on empty -> "2020-01-01".
  static v1::Organization CreateOrg(const std::string& type, const std::string& parent,
                                    const std::string& display_name, const std::string& sector = "",
                                    const std::string& established_on = "");
  static int64_t IdOf(const std::string& name);   // "organizations/42" -> 42
  // GetOrganization as root admin as of a date (empty: today); fails the test on error.
  static v1::Organization GetOrg(const std::string& name, const std::string& as_of = "");
  // The names of `parent`'s children as of a date, optionally of one sector only.
  static std::vector<std::string> ChildNames(const std::string& parent, const std::string& as_of,
                                             const std::string& sector = "");
};

}  // namespace grassroots::org::testing
