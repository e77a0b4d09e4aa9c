#include "tests/integration/system/process_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <future>
#include <sstream>
#include <thread>

#include <grpcpp/generic/generic_stub.h>

#include <cppconn/connection.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/db/db.h"
#include "common/server/service_host.h"
#include "tests/support/test_tokens.h"

extern char** environ;

namespace grassroots::system_test {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// A port the OS considers free right now (bind to 0, read it back, release it).
int PickFreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

namespace {

// argv/envp storage for execve: built before fork, since the child of a
// multithreaded process may only make async-signal-safe calls.
struct ExecArgs {
  std::vector<std::string> storage;
  std::vector<char*> pointers;
  explicit ExecArgs(std::vector<std::string> items) : storage(std::move(items)) {
    for (std::string& item : storage) pointers.push_back(item.data());
    pointers.push_back(nullptr);
  }
};

}  // namespace

// Forks and execs argv with stdout/stderr appended to the given files. The
// child dies with this test process (PR_SET_PDEATHSIG), so a crashed test
// leaves no service behind. Returns the pid, or -1.
pid_t Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
            const std::string& stdout_path, const std::string& stderr_path) {
  ExecArgs args(argv);
  ExecArgs envp(env);
  const int out_fd = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const int err_fd = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out_fd < 0 || err_fd < 0 || null_fd < 0) return -1;
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    ::execve(args.pointers[0], args.pointers.data(), envp.pointers.data());
    ::_exit(127);
  }
  ::close(out_fd);
  ::close(err_fd);
  ::close(null_fd);
  return pid;
}

std::vector<std::string> InheritedEnvironment() {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    // Only the variables this test sets may configure the service.
    if (absl::StartsWith(*entry, "GRASSROOTS_")) continue;
    env.emplace_back(*entry);
  }
  return env;
}

// Waits up to `timeout` for pid to exit; the raw wait status, or nullopt on timeout.
bool SignalChild(pid_t pid, int signal) { return pid > 0 && ::kill(pid, signal) == 0; }

std::optional<int> WaitForExit(pid_t pid, milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0) return std::nullopt;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(20));
  }
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return absl::StrCat("exit status ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return absl::StrCat("killed by signal ", WTERMSIG(status));
  return absl::StrCat("wait status ", status);
}

// Polls `check` every `period` until it returns true or `timeout` passes.
bool PollUntil(milliseconds timeout, milliseconds period, const std::function<bool()>& check) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (true) {
    if (check()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(period);
  }
}

// grpc.health.v1.Health/Check for service "" through the generic stub (the
// health proto is not part of this build): the request is the empty message;
// the response is field 1 (enum ServingStatus), encoded as 0x08 <status>.
absl::StatusOr<int> HealthCheck(const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + seconds(2));
  // HealthCheckRequest{service = 1}, encoded by hand (short names only).
  std::string encoded;
  if (!service.empty()) encoded = std::string("\x0a") + static_cast<char>(service.size()) + service;
  grpc::Slice request_message(encoded);
  grpc::ByteBuffer request(&request_message, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> finished;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&finished](grpc::Status status) { finished.set_value(std::move(status)); });
  const grpc::Status status = finished.get_future().get();
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  }
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return absl::InternalError("unreadable health response");
  std::string bytes;
  for (const grpc::Slice& slice : slices) bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  if (bytes.empty()) return 0;  // UNKNOWN is the default and encodes as nothing
  if (bytes.size() == 2 && bytes[0] == 0x08) return static_cast<int>(bytes[1]);
  return absl::InternalError("unexpected health response bytes");
}

absl::Status WaitForHealthStatus(pid_t* pid, const std::shared_ptr<grpc::Channel>& channel, int wanted,
                                 milliseconds timeout) {
  absl::StatusOr<int> last = absl::UnknownError("never asked");
  std::optional<std::string> exited;
  const bool reached = PollUntil(timeout, milliseconds(50), [&] {
    int status = 0;
    if (::waitpid(*pid, &status, WNOHANG) == *pid) {
      *pid = -1;
      exited = DescribeWaitStatus(status);
      return true;
    }
    last = HealthCheck(channel);
    return last.ok() && *last == wanted;
  });
  if (exited) return absl::AbortedError(absl::StrCat("the process exited: ", *exited));
  if (reached) return absl::OkStatus();
  return absl::DeadlineExceededError(absl::StrCat("health did not become ", wanted, " within ", timeout.count(),
                                                  " ms; last answer: ",
                                                  last.ok() ? std::to_string(*last) : last.status().ToString()));
}

int RunScript(const std::string& script, const std::filesystem::path& log, const std::vector<std::string>& args,
              milliseconds timeout, std::string* output) {
  std::error_code ignored;
  std::filesystem::remove(log, ignored);
  std::vector<std::string> argv = {"/bin/bash", script};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = Spawn(argv, InheritedEnvironment(), log.string(), log.string());
  if (pid < 0) return -1;
  const std::optional<int> status = WaitForExit(pid, timeout);
  if (!status) {
    SignalChild(pid, SIGKILL);
    WaitForExit(pid, seconds(5));
  }
  *output = ReadFile(log);
  if (!status || !WIFEXITED(*status)) return -1;
  return WEXITSTATUS(*status);
}

int RunMariadbScript(const std::filesystem::path& log, const std::vector<std::string>& args, std::string* output) {
  // mariadb.sh bounds itself (60 s to start, 30 s to stop); this is a backstop.
  return RunScript(GRASSROOTS_MARIADB_SCRIPT, log, args, seconds(120), output);
}

common::DbConfig RootDbConfig(int port, const std::string& database) {
  common::DbConfig config;
  config.host = "127.0.0.1";
  config.port = port;
  config.user = "root";
  config.database = database;
  config.pool_size = 1;
  return config;
}

absl::Status CreateDatabases(int port, const std::vector<std::string>& names) {
  absl::StatusOr<std::unique_ptr<common::db::ConnectionPool>> pool =
      common::db::ConnectionPool::Create(RootDbConfig(port, ""), nullptr);
  if (!pool.ok()) return pool.status();
  return (*pool)->Run("create_databases", [&](common::db::Session& session) {
    std::unique_ptr<sql::Statement> statement(session.connection().createStatement());
    for (const std::string& name : names) {
      statement->execute(absl::StrCat("CREATE DATABASE ", name, " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> QueryInt(int port, const std::string& database, const std::string& sql_text) {
  absl::StatusOr<std::unique_ptr<common::db::ConnectionPool>> pool =
      common::db::ConnectionPool::Create(RootDbConfig(port, database), nullptr);
  if (!pool.ok()) return pool.status();
  return (*pool)->Read<int64_t>("system_test_query", [&](common::db::Session& session) -> absl::StatusOr<int64_t> {
    std::unique_ptr<sql::ResultSet> rs = session.Query(session.Prepare(sql_text));
    if (!rs->next()) return 0;
    return static_cast<int64_t>(rs->getInt64(1));
  });
}

void WriteServiceSecrets(const std::filesystem::path& dir, const std::string& label) {
  std::ofstream(dir / "page_token_secret") << label << "-page-token-secret\n";
  std::ofstream(dir / "citizen_id_key") << label << "-citizen-id-key\n";
  std::ofstream(dir / "sensitive_keyring") << "1 " << std::string(64, 'a') << "\ncurrent 1\n";
}

std::vector<std::string> ServiceSettings(const ServiceBase& base, ServiceProcess* process) {
  process->metrics_port = PickFreePort();
  std::vector<std::string> settings = {
      "GRASSROOTS_DB_HOST=127.0.0.1",
      absl::StrCat("GRASSROOTS_DB_PORT=", base.db_port),
      "GRASSROOTS_DB_USER=root",
      absl::StrCat("GRASSROOTS_DB_DATABASE=", base.database),
      absl::StrCat("GRASSROOTS_DB_POOL_SIZE=", base.pool_size),
      absl::StrCat("GRASSROOTS_AUTH_PUBLIC_KEY_FILE=", testing::TestKeys::Get().public_key_file()),
      absl::StrCat("GRASSROOTS_AUTH_ISSUER=", testing::kTestIssuer),
      absl::StrCat("GRASSROOTS_PAGE_TOKEN_SECRET_FILE=", (base.secrets_dir / "page_token_secret").string()),
      absl::StrCat("GRASSROOTS_GRPC_ADDRESS=127.0.0.1:", process->grpc_port),
      absl::StrCat("GRASSROOTS_METRICS_ADDRESS=127.0.0.1:", process->metrics_port),
      absl::StrCat("GRASSROOTS_DRAIN_DELAY_MS=", base.drain_delay.count()),
      absl::StrCat("GRASSROOTS_SHUTDOWN_GRACE_MS=", base.shutdown_grace.count()),
      "GRASSROOTS_HEALTH_CHECK_INTERVAL_MS=200",
      absl::StrCat("GRASSROOTS_RULES_FILE=", GRASSROOTS_RULES_FILE),
      "GRASSROOTS_LOG_LEVEL=info",
  };
  if (!base.limit_caller_rate) settings.emplace_back("GRASSROOTS_CALLER_RATE_PER_SECOND=0");
  return settings;
}

std::vector<std::string> MembershipOwnSettings(const std::filesystem::path& secrets_dir, int org_grpc_port,
                                               milliseconds org_call_deadline) {
  return {
      absl::StrCat("GRASSROOTS_ORG_TARGET=127.0.0.1:", org_grpc_port),
      absl::StrCat("GRASSROOTS_SERVICE_SIGNING_KEY_FILE=", testing::TestKeys::Get().private_key_file()),
      absl::StrCat("GRASSROOTS_CITIZEN_ID_LOOKUP_KEY_FILE=", (secrets_dir / "citizen_id_key").string()),
      absl::StrCat("GRASSROOTS_SENSITIVE_KEYRING_FILE=", (secrets_dir / "sensitive_keyring").string()),
      absl::StrCat("GRASSROOTS_ORG_CALL_DEADLINE_MS=", org_call_deadline.count()),
      absl::StrCat("GRASSROOTS_CALENDAR_FILE=", GRASSROOTS_CALENDAR_FILE),
      absl::StrCat("GRASSROOTS_CODES_DIR=", GRASSROOTS_CODES_DIR),
  };
}

absl::Status StartService(const std::string& binary, const std::string& name, const std::filesystem::path& work_dir,
                          const std::vector<std::string>& settings, ServiceProcess* process) {
  std::vector<std::string> env = InheritedEnvironment();
  env.insert(env.end(), settings.begin(), settings.end());
  process->stderr_path = work_dir / (name + ".stderr");
  process->pid = Spawn({binary}, env, (work_dir / (name + ".stdout")).string(), process->stderr_path.string());
  if (process->pid <= 0) return absl::InternalError(absl::StrCat("cannot start ", binary));
  process->channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", process->grpc_port),
                                               grpc::InsecureChannelCredentials(), common::DefaultChannelArguments());
  return absl::OkStatus();
}

void KillService(ServiceProcess* process, bool report, size_t tail_bytes) {
  if (process->pid > 0) {
    SignalChild(process->pid, SIGKILL);
    WaitForExit(process->pid, seconds(10));
    process->pid = -1;
  }
  if (report && std::filesystem::exists(process->stderr_path)) {
    std::cerr << "---- " << process->stderr_path.filename() << " (last " << tail_bytes << " bytes) ----\n"
              << Tail(ReadFile(process->stderr_path), tail_bytes) << "----\n";
  }
}

std::string Tail(const std::string& text, size_t bytes) {
  return text.size() <= bytes ? text : text.substr(text.size() - bytes);
}

absl::StatusOr<int> StartOwnMariadb(const std::filesystem::path& dir, const std::filesystem::path& log) {
  std::string output;
  if (RunMariadbScript(log, {"start", dir.string()}, &output) != 0) {
    return absl::UnavailableError(absl::StrCat("scripts/mariadb.sh start ", dir.string(), " failed: ", output));
  }
  const int port = std::atoi(ReadFile(dir / "port").c_str());
  if (port <= 0) return absl::InternalError(absl::StrCat("no port in ", (dir / "port").string()));
  return port;
}

absl::Status StopOwnMariadb(const std::filesystem::path& dir, const std::filesystem::path& log) {
  std::string output;
  if (RunMariadbScript(log, {"stop", dir.string(), "--purge"}, &output) != 0) {
    return absl::InternalError(absl::StrCat("scripts/mariadb.sh stop ", dir.string(), " failed: ", output));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> HttpGet(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError("socket() failed");
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return absl::UnavailableError(absl::StrCat("cannot connect to 127.0.0.1:", port));
  }
  const std::string request = absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return absl::UnavailableError("cannot send the HTTP request");
  }
  std::string reply;
  char buffer[8192];
  while (true) {
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n == 0) break;
    if (n < 0) {
      ::close(fd);
      return absl::DeadlineExceededError("HTTP reply did not complete within 5 s");
    }
    reply.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  const size_t body_start = reply.find("\r\n\r\n");
  if (body_start == std::string::npos) return absl::InternalError("HTTP reply without headers");
  const std::string status_line = reply.substr(0, reply.find("\r\n"));
  if (!absl::StrContains(status_line, " 200")) return absl::InternalError(absl::StrCat("HTTP ", status_line));
  return reply.substr(body_start + 4);
}

}  // namespace grassroots::system_test
