#pragma once
// Shared fixture of the inspection service's integration tests: everything
// MembershipFixture runs (the real org and membership services on loopback,
// each over its own throwaway database), plus the REAL inspection service
// (inspection_lib: its services, change feed, org-tree and member-facts
// followers and the discipline effect worker) over its own database. The
// inspection service reaches org and membership through TCP proxies, so a test
// can take either away (as inspection sees it) and bring it back.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>

#include "grassroots/feed/v1/change_feed.grpc.pb.h"
#include "grassroots/inspection/v1/inspection.grpc.pb.h"
#include "grassroots/org/v1/committee.grpc.pb.h"
#include "tests/integration/membership/membership_fixture.h"

namespace grassroots::inspection::testing {

namespace insp = ::grassroots::inspection::v1;

class InspectionFixture : public membership::testing::MembershipFixture {
 public:
  static void SetUpTestSuite();
  // Like SetUpTestSuite over an empty org tree (MembershipFixture::SetUpTestSuiteWithEmptyTree).
  static void SetUpTestSuiteWithEmptyTree();
  static void TearDownTestSuite();

 protected:
  static insp::ProgramService::Stub& programs();
  static insp::CaseService::Stub& cases();
  static insp::DisciplineService::Stub& discipline();
  static insp::PetitionService::Stub& petitions();
  static insp::InspectionReportService::Stub& reports();
  static grassroots::feed::v1::ChangeFeedService::Stub& inspection_feed();
  static grassroots::org::v1::CommitteeService::Stub& committees();
  // The inspection service's loopback port (for programs that dial it themselves).
  static int inspection_port();

  // Waits (up to 20 s) until inspection's projections have everything org and
  // membership have written so far.
  static void SyncProjections();
  // Org or membership unreachable from inspection (its followers, position
  // checks and effects), and back.
  static void TakeMembershipDownForInspection();
  static void BringMembershipBackForInspection();
  static void TakeOrgDownForInspection();
  static void BringOrgBackForInspection();
  // Stops the inspection service as a crash would leave it (no drain, effects
  // as they are) and starts a new one over the same database.
  static void RestartInspection();
  // Runs one pass of the effect worker now (instead of waiting for its poll).
  static int RunEffectWorker();

  static int64_t InspectionDbInt(const std::string& sql);
  static void InspectionDbExecute(const std::string& sql);

  // An official member of `cell`, projected into inspection.
  static std::string NewOfficialMember(int64_t cell, const std::string& ceremony_date = "");
  static std::string NewProbationaryMember(int64_t cell);
  // A document signed on `signed_on`.
  static grassroots::type::v1::Decision Document(const std::string& signed_on, const std::string& number = "");
  static std::string UniqueNumber(const std::string& suffix);

 private:
  static void StartInspectionSide();
};

}  // namespace grassroots::inspection::testing
