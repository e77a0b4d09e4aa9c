// Searches read from a real MariaDB replica (GTID replication on loopback,
// fixture mariadb_replica): served by the replica when it is fresh, by the
// primary when it lags behind a write the reader must see (this process's, or
// another process's named by x-grassroots-read-after) or is down.
//
// Two further processes of the membership service run beside the suite's own
// one, each with its own primary pool, a TCP proxy in front of the replica (so
// a test can take the replica away) and metrics of its own: `writer` and
// `reader`. Lag is made on purpose with STOP SLAVE SQL_THREAD.
#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/db/read_router.h"
#include "common/feed/sequencer.h"
#include "tests/integration/membership/membership_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/tcp_proxy.h"
#include "tests/support/test_replica.h"

namespace grassroots::membership::testing {
namespace {

using grassroots::testing::Eventually;
using grassroots::testing::MetricValue;
using grassroots::testing::TestReplica;

constexpr std::chrono::milliseconds kReplicaWait{100};
constexpr std::chrono::milliseconds kRetryAfter{300};
constexpr std::string_view kSearchOperation = "membership.search_members";

class ReplicaReadsTest : public MembershipFixture {
 protected:
  struct Process {
    std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
    std::unique_ptr<common::db::ConnectionPool> pool;
    std::unique_ptr<grassroots::testing::TcpProxy> replica_proxy;
    std::unique_ptr<common::db::ReadRouter> reads;
    std::unique_ptr<MembershipInstance> instance;

    // Searches the replica served (a series not yet created counts 0).
    double ReplicaReads() const {
      return std::max(0.0,
                      MetricValue(*registry, "db_replica_reads_total", {{"operation", std::string(kSearchOperation)}}));
    }
    double Fallbacks(const std::string& reason) const {
      return std::max(0.0, MetricValue(*registry, "db_replica_fallbacks_total", {{"reason", reason}}));
    }
  };

  static void SetUpTestSuite() {
    MembershipFixture::SetUpTestSuite();
    if (HasFatalFailure()) return;
    // A run that stopped in the middle of a test may have left the applier stopped.
    ASSERT_TRUE(TestReplica::ResumeApplying().ok());
    writer_ = StartProcess();
    reader_ = StartProcess();
  }

  static void TearDownTestSuite() {
    writer_.reset();
    reader_.reset();
    MembershipFixture::TearDownTestSuite();
  }

  void TearDown() override {
    const absl::Status resumed = TestReplica::ResumeApplying();
    EXPECT_TRUE(resumed.ok()) << resumed;
  }

  static std::unique_ptr<Process> StartProcess() {
    auto process = std::make_unique<Process>();
    auto pool = common::db::ConnectionPool::Create(MemberDbConfig(), nullptr);
    EXPECT_TRUE(pool.ok()) << pool.status();
    if (!pool.ok()) return nullptr;
    process->pool = *std::move(pool);
    absl::StatusOr<common::ReadReplicaConfig> replica = TestReplica::ReadConfig(kReplicaWait);
    EXPECT_TRUE(replica.ok()) << replica.status();
    if (!replica.ok()) return nullptr;
    process->replica_proxy = std::make_unique<grassroots::testing::TcpProxy>(replica->host, replica->port);
    const absl::Status proxied = process->replica_proxy->Start();
    EXPECT_TRUE(proxied.ok()) << proxied;
    replica->port = process->replica_proxy->port();
    replica->retry_after = kRetryAfter;
    auto reads = common::db::ReadRouter::Create(*process->pool, *replica, process->registry);
    EXPECT_TRUE(reads.ok()) << reads.status();
    if (!reads.ok()) return nullptr;
    process->reads = *std::move(reads);
    EXPECT_TRUE(process->reads->has_replica());
    process->instance = StartMembershipInstance(*process->pool, *process->reads);
    if (process->instance == nullptr) return nullptr;
    // The suite's own service keeps the shared org projection; this process's
    // follower would only add writes (and so positions to wait for) at moments
    // no test chooses.
    process->instance->services->follower().Stop();
    return process;
  }

  // A new official member of `cell` created through `process`; `read_after`
  // receives the x-grassroots-read-after the answer carried.
  static v1::Member CreateThrough(Process& process, int64_t cell, std::string* read_after) {
    v1::CreateMemberRequest request =
        ExistingMemberRequest(cell, NewPerson(), v1::MEMBER_STATUS_OFFICIAL, MonthsFromToday(-60), "");
    grpc::ClientContext context;
    Authorize(context, AdminToken());
    v1::Member created;
    const grpc::Status status = process.instance->members->CreateMember(&context, request, &created);
    EXPECT_TRUE(status.ok()) << status.error_message() << " [" << BadField(status) << "]";
    const auto& trailers = context.GetServerTrailingMetadata();
    auto it = trailers.find(std::string(common::db::kReadAfterMetadata));
    if (read_after != nullptr) *read_after = it == trailers.end() ? "" : std::string(it->second.data(), it->second.size());
    return created;
  }

  // The resource names SearchMembers gives for every member of `organization`,
  // asked through `process` (with x-grassroots-read-after when given).
  static std::vector<std::string> SearchThrough(Process& process, int64_t organization,
                                                const std::string& read_after = "") {
    v1::SearchMembersRequest request;
    request.set_organization(OrgName(organization));
    grpc::ClientContext context;
    Authorize(context, AdminToken());
    if (!read_after.empty()) context.AddMetadata(std::string(common::db::kReadAfterMetadata), read_after);
    v1::SearchMembersResponse response;
    const grpc::Status status = process.instance->members->SearchMembers(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> names;
    for (const v1::Member& member : response.members()) names.push_back(member.name());
    return names;
  }

  static bool Contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  }

  static std::unique_ptr<Process> writer_;
  static std::unique_ptr<Process> reader_;
};

std::unique_ptr<ReplicaReadsTest::Process> ReplicaReadsTest::writer_;
std::unique_ptr<ReplicaReadsTest::Process> ReplicaReadsTest::reader_;

TEST_F(ReplicaReadsTest, SearchIsServedByTheReplicaAndShowsItsLagWhenNothingMustBeSeen) {
  ASSERT_NE(reader_, nullptr);
  const Branch branch = NewBranch();
  const v1::Member before = CreateExisting(branch.cell_a, NewPerson());
  ASSERT_TRUE(TestReplica::WaitUntilCaughtUp().ok());
  const double served = reader_->ReplicaReads();
  EXPECT_TRUE(Contains(SearchThrough(*reader_, branch.grassroots), before.name()));
  EXPECT_EQ(reader_->ReplicaReads(), served + 1);

  // Written by another process, and the reader brings no position: the
  // replica's answer, without what it has not applied, is the one given.
  // First the reader's own writes settle: the audit entry of its search is
  // written in the background and then linked in a transaction, which would
  // raise its mark past a stopped replica.
  ASSERT_TRUE(reader_->instance->services->context().read_audit.Flush().ok());
  ASSERT_TRUE(common::feed::SealCommitted(*reader_->pool).ok());
  ASSERT_TRUE(TestReplica::WaitUntilCaughtUp().ok());
  ASSERT_TRUE(TestReplica::StopApplying().ok());
  const v1::Member during = CreateExisting(branch.cell_a, NewPerson());
  const std::vector<std::string> stale = SearchThrough(*reader_, branch.grassroots);
  EXPECT_TRUE(Contains(stale, before.name()));
  EXPECT_FALSE(Contains(stale, during.name())) << "the search did not read the stopped replica";
  EXPECT_EQ(reader_->ReplicaReads(), served + 2);

  ASSERT_TRUE(TestReplica::ResumeApplying().ok());
  ASSERT_TRUE(TestReplica::WaitUntilCaughtUp().ok());
  EXPECT_TRUE(Contains(SearchThrough(*reader_, branch.grassroots), during.name()));
  EXPECT_EQ(reader_->ReplicaReads(), served + 3);
}

TEST_F(ReplicaReadsTest, AWriterSeesItsOwnWriteWhileTheReplicaLags) {
  ASSERT_NE(writer_, nullptr);
  const Branch branch = NewBranch();
  ASSERT_TRUE(TestReplica::WaitUntilCaughtUp().ok());
  ASSERT_TRUE(TestReplica::StopApplying().ok());
  const double lagging = writer_->Fallbacks("lagging");
  const double served = writer_->ReplicaReads();

  std::string read_after;
  const v1::Member created = CreateThrough(*writer_, branch.cell_a, &read_after);
  EXPECT_TRUE(common::db::GtidPosition::Parse(read_after).ok()) << read_after;
  EXPECT_FALSE(read_after.empty()) << "the write's answer carried no x-grassroots-read-after";

  // The replica cannot reach this process's write within the wait: the primary answers.
  EXPECT_TRUE(Contains(SearchThrough(*writer_, branch.grassroots), created.name()));
  EXPECT_EQ(writer_->Fallbacks("lagging"), lagging + 1);
  EXPECT_EQ(writer_->ReplicaReads(), served);
}

TEST_F(ReplicaReadsTest, AnotherProcessHonoursTheWritesPositionFromMetadata) {
  ASSERT_NE(writer_, nullptr);
  ASSERT_NE(reader_, nullptr);
  const Branch branch = NewBranch();
  ASSERT_TRUE(TestReplica::WaitUntilCaughtUp().ok());
  ASSERT_TRUE(TestReplica::StopApplying().ok());
  std::string read_after;
  const v1::Member created = CreateThrough(*writer_, branch.cell_a, &read_after);
  ASSERT_FALSE(read_after.empty());

  const double lagging = reader_->Fallbacks("lagging");
  // Without the position the reader's replica answer misses the write...
  EXPECT_FALSE(Contains(SearchThrough(*reader_, branch.grassroots), created.name()));
  // ...with it, the reader waits for the replica, then reads the primary.
  EXPECT_TRUE(Contains(SearchThrough(*reader_, branch.grassroots, read_after), created.name()));
  EXPECT_EQ(reader_->Fallbacks("lagging"), lagging + 1);

  // Once the replica has applied the write, the same position is served by it.
  ASSERT_TRUE(TestReplica::ResumeApplying().ok());
  ASSERT_TRUE(TestReplica::WaitUntilCaughtUp().ok());
  const double served = reader_->ReplicaReads();
  EXPECT_TRUE(Contains(SearchThrough(*reader_, branch.grassroots, read_after), created.name()));
  EXPECT_EQ(reader_->ReplicaReads(), served + 1);
}

TEST_F(ReplicaReadsTest, AReplicaThatIsDownCostsNoRead) {
  ASSERT_NE(reader_, nullptr);
  const Branch branch = NewBranch();
  const v1::Member member = CreateExisting(branch.cell_a, NewPerson());
  ASSERT_TRUE(TestReplica::WaitUntilCaughtUp().ok());
  EXPECT_TRUE(Contains(SearchThrough(*reader_, branch.grassroots), member.name()));  // a pooled replica connection

  reader_->replica_proxy->Stop();
  const double errors = reader_->Fallbacks("replica_error");
  const double resting = reader_->Fallbacks("replica_resting");
  EXPECT_TRUE(Contains(SearchThrough(*reader_, branch.grassroots), member.name()));
  EXPECT_EQ(reader_->Fallbacks("replica_error"), errors + 1);
  // Until retry_after passes the replica is not tried again.
  EXPECT_TRUE(Contains(SearchThrough(*reader_, branch.grassroots), member.name()));
  EXPECT_EQ(reader_->Fallbacks("replica_resting"), resting + 1);

  ASSERT_TRUE(reader_->replica_proxy->Start().ok());
  std::this_thread::sleep_for(kRetryAfter);
  const double served = reader_->ReplicaReads();
  EXPECT_TRUE(Contains(SearchThrough(*reader_, branch.grassroots), member.name()));
  EXPECT_EQ(reader_->ReplicaReads(), served + 1);
}

TEST_F(ReplicaReadsTest, AMalformedReadAfterIsRefusedNamingTheMetadata) {
  ASSERT_NE(reader_, nullptr);
  v1::SearchMembersRequest request;
  request.set_organization(OrgName(RootId()));
  grpc::ClientContext context;
  Authorize(context, AdminToken());
  context.AddMetadata(std::string(common::db::kReadAfterMetadata), "0-1-not-a-number");
  v1::SearchMembersResponse response;
  const grpc::Status status = reader_->instance->members->SearchMembers(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("x-grassroots-read-after"), std::string::npos) << status.error_message();
}

}  // namespace
}  // namespace grassroots::membership::testing
