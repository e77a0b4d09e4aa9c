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
#include <vector>

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
  // A new branch, already in inspection's org-tree projection (a test may take
  // org down right after).
  static membership::testing::Branch NewBranch();
  static std::string NewOfficialMember(int64_t cell, const std::string& ceremony_date = "");
  static std::string NewProbationaryMember(int64_t cell);
  // A document signed on `signed_on`.
  static grassroots::type::v1::Decision Document(const std::string& signed_on, const std::string& number = "");
  static std::string UniqueNumber(const std::string& suffix);

  // ---- inspection work through the API (tests' shared drafts) ----
  // Fails the test unless the call succeeded, with its message and bad field.
  static void ExpectOk(const grpc::Status& status);
  // `org`'s program for `year`, adopted the December before, with one planned supervision.
  static insp::Program ProgramDraft(int64_t org, int32_t year,
                                    insp::Conductor lead = insp::CONDUCTOR_INSPECTION_COMMISSION);
  static grpc::Status CreateProgram(const std::string& token, const insp::Program& program, insp::Program* out,
                                    const std::string& request_id = "");
  // A thematic inspection by `conducting`'s inspection commission of organization
  // `subject_org`, opened 2026-03-02 for 2026-03-10..2026-04-10.
  static insp::Case CaseDraft(int64_t conducting, int64_t subject_org,
                              insp::CaseKind kind = insp::CASE_KIND_INSPECTION);
  static grpc::Status OpenCase(const std::string& token, const insp::Case& draft, insp::Case* out);
  // StartCase on 2026-03-10 as the root inspector; fails the test on error.
  static insp::Case StartedCase(const insp::Case& opened);
  // Concluded on 2026-04-20 with one recommendation to the subject organization per deadline.
  static insp::ConcludeCaseRequest ConclusionDraft(const insp::Case& c,
                                                   const std::vector<std::string>& deadlines = {"2026-06-30"});
  // A decision of `deciding`'s inspection commission about `member`, for a
  // violation that ended on 2025-11-20.
  static insp::DisciplineDecision DecisionDraft(int64_t deciding, const std::string& member, insp::DisciplineForm form,
                                                const std::string& signed_on = "2026-03-02");
  static grpc::Status Decide(const std::string& token, const insp::DisciplineDecision& draft,
                             insp::DisciplineDecision* out, const std::string& request_id = "");
  // GetDisciplineDecision (as the root inspector unless a token is given); fails the test on error.
  static insp::DisciplineDecision GetDecision(const std::string& name, const std::string& token = "");
  // Waits (up to 15 s) until every effect of the decision is in `state`.
  static insp::DisciplineDecision WaitForEffects(const std::string& name, insp::EffectState state);
  // Runs the effect worker until (up to 15 s) a failed attempt at the
  // decision's first effect is recorded (the background worker may hold it).
  static insp::DisciplineDecision WaitForFailedAttempt(const std::string& name);
  // An appeal against `decision` to `resolving`'s inspection commission, as the root inspector.
  static grpc::Status FileAppeal(const std::string& decision, const std::string& received_on,
                                 const std::string& filed_on, int64_t resolving, insp::Appeal* out);
  // A petition `handling`'s inspection commission receives, from a citizen who
  // gives her name (`filer_name`, or a made-up one).
  static insp::Petition PetitionDraft(int64_t handling, insp::PetitionKind kind, const std::string& received_on,
                                      const std::string& filer_name = "");
  static grpc::Status Receive(const std::string& token, const insp::Petition& draft, insp::Petition* out,
                              const std::string& request_id = "");
 private:
  static void StartInspectionSide();
};

}  // namespace grassroots::inspection::testing
