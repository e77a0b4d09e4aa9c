#pragma once
// Shared fixture for the membership service's integration tests. One per test
// suite (SetUpTestSuite), each with its own throwaway databases:
//  - the REAL organization service (org_lib, all five services and its change
//    feed) in-process on 127.0.0.1:0 over CommonMigrations + OrgMigrations;
//  - a TcpProxy in front of it: membership's GrpcCellDirectory reaches the org
//    service only through the proxy, so a test can take the org service "down"
//    (TakeOrgServiceDown) and bring it back;
//  - the REAL membership service (membership_lib: the four membership services,
//    its change feed and the org-feed follower that keeps the projection) on
//    127.0.0.1:0 over CommonMigrations + MembershipMigrations + OrgTreeMigrations, with the
//    production method policy and a service token file for the org calls.
// Tests talk to both services through gRPC stubs only; the database helpers are
// for assertions (row counts), never to set up what the API can do.
//
// Tests create their own organizations (NewBranch) so tests in a suite do not
// see each other's members in subtree queries.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "grassroots/feed/v1/change_feed.grpc.pb.h"
#include "grassroots/membership/v1/import.grpc.pb.h"
#include "grassroots/membership/v1/lifecycle.grpc.pb.h"
#include "grassroots/membership/v1/member.grpc.pb.h"
#include "grassroots/membership/v1/yearly_records.grpc.pb.h"
#include "grassroots/org/v1/organization.grpc.pb.h"
#include "grassroots/org/v1/residential_unit.grpc.pb.h"

#include "common/server/service_host.h"
#include "services/membership/handlers/handler_context.h"
#include "services/membership/membership_services.h"

namespace grassroots::membership::testing {

namespace v1 = ::grassroots::membership::v1;
namespace orgv1 = ::grassroots::org::v1;

// A grassroots organization (đảng bộ cơ sở) under the suite's root with two
// subordinate cells, all projected into membership before it is returned.
struct Branch {
  int64_t grassroots = 0;
  int64_t cell_a = 0;
  int64_t cell_b = 0;
};

// Personal data for a valid CreateMember: unique citizen ID (agreeing with the
// birth date and sex), unique external id.
struct PersonOptions {
  std::string full_name;                                                  // default: a generated Vietnamese name
  std::string birth_date;                                                 // default: a date in 1970..1999
  v1::Sex sex = v1::SEX_UNSPECIFIED;                                      // default: alternates
  v1::OccupationCategory category = v1::OCCUPATION_CATEGORY_UNSPECIFIED;  // default: FARMER
  v1::GeneralEducation education = v1::GENERAL_EDUCATION_UPPER_SECONDARY;

  PersonOptions& WithName(std::string name) {
    full_name = std::move(name);
    return *this;
  }
  PersonOptions& BornOn(std::string date) {
    birth_date = std::move(date);
    return *this;
  }
  PersonOptions& WithSex(v1::Sex value) {
    sex = value;
    return *this;
  }
  PersonOptions& WithCategory(v1::OccupationCategory value) {
    category = value;
    return *this;
  }
  PersonOptions& WithEducation(v1::GeneralEducation value) {
    education = value;
    return *this;
  }
};

class MembershipFixture : public ::testing::Test {
 public:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  // Like SetUpTestSuite, but the org tree stays empty (for code under test that creates
  // its own root): RootId() is 1, the id the first organization of the tree gets.
  static void SetUpTestSuiteWithEmptyTree();

 private:
  static void StartSuite(bool with_root);

 protected:
  // ---- stubs (the membership service unless named org) ----
  static v1::MemberService::Stub& members();
  static v1::LifecycleService::Stub& lifecycle();
  static v1::YearlyRecordService::Stub& yearly();
  static v1::MemberImportService::Stub& imports();
  static grassroots::feed::v1::ChangeFeedService::Stub& member_feed();
  // The membership service's handler context (for start-up jobs such as the code migration).
  static HandlerContext& member_context();
  // The membership service as one unit (its start-up and background jobs).
  static MembershipServices& member_services();
  // Straight to the org service (not through the proxy): test set-up.
  static orgv1::OrganizationService::Stub& orgs();
  // Org's residential units, whose heads org confirms with this membership service.
  static orgv1::ResidentialUnitService::Stub& org_units();
  // Loopback ports of the two services (for clients such as the CLI and the demo loader).
  static int org_port();
  static int membership_port();
  // false: org's member checks go to an address nobody listens on (until set back).
  static void SetOrgMembershipReachable(bool reachable);

  // ---- more processes of the membership service ----
  // Another membership service on the suite's database, as a second process
  // of the deployment would be: its own pool (`pool`, over MemberDbConfig()),
  // searches and lists read through `replica_reads`, its own loopback host.
  struct MembershipInstance {
    std::unique_ptr<MembershipServices> services;
    std::unique_ptr<common::ServiceHost> host;
    std::unique_ptr<v1::MemberService::Stub> members;
    ~MembershipInstance();
  };
  static std::unique_ptr<MembershipInstance> StartMembershipInstance(common::db::ConnectionPool& pool,
                                                                     common::db::ReadRouter& replica_reads);
  // The membership database's connection settings (for further pools).
  static const common::DbConfig& MemberDbConfig();

  // ---- the org service as membership sees it ----
  // Stops the proxy: membership's calls to the org service fail from now on.
  static void TakeOrgServiceDown();
  static void BringOrgServiceBack();

  // ---- direct database access, for assertions only ----
  static int64_t MemberDbInt(const std::string& sql);  // first column of the first row; 0 when no row
  static void MemberDbExecute(const std::string& sql);
  static int64_t OrgDbInt(const std::string& sql);
  static int64_t CountRows(const std::string& table);  // in the membership database
  // Rows that a write adds anywhere (members, events, periods, cards, feed, audit).
  struct WriteCounts {
    int64_t members = 0, sensitive = 0, events = 0, periods = 0, cards = 0, feed = 0, audit = 0;
    bool operator==(const WriteCounts&) const = default;
  };
  static WriteCounts CountWrites();

  // ---- tokens ("Bearer <jwt>", 1 h) ----
  static int64_t RootId();
  static std::string AdminToken(std::optional<int64_t> scope_org = std::nullopt);  // default: root
  static std::string InspectorToken(std::optional<int64_t> scope_org = std::nullopt);
  static std::string SecretaryToken(int64_t scope_org);
  static std::string MemberToken(int64_t scope_org, int64_t member_id);
  static std::string PortalToken();
  static std::string ServiceToken();

  // ---- calls ----
  // Sets "authorization" (unless empty) and a 20 s deadline.
  static void Authorize(grpc::ClientContext& context, const std::string& token);
  template <typename Stub, typename Request, typename Response>
  static grpc::Status Call(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                           const std::string& token, const Request& request, Response* response) {
    grpc::ClientContext context;
    Authorize(context, token);
    return (stub.*method)(&context, request, response);
  }
  // The field a google.rpc.BadRequest names, or "".
  static std::string BadField(const grpc::Status& status);
  // The google.rpc.ErrorInfo reason, or "".
  static std::string Reason(const grpc::Status& status);

  // ---- organizations (through the org API as root admin; fail the test on error) ----
  static std::string UniqueCode(std::string_view prefix);
  // Creates an active organization under parent_id (0: the root) and waits
  // until membership's projection has it.
  static int64_t CreateOrg(const std::string& type, int64_t parent_id, const std::string& display_name,
                           const std::string& established_on = "2010-01-01");
  static Branch NewBranch();
  // Dissolves an organization on `effective_date` and waits for the projection.
  static void DissolveOrg(int64_t id, const std::string& effective_date);
  // Waits (up to 15 s) until the projection holds organization `id` in `state`.
  static void WaitForProjection(int64_t id, orgv1::OrganizationState state = orgv1::ORGANIZATION_STATE_ACTIVE);
  // A village of `commune` (founded 2010-01-01) that `covering_cell` covers
  // from `covering_since`, through org's API; waits until membership's
  // projection holds the unit, so the cell is a residential cell from then on.
  static orgv1::ResidentialUnit NewResidentialUnit(int64_t commune, int64_t covering_cell,
                                                   const std::string& covering_since = "2010-01-01");

  // ---- members (through the API as root admin; fail the test on error) ----
  static v1::Member NewPerson(const PersonOptions& options = {});
  // A citizen ID that agrees with birth_date and sex (province 068, Lâm Đồng).
  static std::string CitizenIdFor(const std::string& birth_date, v1::Sex sex);
  static std::string UniqueCard();
  // The CreateMember request CreateExisting sends (ceremony_date given).
  static v1::CreateMemberRequest ExistingMemberRequest(int64_t cell, const v1::Member& person,
                                                      v1::MemberStatus status, const std::string& ceremony_date,
                                                      const std::string& party_card);
  static v1::Member CreateProspect(int64_t cell, const v1::Member& person, const std::string& introduced_on = "");
  // status PROBATIONARY or OFFICIAL; ceremony defaults: official 5 years ago,
  // probationary 3 months ago. joined_cell_on defaults to the ceremony date.
  static v1::Member CreateExisting(int64_t cell, const v1::Member& person,
                                   v1::MemberStatus status = v1::MEMBER_STATUS_OFFICIAL,
                                   const std::string& ceremony_date = "", const std::string& party_card = "");
  static v1::Member GetMember(const std::string& name, const std::string& as_of = "");
  static int64_t MemberId(const std::string& name);  // "members/7" -> 7
  static std::string OrgName(int64_t id);            // "organizations/3"
  static grassroots::type::v1::Decision SomeDecision(const std::string& signed_on);

  // ---- dates (the membership service's "today" is the machine's) ----
  static std::string Today();
  static std::string DaysFromToday(int days);
  // The same day of the month `months` from today (clamped), plus `days`.
  static std::string MonthsFromToday(int months, int days = 0);
  static std::string AddDays(const std::string& date, int days);
  static std::string AddMonths(const std::string& date, int months);
};

}  // namespace grassroots::membership::testing
