// Backup and recovery (docs/operations.md) with the real binaries: grassroots-org
// (the producer) and grassroots-membership (following org's change feed) under
// write load on a MariaDB server of the test's own; a `mariadb-backup --backup`
// taken while clients create organizations; `--prepare`, `--copy-back` into a
// NEW server (new datadir, new port); point-in-time recovery by replaying the
// old server's binary log from the backup's position to a later mark; the
// restore step that draws a new feed epoch; org started on the restored
// database. It checks what each acknowledged write became and that membership
// notices the restored producer and rebuilds, neither hanging nor skipping.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/strings/ascii.h"
#include "common/auth/auth.h"
#include "common/config/config.h"
#include "common/db/db.h"
#include "common/server/service_host.h"
#include "grassroots/org/v1/organization.grpc.pb.h"
#include "tests/integration/system/process_support.h"
#include "tests/support/test_tokens.h"

namespace grassroots::system_test {
namespace {

namespace orgv1 = ::grassroots::org::v1;
using Clock = std::chrono::steady_clock;
using common::auth::Role;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kOrgDatabase[] = "grassroots_org";
constexpr char kMembershipDatabase[] = "grassroots_membership";
constexpr char kBackupUser[] = "grassroots_backup";
constexpr char kBackupPassword[] = "backup-test-password";
constexpr int kWriters = 4;
constexpr milliseconds kDrainDelay{200};
constexpr milliseconds kShutdownGrace{2000};

// One CreateOrganization call of the load: when it was sent and when it was
// acknowledged, so each can be placed against the backup and the recovery mark.
struct AcknowledgedWrite {
  int64_t id = 0;
  std::string code;
  Clock::time_point sent;
  Clock::time_point acknowledged;
};

// The MariaDB client tools (Debian puts them in /usr/bin); Spawn takes a path, not a PATH lookup.
std::string Tool(const std::string& name) {
  for (const char* dir : {"/usr/bin", "/usr/sbin", "/usr/local/bin"}) {
    const std::filesystem::path path = std::filesystem::path(dir) / name;
    if (std::filesystem::exists(path)) return path.string();
  }
  return name;
}

class BackupRestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/grassroots-backup-system-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr) << std::strerror(errno);
    work_dir_ = pattern;
    for (const char* tool : {"mariadb-backup", "mariadb-binlog", "mariadb"}) {
      ASSERT_TRUE(std::filesystem::exists(Tool(tool)))
          << tool << " is not installed: scripts/install-deps.sh installs it (mariadb-backup, mariadb-client)";
    }
    absl::StatusOr<int> port = StartOwnMariadb(OldServerDir(), work_dir_ / "old.log");
    ASSERT_TRUE(port.ok()) << port.status();
    old_port_ = *port;
    const absl::Status created = CreateDatabases(old_port_, {kOrgDatabase, kMembershipDatabase});
    ASSERT_TRUE(created.ok()) << created;
    WriteServiceSecrets(work_dir_, "backup-system-test");
    org_.grpc_port = PickFreePort();
    ASSERT_GT(org_.grpc_port, 0);
  }

  void TearDown() override {
    for (ServiceProcess* process : {&membership_, &org_}) KillService(process, HasFailure());
    if (work_dir_.empty()) return;
    for (const std::filesystem::path& server : {NewServerDir(), OldServerDir()}) {
      if (!std::filesystem::exists(server)) continue;
      const absl::Status stopped = StopOwnMariadb(server, work_dir_ / "stop.log");
      EXPECT_TRUE(stopped.ok()) << stopped;
    }
    if (HasFailure()) {
      for (const char* log : {"backup.log", "prepare.log", "copy-back.log", "binlog-replay.log"}) {
        if (std::filesystem::exists(work_dir_ / log)) {
          std::cerr << "---- " << log << " (last 3000 bytes) ----\n" << Tail(ReadFile(work_dir_ / log), 3000) << "----\n";
        }
      }
    }
    std::error_code ignored;
    std::filesystem::remove_all(work_dir_, ignored);
  }

  std::filesystem::path OldServerDir() const { return work_dir_ / "old"; }
  std::filesystem::path NewServerDir() const { return work_dir_ / "new"; }
  std::filesystem::path BackupDir() const { return work_dir_ / "backup"; }

  // Runs argv (a tool, or bash -c for a pipe) with its output in work_dir_/log;
  // fails the test naming the log when it does not exit 0 within the timeout.
  void Run(const std::vector<std::string>& argv, const std::string& log, seconds timeout) {
    const std::string log_path = (work_dir_ / log).string();
    const pid_t pid = Spawn(argv, InheritedEnvironment(), log_path, log_path);
    ASSERT_GT(pid, 0) << "cannot run " << argv.front();
    const std::optional<int> status = WaitForExit(pid, timeout);
    if (!status) {
      SignalChild(pid, SIGKILL);
      WaitForExit(pid, seconds(5));
    }
    ASSERT_TRUE(status.has_value()) << argv.front() << " did not finish within " << timeout.count() << " s";
    ASSERT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
        << absl::StrJoin(argv, " ") << ": " << DescribeWaitStatus(*status) << "\n"
        << Tail(ReadFile(log_path), 3000);
  }

  // Statements through a root connection of the test's own.
  absl::Status Execute(int port, const std::string& database, const std::vector<std::string>& statements) {
    absl::StatusOr<std::unique_ptr<common::db::ConnectionPool>> pool =
        common::db::ConnectionPool::Create(RootDbConfig(port, database), nullptr);
    if (!pool.ok()) return pool.status();
    return (*pool)->Run("backup_test_execute", [&](common::db::Session& session) {
      std::unique_ptr<sql::Statement> statement(session.connection().createStatement());
      for (const std::string& text : statements) statement->execute(text);
      return absl::OkStatus();
    });
  }

  // The first column of every row, as text.
  absl::StatusOr<std::vector<std::string>> QueryColumn(int port, const std::string& database,
                                                       const std::string& sql_text) {
    absl::StatusOr<std::unique_ptr<common::db::ConnectionPool>> pool =
        common::db::ConnectionPool::Create(RootDbConfig(port, database), nullptr);
    if (!pool.ok()) return pool.status();
    return (*pool)->Read<std::vector<std::string>>(
        "backup_test_query", [&](common::db::Session& session) -> absl::StatusOr<std::vector<std::string>> {
          std::unique_ptr<sql::ResultSet> rs = session.Query(session.Prepare(sql_text));
          std::vector<std::string> values;
          while (rs->next()) values.emplace_back(rs->getString(1));
          return values;
        });
  }

  std::string QueryText(int port, const std::string& database, const std::string& sql_text) {
    absl::StatusOr<std::vector<std::string>> values = QueryColumn(port, database, sql_text);
    return values.ok() && !values->empty() ? values->front() : "";
  }

  std::vector<std::string> Settings(const std::string& database, int db_port, ServiceProcess& process) const {
    const ServiceBase base = {.db_port = db_port,
                              .database = database,
                              .secrets_dir = work_dir_,
                              .pool_size = 8,
                              .drain_delay = kDrainDelay,
                              .shutdown_grace = kShutdownGrace,
                              // The load's clients share one token subject; the per-caller limit would refuse most.
                              .limit_caller_rate = false};
    return ServiceSettings(base, &process);
  }

  void Start(ServiceProcess& process, const char* binary, const std::string& name,
             const std::vector<std::string>& settings) {
    const absl::Status started = StartService(binary, name, work_dir_, settings, &process);
    ASSERT_TRUE(started.ok()) << started;
  }

  // org on the database server listening on db_port (the old one, then the restored one).
  void StartOrg(int db_port, const std::string& name) {
    ASSERT_NO_FATAL_FAILURE(
        Start(org_, GRASSROOTS_ORG_BINARY, name, Settings(kOrgDatabase, db_port, org_)));
  }

  // membership keeps its own database on the old server throughout: only the producer is restored.
  void StartMembership() {
    membership_.grpc_port = PickFreePort();
    ASSERT_GT(membership_.grpc_port, 0);
    std::vector<std::string> settings = Settings(kMembershipDatabase, old_port_, membership_);
    for (std::string& setting : MembershipOwnSettings(work_dir_, org_.grpc_port, milliseconds(1000))) {
      settings.push_back(std::move(setting));
    }
    ASSERT_NO_FATAL_FAILURE(Start(membership_, GRASSROOTS_MEMBERSHIP_BINARY, "membership", settings));
  }

  void WaitForServing(ServiceProcess& process, milliseconds timeout) {
    absl::StatusOr<int> last = absl::UnknownError("never asked");
    const bool reached = PollUntil(timeout, milliseconds(50), [&] {
      int status = 0;
      if (::waitpid(process.pid, &status, WNOHANG) == process.pid) {
        process.pid = -1;
        ADD_FAILURE() << process.stderr_path.filename() << ": exited, " << DescribeWaitStatus(status);
        return true;
      }
      last = HealthCheck(process.channel);
      return last.ok() && *last == kServing;
    });
    ASSERT_FALSE(HasFatalFailure());
    ASSERT_TRUE(reached) << process.stderr_path.filename() << ": not SERVING within " << timeout.count()
                         << " ms; last answer: " << (last.ok() ? std::to_string(*last) : last.status().ToString());
  }

  void StopGracefully(ServiceProcess& process) {
    ASSERT_TRUE(SignalChild(process.pid, SIGTERM));
    const std::optional<int> status = WaitForExit(process.pid, kDrainDelay + kShutdownGrace + seconds(5));
    ASSERT_TRUE(status.has_value()) << process.stderr_path.filename() << " did not exit after SIGTERM";
    process.pid = -1;
  }

  static std::string Bearer(int64_t scope) {
    return grassroots::testing::MintToken({Role::kAdmin}, scope, std::nullopt, absl::Hours(1));
  }

  // Creates an organization (under `parent`, or the root when 0); its id, or why not.
  absl::StatusOr<int64_t> CreateOrganization(const std::string& code, int64_t parent) {
    orgv1::CreateOrganizationRequest request;
    request.mutable_organization()->set_code(code);
    request.mutable_organization()->set_display_name(absl::StrCat("Chi bộ ", code));
    request.mutable_organization()->set_type(parent == 0 ? "DANG_BO_TINH" : "DANG_BO_XA");
    if (parent != 0) request.mutable_organization()->set_parent(absl::StrCat("organizations/", parent));
    request.mutable_organization()->set_established_on("2020-01-01");
    grpc::ClientContext context;
    context.AddMetadata("authorization", Bearer(parent == 0 ? 1 : parent));
    context.set_deadline(std::chrono::system_clock::now() + seconds(5));
    orgv1::Organization created;
    const grpc::Status status =
        orgv1::OrganizationService::NewStub(org_.channel)->CreateOrganization(&context, request, &created);
    if (!status.ok()) return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
    return std::atoll(created.name().substr(created.name().rfind('/') + 1).c_str());
  }

  // "id:code" of every organization org holds, sorted.
  std::vector<std::string> OrganizationsIn(int port) {
    absl::StatusOr<std::vector<std::string>> rows =
        QueryColumn(port, kOrgDatabase, "SELECT CONCAT(id, ':', code) FROM organizations ORDER BY id");
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.value_or(std::vector<std::string>{});
  }
  // The same, as membership's projection of org's feed holds it.
  std::vector<std::string> ProjectedOrganizations() {
    absl::StatusOr<std::vector<std::string>> rows = QueryColumn(
        old_port_, kMembershipDatabase, "SELECT CONCAT(org_id, ':', code) FROM org_projection ORDER BY org_id");
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.value_or(std::vector<std::string>{});
  }

  int64_t Int(int port, const std::string& database, const std::string& sql_text) {
    absl::StatusOr<int64_t> value = QueryInt(port, database, sql_text);
    EXPECT_TRUE(value.ok()) << sql_text << ": " << value.status();
    return value.value_or(-1);
  }

  // The ids of `writes` as an SQL list.
  static std::string IdList(const std::vector<AcknowledgedWrite>& writes) {
    std::vector<int64_t> ids;
    for (const AcknowledgedWrite& write : writes) ids.push_back(write.id);
    return ids.empty() ? "(0)" : absl::StrCat("(", absl::StrJoin(ids, ","), ")");
  }

  // How many of `writes` the server on `port` holds whole: the organization
  // row, its `created` change and its audit entry.
  int64_t WholeWritesIn(int port, const std::vector<AcknowledgedWrite>& writes) {
    const std::string ids = IdList(writes);
    return Int(port, kOrgDatabase,
               absl::StrCat("SELECT COUNT(*) FROM organizations o WHERE o.id IN ", ids,
                            " AND EXISTS (SELECT 1 FROM change_feed c WHERE c.action = 'created' AND "
                            "c.resource_name = CONCAT('organizations/', o.id)) AND EXISTS (SELECT 1 FROM audit_log a "
                            "WHERE a.action = 'organization.created' AND a.resource_name = CONCAT('organizations/', "
                            "o.id))"));
  }
  // How many of `writes` the server on `port` shows any trace of (by their codes).
  int64_t WritesPresentIn(int port, const std::vector<AcknowledgedWrite>& writes) {
    std::vector<std::string> codes;
    for (const AcknowledgedWrite& write : writes) codes.push_back(absl::StrCat("'", write.code, "'"));
    if (codes.empty()) return 0;
    return Int(port, kOrgDatabase,
               absl::StrCat("SELECT COUNT(*) FROM organizations WHERE code IN (", absl::StrJoin(codes, ","), ")"));
  }

  // The binary log file and position the server on `port` writes at now.
  std::pair<std::string, int64_t> BinlogPosition(int port) {
    absl::StatusOr<std::unique_ptr<common::db::ConnectionPool>> pool =
        common::db::ConnectionPool::Create(RootDbConfig(port, ""), nullptr);
    EXPECT_TRUE(pool.ok()) << pool.status();
    if (!pool.ok()) return {};
    std::pair<std::string, int64_t> position;
    const absl::Status read = (*pool)->Run("backup_test_binlog_position", [&](common::db::Session& session) {
      std::unique_ptr<sql::Statement> statement(session.connection().createStatement());
      std::unique_ptr<sql::ResultSet> rs(statement->executeQuery("SHOW MASTER STATUS"));
      if (!rs->next()) return absl::FailedPreconditionError("binary logging is off");
      position = {std::string(rs->getString(1)), static_cast<int64_t>(rs->getInt64(2))};
      return absl::OkStatus();
    });
    EXPECT_TRUE(read.ok()) << read;
    return position;
  }

  // Every organization a server holds has its `created` change and audit
  // entry, and every `created` change its organization: no write half there.
  void ExpectNothingHalfWritten(int port, const std::string& when) {
    EXPECT_EQ(Int(port, kOrgDatabase,
                  "SELECT COUNT(*) FROM organizations o WHERE NOT EXISTS (SELECT 1 FROM change_feed c WHERE "
                  "c.action = 'created' AND c.resource_name = CONCAT('organizations/', o.id)) OR NOT EXISTS (SELECT 1 "
                  "FROM audit_log a WHERE a.action = 'organization.created' AND a.resource_name = "
                  "CONCAT('organizations/', o.id))"),
              0)
        << when << ": an organization without its change or audit entry";
    EXPECT_EQ(Int(port, kOrgDatabase,
                  "SELECT COUNT(*) FROM change_feed c WHERE c.action = 'created' AND c.resource_type = 'organization' "
                  "AND NOT EXISTS (SELECT 1 FROM organizations o WHERE c.resource_name = CONCAT('organizations/', "
                  "o.id))"),
              0)
        << when << ": a change without its organization";
  }

  // The feed_consumer_rebuilds_total{source="org"} membership exports.
  double MembershipRebuilds() {
    absl::StatusOr<std::string> metrics = HttpGet(membership_.metrics_port, "/metrics");
    if (!metrics.ok()) return -1;
    for (absl::string_view line : absl::StrSplit(*metrics, '\n')) {
      if (!absl::StartsWith(line, "feed_consumer_rebuilds_total{") || !absl::StrContains(line, "source=\"org\"")) {
        continue;
      }
      double value = 0;
      if (absl::SimpleAtod(line.substr(line.rfind(' ') + 1), &value)) return value;
    }
    return -1;
  }

  // What WriteBackUpAndRestore did, for the checks and the summary.
  struct Restoration {
    int64_t root = 0;
    int64_t old_head = 0;       // org's feed head when the old producer stopped (membership had applied it)
    std::string old_epoch;
    int64_t restored_head = 0;  // the feed head brought back (backup + binary log to the mark)
    size_t acknowledged = 0, before_backup = 0, during_backup = 0, after_backup = 0, before_mark = 0, after_mark = 0;
    int64_t during_kept = 0;
    Clock::time_point test_started, backup_started, backup_finished, restore_started;
  };

  // org and membership on the old server; clients create organizations while
  // mariadb-backup runs and after it; a binary log mark while they still write;
  // org stopped (membership too when consumer_away), the backup prepared and
  // copied back into a new server, the binary log replayed from the backup's
  // position to the mark. Checks every acknowledged write against the backup's
  // point and the mark. Leaves org stopped, the new server running.
  void WriteBackUpAndRestore(bool consumer_away, Restoration& out) {
  out.test_started = Clock::now();
  ASSERT_NO_FATAL_FAILURE(StartOrg(old_port_, "org-old"));
  ASSERT_NO_FATAL_FAILURE(WaitForServing(org_, seconds(60)));
  ASSERT_NO_FATAL_FAILURE(StartMembership());
  const absl::StatusOr<int64_t> created_root = CreateOrganization("BR-ROOT", 0);
  ASSERT_TRUE(created_root.ok()) << created_root.status();
  const int64_t root = out.root = *created_root;
  ASSERT_NO_FATAL_FAILURE(WaitForServing(membership_, seconds(60)));

  // The backup account, with only the grants docs/operations.md names.
  const absl::Status account = Execute(
      old_port_, "",
      {absl::StrCat("CREATE USER '", kBackupUser, "'@'127.0.0.1' IDENTIFIED BY '", kBackupPassword, "'"),
       absl::StrCat("GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR ON *.* TO '", kBackupUser, "'@'127.0.0.1'")});
  ASSERT_TRUE(account.ok()) << account;

  // Write load: each client creates organizations until told to stop and
  // records every acknowledged create with when it was sent and answered.
  std::atomic<bool> stop{false};
  std::vector<std::string> refusals;  // guarded by written_mutex
  std::mutex written_mutex;
  std::vector<AcknowledgedWrite> written;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop.load(); ++i) {
        AcknowledgedWrite write;
        write.code = absl::StrCat("BR-", w, "-", i);
        write.sent = Clock::now();
        const absl::StatusOr<int64_t> id = CreateOrganization(write.code, root);
        write.acknowledged = Clock::now();
        std::lock_guard<std::mutex> lock(written_mutex);
        if (!id.ok()) {
          refusals.push_back(id.status().ToString());
          continue;
        }
        write.id = *id;
        written.push_back(write);
      }
    });
  }
  auto acknowledged_count = [&] {
    std::lock_guard<std::mutex> lock(written_mutex);
    return written.size();
  };
  auto stop_writers = [&] {
    stop = true;
    for (std::thread& writer : writers) {
      if (writer.joinable()) writer.join();
    }
  };
  // A failed assertion below returns early: the clients still stop first.
  struct StopOnExit {
    std::function<void()> stop;
    ~StopOnExit() { stop(); }
  } stop_on_exit{stop_writers};

  ASSERT_TRUE(PollUntil(seconds(20), milliseconds(10), [&] { return acknowledged_count() >= 40; }))
      << "the load did not get going: " << acknowledged_count() << " acknowledged";

  // The backup, taken while the clients write.
  const Clock::time_point backup_started = out.backup_started = Clock::now();
  ASSERT_NO_FATAL_FAILURE(Run({Tool("mariadb-backup"), "--backup", "--host=127.0.0.1",
                               absl::StrCat("--port=", old_port_), absl::StrCat("--user=", kBackupUser),
                               absl::StrCat("--password=", kBackupPassword),
                               absl::StrCat("--target-dir=", BackupDir().string())},
                              "backup.log", seconds(60)));
  const Clock::time_point backup_finished = out.backup_finished = Clock::now();
  const size_t at_backup_end = acknowledged_count();

  // Writing goes on; the recovery mark is the binary log position read while it does.
  ASSERT_TRUE(PollUntil(seconds(20), milliseconds(5), [&] { return acknowledged_count() >= at_backup_end + 30; }));
  const Clock::time_point mark_before = Clock::now();
  const auto [mark_file, mark_position] = BinlogPosition(old_port_);
  const Clock::time_point mark_after = Clock::now();
  ASSERT_FALSE(mark_file.empty());
  const size_t at_mark = acknowledged_count();
  ASSERT_TRUE(PollUntil(seconds(20), milliseconds(5), [&] { return acknowledged_count() >= at_mark + 30; }));
  stop_writers();
  EXPECT_TRUE(refusals.empty()) << refusals.size() << " creates refused, the first: " << refusals.front();

  // What each acknowledged write must be: in for certain, out for certain, or either.
  std::vector<AcknowledgedWrite> before_backup, during_backup, after_backup, before_mark, after_mark;
  for (const AcknowledgedWrite& write : written) {
    if (write.acknowledged < backup_started) {
      before_backup.push_back(write);
    } else if (write.sent > backup_finished) {
      after_backup.push_back(write);
    } else {
      during_backup.push_back(write);
    }
    if (write.acknowledged < mark_before) before_mark.push_back(write);
    if (write.sent > mark_after) after_mark.push_back(write);
  }
  ASSERT_FALSE(after_mark.empty());

  // The consumer has applied everything the old producer wrote: it stands
  // ahead of whatever the restore brings back.
  const int64_t old_head = out.old_head = Int(old_port_, kOrgDatabase, "SELECT last_sequence FROM feed_head");
  const std::string old_epoch = out.old_epoch = QueryText(old_port_, kOrgDatabase, "SELECT epoch FROM feed_head");
  ASSERT_TRUE(PollUntil(seconds(20), milliseconds(50),
                        [&] { return MembershipCursor() == absl::StrCat(old_epoch, " ", old_head); }))
      << "membership did not reach org's feed head " << old_head << "; its cursor: " << MembershipCursor();
  // The consumer may be away while the producer is restored (and not hear of it until it is back).
  if (consumer_away) {
    ASSERT_NO_FATAL_FAILURE(StopGracefully(membership_));
  }
  ASSERT_NO_FATAL_FAILURE(StopGracefully(org_));  // the old producer's database is "lost" from here on

  // --prepare, then --copy-back into a new server (new datadir, new port).
  out.restore_started = Clock::now();
  ASSERT_NO_FATAL_FAILURE(Run({Tool("mariadb-backup"), "--prepare", absl::StrCat("--target-dir=", BackupDir().string())},
                              "prepare.log", seconds(60)));
  std::filesystem::create_directories(NewServerDir());
  ASSERT_NO_FATAL_FAILURE(Run({Tool("mariadb-backup"), "--copy-back",
                               absl::StrCat("--target-dir=", BackupDir().string()),
                               absl::StrCat("--datadir=", (NewServerDir() / "data").string())},
                              "copy-back.log", seconds(60)));
  absl::StatusOr<int> port = StartOwnMariadb(NewServerDir(), work_dir_ / "new.log");
  ASSERT_TRUE(port.ok()) << port.status();
  new_port_ = *port;
  ASSERT_NE(new_port_, old_port_);

  // The backup's point: every write acknowledged before it started is there
  // whole, none sent after it finished is, and nothing is there in part.
  EXPECT_EQ(WholeWritesIn(new_port_, before_backup), static_cast<int64_t>(before_backup.size()));
  EXPECT_EQ(WritesPresentIn(new_port_, after_backup), 0);
  out.during_kept = WritesPresentIn(new_port_, during_backup);
  ExpectNothingHalfWritten(new_port_, "at the backup's point");

  // Point-in-time recovery: the old server's binary log from the backup's
  // position (xtrabackup_binlog_info) up to the mark.
  const std::vector<std::string> backup_binlog =
      absl::StrSplit(absl::StripAsciiWhitespace(ReadFile(BackupDir() / "xtrabackup_binlog_info")), '\t');
  ASSERT_GE(backup_binlog.size(), 2u) << "xtrabackup_binlog_info: " << ReadFile(BackupDir() / "xtrabackup_binlog_info");
  std::vector<std::string> binlogs;  // from the backup's file to the mark's, in order
  for (absl::string_view line : absl::StrSplit(ReadFile(OldServerDir() / "data" / "binlog.index"), '\n')) {
    const std::string name = std::filesystem::path(std::string(absl::StripAsciiWhitespace(line))).filename().string();
    if (name.empty() || name < backup_binlog[0] || name > mark_file) continue;
    binlogs.push_back((OldServerDir() / "data" / name).string());
  }
  ASSERT_FALSE(binlogs.empty());
  ASSERT_NO_FATAL_FAILURE(Run({"/bin/bash", "-c",
                               absl::StrCat("set -o pipefail; ", Tool("mariadb-binlog"), " --start-position=",
                                            backup_binlog[1], " --stop-position=", mark_position, " ",
                                            absl::StrJoin(binlogs, " "), " | ", Tool("mariadb"),
                                            " --no-defaults --host=127.0.0.1 --port=", new_port_, " --user=root")},
                              "binlog-replay.log", seconds(60)));
  EXPECT_EQ(WholeWritesIn(new_port_, before_mark), static_cast<int64_t>(before_mark.size()));
  EXPECT_EQ(WritesPresentIn(new_port_, after_mark), 0);
  ExpectNothingHalfWritten(new_port_, "after the binary log replay");
  out.restored_head = Int(new_port_, kOrgDatabase, "SELECT last_sequence FROM feed_head");
  ASSERT_LT(out.restored_head, old_head) << "the consumer must stand ahead of the restored producer";
  out.acknowledged = written.size();
  out.before_backup = before_backup.size();
  out.during_backup = during_backup.size();
  out.after_backup = after_backup.size();
  out.before_mark = before_mark.size();
  out.after_mark = after_mark.size();

  }

  std::string MembershipCursor() {
    return QueryText(old_port_, kMembershipDatabase,
                     "SELECT CONCAT(epoch, ' ', last_sequence) FROM feed_cursors WHERE source = 'org'");
  }

  // Membership's cursor stands at the restored feed's head (in `epoch`), its
  // projection holds exactly the restored producer's organizations, and it
  // says it rebuilt; returns the size of the projection.
  size_t ExpectConsumerRebuiltTo(const std::string& epoch) {
    std::vector<std::string> expected;
    std::vector<std::string> projected;
    int64_t head = -1;
    const bool recovered = PollUntil(seconds(30), milliseconds(100), [&] {
      head = Int(new_port_, kOrgDatabase, "SELECT last_sequence FROM feed_head");
      if (MembershipCursor() != absl::StrCat(epoch, " ", head)) return false;
      expected = OrganizationsIn(new_port_);
      projected = ProjectedOrganizations();
      return projected == expected;
    });
    EXPECT_TRUE(recovered) << "membership's cursor: " << MembershipCursor() << " (want " << epoch << " " << head
                           << "); projected " << projected.size() << " organizations, the restored org holds "
                           << expected.size() << "; membership's blocked reason: " << BlockedReasonOfMembership();
    EXPECT_GE(MembershipRebuilds(), 1) << "feed_consumer_rebuilds_total{source=\"org\"}";
    return projected.size();
  }

  // The reasons membership's org follower reports itself blocked for, from its metrics.
  std::string BlockedReasonOfMembership() {
    absl::StatusOr<std::string> metrics = HttpGet(membership_.metrics_port, "/metrics");
    if (!metrics.ok()) return metrics.status().ToString();
    std::vector<std::string> blocked;
    for (absl::string_view line : absl::StrSplit(*metrics, '\n')) {
      if (absl::StartsWith(line, "feed_consumer_blocked{") && absl::EndsWith(line, " 1")) blocked.emplace_back(line);
    }
    return blocked.empty() ? "none" : absl::StrJoin(blocked, "; ");
  }

  // Dense again once the restored process's sweeper numbered what the mark
  // cut off from its round; the head.
  int64_t DenseRestoredHead() {
    EXPECT_TRUE(PollUntil(seconds(10), milliseconds(50), [&] {
      return Int(new_port_, kOrgDatabase, "SELECT COUNT(*) FROM change_feed WHERE sequence IS NULL") == 0;
    }));
    const int64_t head = Int(new_port_, kOrgDatabase, "SELECT last_sequence FROM feed_head");
    EXPECT_EQ(Int(new_port_, kOrgDatabase, "SELECT COUNT(*) FROM change_feed"), head);
    EXPECT_EQ(Int(new_port_, kOrgDatabase, "SELECT MAX(sequence) FROM change_feed"), head);
    return head;
  }

  static void PrintSummary(const Restoration& r, int64_t head_now, size_t projected, Clock::time_point finished) {
    auto ms = [](Clock::duration d) { return std::chrono::duration_cast<milliseconds>(d).count(); };
    std::cout << "acknowledged " << r.acknowledged << " creates: " << r.before_backup << " before the backup, "
              << r.during_backup << " during it (" << r.during_kept << " kept), " << r.after_backup << " after it; "
              << r.before_mark << " before the mark, " << r.after_mark << " after it\n"
              << "backup " << ms(r.backup_finished - r.backup_started) << " ms; restore to a consumer caught up "
              << ms(finished - r.restore_started) << " ms; whole test " << ms(finished - r.test_started) << " ms\n"
              << "feed: old head " << r.old_head << ", restored head " << r.restored_head
              << ", head after new writes " << head_now << "; membership projection " << projected
              << " organizations\n";
  }

  std::filesystem::path work_dir_;
  int old_port_ = 0;
  int new_port_ = 0;
  ServiceProcess org_;
  ServiceProcess membership_;
};


TEST_F(BackupRestoreTest, ARestoredProducerKeepsEveryWriteBeforeItsPointAndItsConsumerRebuildsWithoutSkipping) {
  Restoration restored;
  ASSERT_NO_FATAL_FAILURE(WriteBackUpAndRestore(/*consumer_away=*/false, restored));

  // The restore step (docs/operations.md): the restored feed gets a new epoch.
  const absl::Status new_epoch_drawn =
      Execute(new_port_, kOrgDatabase, {"UPDATE feed_head SET epoch = LOWER(HEX(RANDOM_BYTES(16))) WHERE id = 1"});
  ASSERT_TRUE(new_epoch_drawn.ok()) << new_epoch_drawn;
  const std::string new_epoch = QueryText(new_port_, kOrgDatabase, "SELECT epoch FROM feed_head");
  ASSERT_NE(new_epoch, restored.old_epoch);

  // The producer on the restored database, at the address membership calls.
  ASSERT_NO_FATAL_FAILURE(StartOrg(new_port_, "org-restored"));
  ASSERT_NO_FATAL_FAILURE(WaitForServing(org_, seconds(60)));
  // Writes after the restore: they take ids the lost writes had (other organizations now).
  for (int i = 0; i < 10; ++i) {
    const absl::StatusOr<int64_t> created = CreateOrganization(absl::StrCat("BR-AFTER-", i), restored.root);
    ASSERT_TRUE(created.ok()) << created.status();
  }
  const int64_t head_now = DenseRestoredHead();

  // The consumer notices the new epoch, rebuilds and follows: its projection
  // is exactly the restored producer's organizations, the new ones included.
  const size_t projected = ExpectConsumerRebuiltTo(new_epoch);
  ASSERT_NO_FATAL_FAILURE(WaitForServing(membership_, seconds(30)));
  PrintSummary(restored, head_now, projected, Clock::now());
}

// The restore step forgotten: the restored feed keeps its epoch, and the
// producer writes past the consumer's cursor while the consumer is away, so
// its cursor is no longer ahead of the head when it comes back. It must still
// notice (its cursor's change is not the one the feed holds there, FEED_DIVERGED)
// and rebuild, not resume at its cursor and skip what was written under
// sequences it had already seen.
TEST_F(BackupRestoreTest, WithoutANewEpochAConsumerBackAfterTheProducerWrotePastItsCursorStillRebuilds) {
  Restoration restored;
  ASSERT_NO_FATAL_FAILURE(WriteBackUpAndRestore(/*consumer_away=*/true, restored));

  ASSERT_NO_FATAL_FAILURE(StartOrg(new_port_, "org-restored"));
  ASSERT_NO_FATAL_FAILURE(WaitForServing(org_, seconds(60)));
  int written_after = 0;
  while (Int(new_port_, kOrgDatabase, "SELECT last_sequence FROM feed_head") <= restored.old_head + 2) {
    const absl::StatusOr<int64_t> created = CreateOrganization(absl::StrCat("BR-PAST-", written_after++), restored.root);
    ASSERT_TRUE(created.ok()) << created.status();
    ASSERT_LT(written_after, 1000);
  }
  const int64_t head_now = DenseRestoredHead();

  ASSERT_NO_FATAL_FAILURE(StartMembership());
  const size_t projected = ExpectConsumerRebuiltTo(restored.old_epoch);
  ASSERT_NO_FATAL_FAILURE(WaitForServing(membership_, seconds(30)));
  EXPECT_TRUE(absl::StrContains(ReadFile(membership_.stderr_path), "\"reason\":\"feed_diverged\""))
      << "membership's log names why it rebuilt";
  PrintSummary(restored, head_now, projected, Clock::now());
}

}  // namespace
}  // namespace grassroots::system_test
