#pragma once
// Shared fixture of the reporting service's end-to-end tests: everything
// InspectionFixture runs (the real org, membership and inspection services on
// loopback, each over its own throwaway database), plus the REAL reporting
// service (reporting_lib: its read model fed by the three change feeds, and
// its services) over its own database. Figures are asked through its gRPC API
// after the read model has caught up with every feed.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>

#include "grassroots/org/v1/meeting.grpc.pb.h"
#include "grassroots/org/v1/recognition.grpc.pb.h"
#include "grassroots/reporting/v1/reporting.grpc.pb.h"
#include "tests/integration/inspection/inspection_fixture.h"

namespace grassroots::reporting::testing {

namespace rv1 = ::grassroots::reporting::v1;

class ReportingFixture : public inspection::testing::InspectionFixture {
 public:
  static void SetUpTestSuite();
  static void TearDownTestSuite();

 protected:
  static rv1::ScorecardService::Stub& scorecards();
  static grassroots::org::v1::MeetingService::Stub& meetings();
  static grassroots::org::v1::RecognitionService::Stub& recognition();

  // Waits (up to 20 s) until reporting's read model has applied everything
  // org, membership and inspection have written so far.
  static void SyncReadModel();
  // Stops the reporting service as a crash would (no drain) and starts a new
  // one over the same database.
  static void RestartReporting();
  // A second reporting service over a NEW, empty database, which builds its
  // read model from sequence 0 of every feed; the stub calls it. Stopped by
  // StopRebuiltReporting (or at the end of the suite).
  static rv1::ScorecardService::Stub& StartRebuiltReporting();
  static void StopRebuiltReporting();

  static int64_t ReportingDbInt(const std::string& sql);
  // A channel to the (main) reporting service, for its other services' stubs.
  static std::shared_ptr<grpc::Channel> ReportingChannel();

  // GetScorecard as `token` (root admin by default); fails the test on error.
  static rv1::Scorecard Scorecard(int64_t org, int32_t year, const std::string& as_of = "",
                                  const std::string& token = "");
  static grpc::Status GetScorecard(const rv1::GetScorecardRequest& request, rv1::Scorecard* out,
                                   const std::string& token = "");
  // The indicator of that id (fails the test when it is missing).
  static rv1::IndicatorResult Indicator(const rv1::Scorecard& scorecard, const std::string& id);

  // ---- facts through the org API as root admin (fail the test on error) ----
  static void AdoptRegulation(int64_t org, const std::string& adopted_on);
  static void CreateTerm(int64_t org, const std::string& starts_on, const std::string& ends_on, bool elected);
  // A thematic meeting held on `date` (local), 14:00 for 150 minutes.
  static void HoldThematicMeeting(int64_t cell, const std::string& date);
  static void RecordNewModel(int64_t org, int32_t year);
  static void RateOrganization(int64_t org, int32_t year, double score);
  static void MoveOrganization(int64_t org, int64_t new_parent, const std::string& effective_date);
  // ---- through membership ----
  static void RateMember(const std::string& member, int32_t year, double score);
  static void RemoveMember(const std::string& member, const std::string& effective_date);
};

}  // namespace grassroots::reporting::testing
