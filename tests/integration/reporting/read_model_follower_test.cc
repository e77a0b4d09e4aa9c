// The read model's org consumer behind the generic follower, against the REAL
// organization service (org's integration fixture, in-process on loopback):
// a cell created, moved and dissolved through org's API ends up as dated
// periods in rm_org_period.
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/feed/feed_follower.h"
#include "services/memberfacts/memberfacts_migrations.h"
#include "services/orgtree/org_projection.h"
#include "services/orgtree/orgtree_migrations.h"
#include "services/reporting/store/read_model.h"
#include "services/reporting/store/reporting_migrations.h"
#include "tests/integration/org/org_fixture.h"
#include "tests/support/test_db.h"

namespace grassroots::reporting {
namespace {

namespace orgpb = grassroots::org::v1;
using std::chrono::milliseconds;

class ReadModelFollowerTest : public org::testing::OrgFixture {
 protected:
  void SetUp() override {
    auto db = grassroots::testing::TestDatabase::Create(
        "reporting_follow", {&common::db::CommonMigrations(), &migrations::ReportingMigrations(),
                             &migrations::OrgTreeMigrations(), &migrations::MemberFactsMigrations()},
        4);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    projection_ = std::make_unique<orgtree::OrgProjection>(db_->pool());
  }
  void TearDown() override {
    if (follower_) follower_->Stop();
  }

  common::feed::FeedFollower& StartFollower() {
    common::feed::FeedFollowerOptions options;
    options.source = "org";
    options.feed_name = "organization";
    options.operation_prefix = "reporting.read_model.org";
    options.initial_backoff = milliseconds(50);
    options.max_backoff = milliseconds(300);
    options.head_poll_interval = milliseconds(100);
    // The service role's token, without the "Bearer " the follower adds.
    const std::string bearer = ServiceToken().substr(std::string("Bearer ").size());
    follower_ = std::make_unique<common::feed::FeedFollower>(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port()), grpc::InsecureChannelCredentials()),
        [bearer]() -> absl::StatusOr<std::string> { return bearer; }, db_->pool(), OrgFeedConsumer(*projection_),
        nullptr, options);
    follower_->Start();
    return *follower_;
  }

  static void Move(const std::string& name, const std::string& parent, const std::string& date) {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    orgpb::MoveOrganizationRequest request;
    request.set_name(name);
    request.set_new_parent(parent);
    request.set_effective_date(date);
    request.mutable_decision()->set_number("12-QĐ/ĐU");
    orgpb::Organization out;
    const grpc::Status status = orgs().MoveOrganization(&ctx, request, &out);
    ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  }
  static void Dissolve(const std::string& name, const std::string& date) {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    orgpb::DissolveOrganizationRequest request;
    request.set_name(name);
    request.set_effective_date(date);
    request.mutable_decision()->set_number("13-QĐ/ĐU");
    orgpb::Organization out;
    const grpc::Status status = orgs().DissolveOrganization(&ctx, request, &out);
    ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  }

  std::string Periods(int64_t org_id) {
    auto rows = db_->pool().Read<std::string>("test.rows", [&](common::db::Session& s) -> absl::StatusOr<std::string> {
      sql::PreparedStatement& ps = s.Prepare(
          "SELECT valid_from, valid_to, parent_id, type_code, state FROM rm_org_period WHERE org_id = ? "
          "ORDER BY valid_from");
      ps.setInt64(1, org_id);
      std::unique_ptr<sql::ResultSet> rs = s.Query(ps);
      std::string out;
      while (rs->next()) {
        absl::StrAppend(&out, std::string(rs->getString(1)), "|",
                        rs->isNull(2) ? std::string("-") : std::string(rs->getString(2)), "|", rs->getInt64(3), "|",
                        std::string(rs->getString(4)), "|", rs->getInt(5), "\n");
      }
      return out;
    });
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.value_or("");
  }

  std::unique_ptr<grassroots::testing::TestDatabase> db_;
  std::unique_ptr<orgtree::OrgProjection> projection_;
  std::unique_ptr<common::feed::FeedFollower> follower_;
};

TEST_F(ReadModelFollowerTest, CellCreatedMovedAndDissolvedThroughOrgHasDatedPeriods) {
  const orgpb::Organization first = CreateOrg("DANG_BO_XA", RootName(), "Đảng bộ xã Một", "", "2020-01-01");
  const orgpb::Organization second = CreateOrg("DANG_BO_XA", RootName(), "Đảng bộ xã Hai", "", "2020-01-01");
  const orgpb::Organization cell = CreateOrg("CHI_BO_CO_SO", first.name(), "Chi bộ thôn Đông", "", "2021-03-01");
  Move(cell.name(), second.name(), "2023-06-15");
  Dissolve(cell.name(), "2025-12-31");

  common::feed::FeedFollower& follower = StartFollower();
  const int64_t head = QueryInt("SELECT last_sequence FROM feed_head");
  ASSERT_TRUE(follower.WaitUntilHandled(head, milliseconds(15000)))
      << "handled " << follower.HandledSequence() << " of " << head;
  EXPECT_EQ(follower.BlockedAt().reason, common::feed::BlockReason::kNone);

  EXPECT_EQ(Periods(IdOf(cell.name())),
            absl::StrCat("2021-03-01|2023-06-15|", IdOf(first.name()), "|CHI_BO_CO_SO|",
                         orgpb::ORGANIZATION_STATE_ACTIVE, "\n",                                      //
                         "2023-06-15|2025-12-31|", IdOf(second.name()), "|CHI_BO_CO_SO|",
                         orgpb::ORGANIZATION_STATE_ACTIVE, "\n",                                      //
                         "2025-12-31|-|", IdOf(second.name()), "|CHI_BO_CO_SO|",
                         orgpb::ORGANIZATION_STATE_DISSOLVED, "\n"));
  // The current tree (org-tree projection) has the cell under its new parent.
  EXPECT_EQ(db_->QueryInt(absl::StrCat("SELECT parent_id FROM org_projection WHERE org_id = ", IdOf(cell.name())))
                .value_or(-1),
            IdOf(second.name()));
  EXPECT_EQ(db_->QueryInt("SELECT COUNT(*) FROM rm_org_type WHERE type_code = 'CHI_BO_CO_SO' AND is_cell").value_or(-1),
            1);
}

}  // namespace
}  // namespace grassroots::reporting
