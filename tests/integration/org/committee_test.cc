// CommitteeService: terms, positions and CheckOrganizationRules through gRPC.

#include "tests/integration/org/org_fixture.h"

namespace grassroots::org::testing {
namespace {

class CommitteeTest : public OrgFixture {
 protected:
  grpc::Status CreateTerm(const std::string& org, const std::string& starts, const std::string& ends, bool elected,
                          int seats, v1::CommitteeTerm* out) {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::CreateCommitteeTermRequest request;
    request.set_parent(org);
    request.mutable_term()->set_label("2020-2025");
    request.mutable_term()->set_starts_on(starts);
    request.mutable_term()->set_ends_on(ends);
    request.mutable_term()->set_elected_committee(elected);
    request.mutable_term()->set_seats(seats);
    return committees().CreateCommitteeTerm(&ctx, request, out);
  }
  grpc::Status Assign(const std::string& term, int64_t member, v1::PositionKind kind, const std::string& starts,
                      v1::Position* out, const std::string& party_group = "") {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::AssignPositionRequest request;
    request.set_parent(term);
    request.mutable_position()->set_member("members/" + std::to_string(member));
    request.mutable_position()->set_kind(kind);
    request.mutable_position()->set_starts_on(starts);
    request.mutable_position()->set_party_group(party_group);
    return committees().AssignPosition(&ctx, request, out);
  }
  v1::CheckOrganizationRulesResponse Check(const std::string& org, int official, int probationary,
                                           const std::string& as_of) {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::CheckOrganizationRulesRequest request;
    request.set_name(org);
    request.set_official_members(official);
    request.set_probationary_members(probationary);
    request.set_as_of_date(as_of);
    v1::CheckOrganizationRulesResponse response;
    grpc::Status status = committees().CheckOrganizationRules(&ctx, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }
  static bool Has(const v1::CheckOrganizationRulesResponse& r, const std::string& code) {
    for (const auto& f : r.findings()) {
      if (f.code() == code) return true;
    }
    return false;
  }
};

TEST_F(CommitteeTest, TermsAndElectedCommitteeFlag) {
  v1::Organization xa = CreateOrg("DANG_BO_XA", RootName(), "Xã nhiệm kỳ");
  v1::Organization cell = CreateOrg("CHI_BO_CO_SO", xa.name(), "Chi bộ");
  v1::CommitteeTerm term;
  ASSERT_TRUE(CreateTerm(cell.name(), "2020-09-01", "2025-09-01", true, 5, &term).ok());
  EXPECT_EQ(term.organization(), cell.name());
  // Overlapping term refused; the next one fits.
  v1::CommitteeTerm other;
  EXPECT_EQ(Reason(CreateTerm(cell.name(), "2025-01-01", "2027-01-01", false, 0, &other)), "TERM_OVERLAPS");
  ASSERT_TRUE(CreateTerm(cell.name(), "2025-09-01", "", false, 0, &other).ok());
  // Bad fields.
  EXPECT_EQ(CreateTerm(cell.name(), "2031-01-01", "2030-01-01", true, 3, &other).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(CreateTerm(cell.name(), "2031-01-01", "", false, 3, &other).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  grpc::ClientContext ctx;
  Authorize(ctx, AdminToken());
  v1::GetOrganizationRequest get;
  get.set_name(cell.name());
  get.set_as_of_date("2024-01-01");
  v1::Organization org;
  ASSERT_TRUE(orgs().GetOrganization(&ctx, get, &org).ok());
  EXPECT_TRUE(org.has_elected_committee());
  grpc::ClientContext ctx2;
  Authorize(ctx2, AdminToken());
  get.set_as_of_date("2025-10-01");
  ASSERT_TRUE(orgs().GetOrganization(&ctx2, get, &org).ok());
  EXPECT_FALSE(org.has_elected_committee());

  grpc::ClientContext list_ctx;
  Authorize(list_ctx, AdminToken());
  v1::ListCommitteeTermsRequest list;
  list.set_parent(cell.name());
  v1::ListCommitteeTermsResponse terms;
  ASSERT_TRUE(committees().ListCommitteeTerms(&list_ctx, list, &terms).ok());
  EXPECT_EQ(terms.terms_size(), 2);

  // End the first term early; etag checked.
  grpc::ClientContext end_ctx;
  Authorize(end_ctx, AdminToken());
  v1::EndCommitteeTermRequest end;
  end.set_name(term.name());
  end.set_ended_on("2025-06-01");
  end.set_etag("\"999\"");
  v1::CommitteeTerm ended;
  EXPECT_EQ(committees().EndCommitteeTerm(&end_ctx, end, &ended).error_code(), grpc::StatusCode::ABORTED);
  grpc::ClientContext end_ctx2;
  Authorize(end_ctx2, AdminToken());
  end.set_etag(term.etag());
  ASSERT_TRUE(committees().EndCommitteeTerm(&end_ctx2, end, &ended).ok());
  EXPECT_EQ(ended.ends_on(), "2025-06-01");

  grpc::ClientContext get_ctx;
  Authorize(get_ctx, AdminToken());
  v1::GetCommitteeTermRequest get_term;
  get_term.set_name(term.name());
  v1::CommitteeTerm fetched;
  ASSERT_TRUE(committees().GetCommitteeTerm(&get_ctx, get_term, &fetched).ok());
  EXPECT_EQ(fetched.ends_on(), "2025-06-01");
  grpc::ClientContext missing_ctx;
  Authorize(missing_ctx, AdminToken());
  get_term.set_name(cell.name() + "/committeeTerms/99999999");
  EXPECT_EQ(committees().GetCommitteeTerm(&missing_ctx, get_term, &fetched).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(CommitteeTest, Positions) {
  v1::Organization xa = CreateOrg("DANG_BO_XA", RootName(), "Xã chức vụ");
  v1::Organization cell = CreateOrg("CHI_BO_CO_SO", xa.name(), "Chi bộ");
  v1::Organization group = CreateOrg("TO_DANG", cell.name(), "Tổ đảng 1");
  v1::CommitteeTerm term;
  ASSERT_TRUE(CreateTerm(cell.name(), "2020-09-01", "2025-09-01", true, 3, &term).ok());
  v1::Position secretary, deputy, member, leader, out;
  ASSERT_TRUE(Assign(term.name(), 101, v1::POSITION_KIND_SECRETARY, "2020-09-01", &secretary).ok());
  EXPECT_EQ(Reason(Assign(term.name(), 102, v1::POSITION_KIND_SECRETARY, "2021-01-01", &out)),
            "POSITION_ALREADY_HELD");
  EXPECT_EQ(Reason(Assign(term.name(), 101, v1::POSITION_KIND_DEPUTY_SECRETARY, "2021-01-01", &out)),
            "POSITION_ALREADY_HELD");
  ASSERT_TRUE(Assign(term.name(), 102, v1::POSITION_KIND_DEPUTY_SECRETARY, "2020-09-01", &deputy).ok());
  ASSERT_TRUE(Assign(term.name(), 103, v1::POSITION_KIND_COMMITTEE_MEMBER, "2020-09-01", &member).ok());
  EXPECT_EQ(Reason(Assign(term.name(), 104, v1::POSITION_KIND_COMMITTEE_MEMBER, "2020-09-01", &out)),
            "COMMITTEE_SEATS_FULL");
  EXPECT_EQ(Reason(Assign(term.name(), 105, v1::POSITION_KIND_COMMITTEE_MEMBER, "2019-01-01", &out)),
            "POSITION_OUTSIDE_TERM");
  ASSERT_TRUE(Assign(term.name(), 106, v1::POSITION_KIND_PARTY_GROUP_LEADER, "2020-09-01", &leader, group.name()).ok());
  EXPECT_EQ(leader.party_group(), group.name());
  EXPECT_EQ(Assign(term.name(), 107, v1::POSITION_KIND_PARTY_GROUP_LEADER, "2020-09-01", &out, xa.name()).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Assign(term.name(), 108, v1::POSITION_KIND_UNSPECIFIED, "2020-09-01", &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  grpc::ClientContext end_ctx;
  Authorize(end_ctx, AdminToken());
  v1::EndPositionRequest end;
  end.set_name(secretary.name());
  end.set_ended_on("2022-01-01");
  end.set_request_id("end-secretary-1");
  v1::Position ended;
  ASSERT_TRUE(committees().EndPosition(&end_ctx, end, &ended).ok());
  EXPECT_EQ(ended.ends_on(), "2022-01-01");
  // A retry with the same request id (a discipline effect re-applied) gets the same answer.
  grpc::ClientContext retry_ctx;
  Authorize(retry_ctx, AdminToken());
  v1::Position retried;
  ASSERT_TRUE(committees().EndPosition(&retry_ctx, end, &retried).ok());
  EXPECT_EQ(retried.SerializeAsString(), ended.SerializeAsString());
  // The seat is free again from then on.
  v1::Position successor;
  ASSERT_TRUE(Assign(term.name(), 109, v1::POSITION_KIND_SECRETARY, "2022-01-01", &successor).ok());

  grpc::ClientContext list_ctx;
  Authorize(list_ctx, AdminToken());
  v1::ListPositionsRequest list;
  list.set_parent(term.name());
  list.set_as_of_date("2021-06-01");
  v1::ListPositionsResponse held;
  ASSERT_TRUE(committees().ListPositions(&list_ctx, list, &held).ok());
  EXPECT_EQ(held.positions_size(), 4);  // secretary 101, deputy, member, group leader
  grpc::ClientContext all_ctx;
  Authorize(all_ctx, AdminToken());
  list.set_as_of_date("");
  ASSERT_TRUE(committees().ListPositions(&all_ctx, list, &held).ok());
  EXPECT_EQ(held.positions_size(), 5);

  // A term without an elected committee has no committee members.
  v1::CommitteeTerm plain;
  ASSERT_TRUE(CreateTerm(cell.name(), "2025-09-01", "", false, 0, &plain).ok());
  EXPECT_EQ(Reason(Assign(plain.name(), 110, v1::POSITION_KIND_COMMITTEE_MEMBER, "2025-09-01", &out)),
            "NO_ELECTED_COMMITTEE");
}

TEST_F(CommitteeTest, CheckOrganizationRules) {
  v1::Organization xa = CreateOrg("DANG_BO_XA", RootName(), "Xã quy tắc");
  v1::Organization cell = CreateOrg("CHI_BO_CO_SO", xa.name(), "Chi bộ");
  EXPECT_FALSE(Has(Check(cell.name(), 8, 3, "2024-01-01"), "MUST_ELECT_COMMITTEE"));
  v1::CheckOrganizationRulesResponse nine = Check(cell.name(), 9, 0, "2024-01-01");
  ASSERT_TRUE(Has(nine, "MUST_ELECT_COMMITTEE"));
  EXPECT_EQ(nine.findings(0).rule_id(), "org.cell.committee_required_min_official");
  EXPECT_FALSE(nine.findings(0).citation().empty());
  EXPECT_EQ(nine.findings(0).severity(), v1::FINDING_SEVERITY_VIOLATION);
  EXPECT_TRUE(Has(Check(cell.name(), 2, 0, "2024-01-01"), "MUST_MERGE_OR_DISSOLVE"));
  EXPECT_TRUE(Has(Check(cell.name(), 25, 5, "2024-01-01"), "SHOULD_BECOME_DANG_BO_CO_SO"));
  // With an elected committee of 8 seats in office: over the maximum of 7.
  v1::CommitteeTerm term;
  ASSERT_TRUE(CreateTerm(cell.name(), "2023-01-01", "", true, 8, &term).ok());
  v1::CheckOrganizationRulesResponse with_committee = Check(cell.name(), 12, 0, "2024-01-01");
  EXPECT_FALSE(Has(with_committee, "MUST_ELECT_COMMITTEE"));
  EXPECT_TRUE(Has(with_committee, "COMMITTEE_SEATS_EXCEED_MAX"));
  // Before the term began the committee was not in office.
  EXPECT_TRUE(Has(Check(cell.name(), 12, 0, "2022-12-31"), "MUST_ELECT_COMMITTEE"));

  grpc::ClientContext ctx;
  Authorize(ctx, AdminToken());
  v1::CheckOrganizationRulesRequest bad;
  bad.set_name(cell.name());
  bad.set_official_members(-1);
  v1::CheckOrganizationRulesResponse response;
  EXPECT_EQ(committees().CheckOrganizationRules(&ctx, bad, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace grassroots::org::testing
