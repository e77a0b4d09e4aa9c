#include "common/config/config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "absl/strings/match.h"

namespace grassroots::common {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("grassroots-config-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    key_file_ = Write("key.pem", "-----BEGIN PUBLIC KEY-----\n");
    for (const char* name : kEnvUsed) ::unsetenv(name);
  }
  void TearDown() override {
    for (const char* name : kEnvUsed) ::unsetenv(name);
    std::filesystem::remove_all(dir_);
  }

  std::string Write(const std::string& name, const std::string& content) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << content;
    return path;
  }

  absl::StatusOr<ServiceConfig> Load(std::vector<std::string> args) {
    std::vector<std::string> argv_storage = {"org"};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : argv_storage) argv.push_back(arg.data());
    return LoadServiceConfig("org", static_cast<int>(argv.size()), argv.data(), 50061, 9471);
  }

  // The minimum a valid start-up needs, plus extra args.
  absl::StatusOr<ServiceConfig> LoadValid(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--db-database", "org_db", "--auth-public-key-file", key_file_,
                                     "--page-token-secret", "0123456789abcdef0123"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Load(args);
  }

  static constexpr const char* kEnvUsed[] = {"GRASSROOTS_DB_DATABASE", "GRASSROOTS_DB_PORT",
                                             "GRASSROOTS_AUTH_PUBLIC_KEY_FILE", "GRASSROOTS_PAGE_TOKEN_SECRET",
                                             "GRASSROOTS_LOG_LEVEL"};
  std::filesystem::path dir_;
  std::string key_file_;
};

void ExpectErrorNaming(const absl::StatusOr<ServiceConfig>& result, absl::string_view flag, absl::string_view env) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(result.status().message(), flag)) << result.status().message();
  if (!env.empty()) {
    EXPECT_TRUE(absl::StrContains(result.status().message(), env)) << result.status().message();
  }
}

TEST_F(ConfigTest, ValidMinimalConfigUsesDefaults) {
  auto config = LoadValid();
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->db.database, "org_db");
  EXPECT_EQ(config->db.host, "127.0.0.1");
  EXPECT_EQ(config->server.grpc_address, "0.0.0.0:50061");
  EXPECT_EQ(config->server.metrics_address, "0.0.0.0:9471");
  EXPECT_EQ(config->auth.public_key_file, key_file_);
  EXPECT_EQ(config->log_level, "info");
  EXPECT_FALSE(config->rules_file.empty());
}

TEST_F(ConfigTest, MissingDatabaseNamesTheOption) {
  auto config = Load({"--auth-public-key-file", key_file_, "--page-token-secret", "0123456789abcdef"});
  ExpectErrorNaming(config, "--db-database", "GRASSROOTS_DB_DATABASE");
}

TEST_F(ConfigTest, EnvironmentIsReadAndFlagsWin) {
  ::setenv("GRASSROOTS_DB_DATABASE", "from_env", 1);
  ::setenv("GRASSROOTS_DB_PORT", "3400", 1);
  ::setenv("GRASSROOTS_AUTH_PUBLIC_KEY_FILE", key_file_.c_str(), 1);
  ::setenv("GRASSROOTS_PAGE_TOKEN_SECRET", "env-secret-0123456789", 1);
  auto from_env = Load({});
  ASSERT_TRUE(from_env.ok()) << from_env.status();
  EXPECT_EQ(from_env->db.database, "from_env");
  EXPECT_EQ(from_env->db.port, 3400);
  EXPECT_EQ(from_env->page_token_secret, "env-secret-0123456789");

  auto flag_wins = Load({"--db-database", "from_flag"});
  ASSERT_TRUE(flag_wins.ok()) << flag_wins.status();
  EXPECT_EQ(flag_wins->db.database, "from_flag");
}

TEST_F(ConfigTest, BadPortsAreRefused) {
  ExpectErrorNaming(LoadValid({"--db-port", "70000"}), "--db-port", "GRASSROOTS_DB_PORT");
  ExpectErrorNaming(LoadValid({"--db-port", "0"}), "--db-port", "");
  ExpectErrorNaming(LoadValid({"--db-port", "abc"}), "--db-port", "");
  ExpectErrorNaming(LoadValid({"--grpc-address", "0.0.0.0:99999"}), "--grpc-address", "GRASSROOTS_GRPC_ADDRESS");
  ExpectErrorNaming(LoadValid({"--grpc-address", "50051"}), "--grpc-address", "");
  ExpectErrorNaming(LoadValid({"--metrics-address", "host:-1"}), "--metrics-address", "");
}

TEST_F(ConfigTest, BadEnvironmentValueIsRefused) {
  ::setenv("GRASSROOTS_DB_PORT", "not-a-port", 1);
  auto config = LoadValid();
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ConfigTest, EmptyMetricsAddressDisablesTheExposer) {
  auto config = LoadValid({"--metrics-address", ""});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server.metrics_address, "");
}

TEST_F(ConfigTest, PoolSizeMustBePositive) {
  ExpectErrorNaming(LoadValid({"--db-pool-size", "0"}), "--db-pool-size", "GRASSROOTS_DB_POOL_SIZE");
}

TEST_F(ConfigTest, PublicKeyFileIsRequiredAndMustExist) {
  ExpectErrorNaming(Load({"--db-database", "x", "--page-token-secret", "0123456789abcdef"}),
                    "--auth-public-key-file", "GRASSROOTS_AUTH_PUBLIC_KEY_FILE");
  ExpectErrorNaming(Load({"--db-database", "x", "--page-token-secret", "0123456789abcdef", "--auth-public-key-file",
                          (dir_ / "missing.pem").string()}),
                    "--auth-public-key-file", "");
}

TEST_F(ConfigTest, PageTokenSecretFromFlagOrFile) {
  ExpectErrorNaming(Load({"--db-database", "x", "--auth-public-key-file", key_file_}), "--page-token-secret",
                    "GRASSROOTS_PAGE_TOKEN_SECRET");
  ExpectErrorNaming(LoadValid({"--page-token-secret", "short"}), "--page-token-secret", "");
  const std::string secret_file = Write("secret", "file-secret-0123456789\n");
  auto config = Load({"--db-database", "x", "--auth-public-key-file", key_file_, "--page-token-secret-file", secret_file});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->page_token_secret, "file-secret-0123456789");  // trailing newline dropped
}

TEST_F(ConfigTest, PasswordFileIsRead) {
  const std::string password_file = Write("password", "s3cret\n");
  auto config = LoadValid({"--db-password-file", password_file});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->db.password, "s3cret");
  ExpectErrorNaming(LoadValid({"--db-password-file", (dir_ / "nope").string()}), "--db-password-file", "");
}

TEST_F(ConfigTest, LogLevelMustBeKnown) {
  ExpectErrorNaming(LoadValid({"--log-level", "verbose"}), "--log-level", "GRASSROOTS_LOG_LEVEL");
  auto config = LoadValid({"--log-level", "DEBUG"});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->log_level, "debug");
}

TEST_F(ConfigTest, DurationsAreMilliseconds) {
  auto config = LoadValid({"--drain-delay-ms", "1500", "--health-check-interval-ms", "250", "--reflection", "false"});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server.drain_delay, std::chrono::milliseconds(1500));
  EXPECT_EQ(config->server.health_check_interval, std::chrono::milliseconds(250));
  EXPECT_FALSE(config->server.reflection);
}

TEST_F(ConfigTest, UnknownFlagIsAnError) {
  auto config = LoadValid({"--no-such-flag", "1"});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(IsHelpRequest(config.status()));
}

TEST_F(ConfigTest, HelpIsRecognizable) {
  auto config = Load({"--help"});
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(IsHelpRequest(config.status()));
  EXPECT_TRUE(absl::StrContains(config.status().message(), "--db-host"));
  EXPECT_TRUE(absl::StrContains(config.status().message(), "GRASSROOTS_DB_HOST"));
  EXPECT_FALSE(IsHelpRequest(absl::CancelledError("x")));
}

}  // namespace
}  // namespace grassroots::common
