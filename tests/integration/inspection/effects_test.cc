// The effects of discipline decisions on org, against real MariaDB and the real
// org, membership and inspection services: a dismissal (cách chức) ends the
// committee post, a dissolution (giải tán) dissolves the organization, each
// exactly once, across org outages; an effect org refuses for good stays
// REFUSED with its reason and is not retried.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/integration/inspection/inspection_fixture.h"

namespace grassroots::inspection::testing {
namespace {

namespace orgpb = ::grassroots::org::v1;

class EffectsTest : public InspectionFixture {
 protected:
  // A committee term of `org` from 2025-01-01 (through org's API as admin).
  static std::string NewTerm(int64_t org) {
    orgpb::CreateCommitteeTermRequest request;
    request.set_parent(OrgName(org));
    request.mutable_term()->set_label("2025-2030");
    request.mutable_term()->set_starts_on("2025-01-01");
    request.mutable_term()->set_ends_on("2030-01-01");
    request.mutable_term()->set_elected_committee(true);
    request.mutable_term()->set_seats(3);
    orgpb::CommitteeTerm term;
    const grpc::Status status =
        Call(committees(), &orgpb::CommitteeService::Stub::CreateCommitteeTerm, AdminToken(), request, &term);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return term.name();
  }

  static std::string NewPosition(const std::string& term, const std::string& member, orgpb::PositionKind kind,
                                 const std::string& starts_on) {
    orgpb::AssignPositionRequest request;
    request.set_parent(term);
    request.mutable_position()->set_member(member);
    request.mutable_position()->set_kind(kind);
    request.mutable_position()->set_starts_on(starts_on);
    orgpb::Position position;
    const grpc::Status status =
        Call(committees(), &orgpb::CommitteeService::Stub::AssignPosition, AdminToken(), request, &position);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return position.name();
  }

  static orgpb::Position PositionInOrg(const std::string& term, const std::string& position) {
    orgpb::ListPositionsRequest request;
    request.set_parent(term);
    orgpb::ListPositionsResponse listed;
    const grpc::Status status =
        Call(committees(), &orgpb::CommitteeService::Stub::ListPositions, AdminToken(), request, &listed);
    EXPECT_TRUE(status.ok()) << status.error_message();
    for (const orgpb::Position& p : listed.positions()) {
      if (p.name() == position) return p;
    }
    ADD_FAILURE() << position << " is not in " << term;
    return {};
  }

  static orgpb::Organization OrganizationInOrg(int64_t id) {
    orgpb::GetOrganizationRequest request;
    request.set_name(OrgName(id));
    orgpb::Organization organization;
    const grpc::Status status =
        Call(orgs(), &orgpb::OrganizationService::Stub::GetOrganization, AdminToken(), request, &organization);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return organization;
  }

  static insp::DisciplineDecision Dissolution(int64_t deciding, int64_t organization) {
    insp::DisciplineDecision d =
        DecisionDraft(deciding, "", insp::DISCIPLINE_FORM_DISSOLUTION, "2026-03-02");
    d.mutable_subject()->set_organization(OrgName(organization));
    d.set_deciding_body(insp::CONDUCTOR_STANDING_COMMITTEE);
    d.mutable_violation()->set_summary("Tổ chức đảng vi phạm đặc biệt nghiêm trọng nguyên tắc tập trung dân chủ");
    return d;
  }

  // Org's change-feed entries with this action about this resource.
  static int64_t OrgFeedEntries(const std::string& resource_name, const std::string& action) {
    return OrgDbInt(absl::StrCat("SELECT COUNT(*) FROM change_feed WHERE resource_name = '", resource_name,
                                 "' AND action = '", action, "'"));
  }

  static std::string IdOf(const std::string& name) { return name.substr(name.rfind('/') + 1); }

  // As a crash after org applied the effect but before inspection recorded it leaves it.
  static void MakeDueAgain(const std::string& decision) {
    InspectionDbExecute(absl::StrCat("UPDATE discipline_effects SET state = ", insp::EFFECT_STATE_PENDING,
                                     ", applied_at = NULL, next_attempt_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND "
                                     "WHERE decision_id = ", IdOf(decision)));
  }

  struct Written {
    int64_t decisions = 0, effects = 0, feed = 0, audit = 0;
    bool operator==(const Written&) const = default;
  };
  static Written CountWritten() {
    return {InspectionDbInt("SELECT COUNT(*) FROM discipline_decisions"),
            InspectionDbInt("SELECT COUNT(*) FROM discipline_effects"),
            InspectionDbInt("SELECT COUNT(*) FROM change_feed"), InspectionDbInt("SELECT COUNT(*) FROM audit_log")};
  }
};

TEST_F(EffectsTest, ADismissalNeedsThePostHeldOnTheViolationDateAndOrgToCheckIt) {
  const membership::testing::Branch branch = NewBranch();
  const std::string holder = NewOfficialMember(branch.cell_a);
  const std::string newcomer = NewOfficialMember(branch.cell_a);
  const std::string term = NewTerm(branch.cell_a);
  const std::string post = NewPosition(term, holder, orgpb::POSITION_KIND_SECRETARY, "2025-01-01");
  // The newcomer took a seat after the violation (which ended 2025-11-20).
  const std::string later_post = NewPosition(term, newcomer, orgpb::POSITION_KIND_COMMITTEE_MEMBER, "2026-01-10");
  ASSERT_FALSE(HasFailure());
  const Written before = CountWritten();

  insp::DisciplineDecision out;
  for (const auto& [member, position] : {std::pair{newcomer, later_post}, std::pair{newcomer, post}}) {
    insp::DisciplineDecision draft = DecisionDraft(branch.grassroots, member, insp::DISCIPLINE_FORM_DISMISSAL);
    draft.set_position(position);
    const grpc::Status status = Decide(InspectorToken(), draft, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << position;
    EXPECT_EQ(Reason(status), "DISMISSAL_WITHOUT_POST") << position;
    EXPECT_NE(status.error_message().find("inspection.discipline.dismissal_requires_post"), std::string::npos)
        << status.error_message();
  }
  insp::DisciplineDecision draft = DecisionDraft(branch.grassroots, holder, insp::DISCIPLINE_FORM_DISMISSAL);
  draft.set_position(absl::StrCat(OrgName(branch.cell_a), "/committeeTerms/999999/positions/1"));
  EXPECT_EQ(BadField(Decide(InspectorToken(), draft, &out)), "decision.position");

  // Org cannot say whether the post was held: nothing is decided or written.
  draft.set_position(post);
  TakeOrgDownForInspection();
  const grpc::Status status = Decide(InspectorToken(), draft, &out);
  BringOrgBackForInspection();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(CountWritten(), before);
  EXPECT_TRUE(PositionInOrg(term, post).ends_on().empty());
}

TEST_F(EffectsTest, ADismissalEndsThePostInOrgOnItsEffectiveDateExactlyOnce) {
  const membership::testing::Branch branch = NewBranch();
  const std::string holder = NewOfficialMember(branch.cell_a);
  const std::string term = NewTerm(branch.cell_a);
  const std::string post = NewPosition(term, holder, orgpb::POSITION_KIND_SECRETARY, "2025-01-01");
  ASSERT_FALSE(HasFailure());
  insp::DisciplineDecision draft = DecisionDraft(branch.grassroots, holder, insp::DISCIPLINE_FORM_DISMISSAL);
  draft.set_position(post);
  draft.set_effective_date("2026-03-05");
  insp::DisciplineDecision decided;
  const grpc::Status status = Decide(InspectorToken(), draft, &decided, "dismiss-once-1");
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(decided.effects_size(), 1);
  EXPECT_EQ(decided.effects(0).kind(), insp::EFFECT_KIND_END_POSITION);
  EXPECT_EQ(decided.effects(0).target(), post);

  const insp::DisciplineDecision applied = WaitForEffects(decided.name(), insp::EFFECT_STATE_APPLIED);
  EXPECT_FALSE(applied.effects(0).applied_at().empty());
  EXPECT_EQ(PositionInOrg(term, post).ends_on(), "2026-03-05");
  EXPECT_EQ(OrgFeedEntries(post, "ended"), 1);

  // A retried request, and the effect due again after a crash, end nothing twice.
  insp::DisciplineDecision retried;
  ASSERT_TRUE(Decide(InspectorToken(), draft, &retried, "dismiss-once-1").ok());
  EXPECT_EQ(retried.name(), decided.name());
  MakeDueAgain(decided.name());
  RestartInspection();
  WaitForEffects(decided.name(), insp::EFFECT_STATE_APPLIED);
  EXPECT_EQ(PositionInOrg(term, post).ends_on(), "2026-03-05");
  EXPECT_EQ(OrgFeedEntries(post, "ended"), 1);
  EXPECT_EQ(InspectionDbInt(absl::StrCat("SELECT COUNT(*) FROM discipline_effects WHERE decision_id = ",
                                         IdOf(decided.name()))),
            1);
}

TEST_F(EffectsTest, ADissolutionDecidedWhileOrgIsDownIsAppliedOnceOrgIsBack) {
  const membership::testing::Branch branch = NewBranch();
  TakeOrgDownForInspection();
  insp::DisciplineDecision decided;
  grpc::Status status = Decide(InspectorToken(), Dissolution(branch.grassroots, branch.cell_b), &decided);
  if (!status.ok()) BringOrgBackForInspection();
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(decided.effects_size(), 1);
  EXPECT_EQ(decided.effects(0).kind(), insp::EFFECT_KIND_DISSOLVE_ORGANIZATION);
  EXPECT_EQ(decided.effects(0).target(), OrgName(branch.cell_b));
  EXPECT_EQ(decided.subject_kind(), insp::SUBJECT_KIND_ORGANIZATION);
  const insp::DisciplineDecision pending = WaitForFailedAttempt(decided.name());
  ASSERT_EQ(pending.effects_size(), 1);
  EXPECT_EQ(pending.effects(0).state(), insp::EFFECT_STATE_PENDING);
  EXPECT_GE(pending.effects(0).attempts(), 1);
  EXPECT_FALSE(pending.effects(0).last_error().empty());
  EXPECT_EQ(OrganizationInOrg(branch.cell_b).state(), orgpb::ORGANIZATION_STATE_ACTIVE);

  BringOrgBackForInspection();
  WaitForEffects(decided.name(), insp::EFFECT_STATE_APPLIED);
  const orgpb::Organization dissolved = OrganizationInOrg(branch.cell_b);
  EXPECT_EQ(dissolved.state(), orgpb::ORGANIZATION_STATE_DISSOLVED);
  EXPECT_EQ(dissolved.ended_on(), "2026-03-02");
  EXPECT_EQ(OrgFeedEntries(OrgName(branch.cell_b), "dissolved"), 1);

  // Due again after a crash: org is not asked to dissolve it twice. (The
  // service's own worker may claim it first, so wait rather than run one pass.)
  MakeDueAgain(decided.name());
  WaitForEffects(decided.name(), insp::EFFECT_STATE_APPLIED);
  EXPECT_EQ(OrgFeedEntries(OrgName(branch.cell_b), "dissolved"), 1);
}

TEST_F(EffectsTest, AnEffectOrgRefusesForGoodEndsRefusedWithItsReasonAndIsNotRetried) {
  const membership::testing::Branch branch = NewBranch();
  TakeOrgDownForInspection();
  insp::DisciplineDecision decided;
  const grpc::Status status = Decide(InspectorToken(), Dissolution(branch.grassroots, branch.cell_b), &decided);
  // Meanwhile someone dissolves the cell by hand, on another date and by another decision.
  DissolveOrg(branch.cell_b, "2026-05-01");
  BringOrgBackForInspection();
  ASSERT_TRUE(status.ok()) << status.error_message();

  const insp::DisciplineDecision refused = WaitForEffects(decided.name(), insp::EFFECT_STATE_REFUSED);
  ASSERT_EQ(refused.effects_size(), 1);
  EXPECT_NE(refused.effects(0).last_error().find("2026-05-01"), std::string::npos) << refused.effects(0).last_error();
  EXPECT_TRUE(refused.effects(0).applied_at().empty());
  const int attempts = refused.effects(0).attempts();
  for (int i = 0; i < 3; ++i) RunEffectWorker();
  const insp::DisciplineDecision after = GetDecision(decided.name());
  EXPECT_EQ(after.effects(0).state(), insp::EFFECT_STATE_REFUSED);
  EXPECT_EQ(after.effects(0).attempts(), attempts);
  EXPECT_EQ(OrganizationInOrg(branch.cell_b).ended_on(), "2026-05-01");
  EXPECT_EQ(OrgFeedEntries(OrgName(branch.cell_b), "dissolved"), 1);
}

}  // namespace
}  // namespace grassroots::inspection::testing
