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

  absl::StatusOr<ServiceConfig> Load(std::vector<std::string> args, const ServiceOptionsHook& hook = nullptr) {
    std::vector<std::string> argv_storage = {"org"};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : argv_storage) argv.push_back(arg.data());
    return LoadServiceConfig("org", static_cast<int>(argv.size()), argv.data(), 50061, 9471, hook);
  }

  // The minimum a valid start-up needs, plus extra args.
  absl::StatusOr<ServiceConfig> LoadValid(std::vector<std::string> extra = {},
                                          const ServiceOptionsHook& hook = nullptr) {
    std::vector<std::string> args = {"--db-database", "org_db", "--auth-public-key-file", key_file_,
                                     "--page-token-secret", "0123456789abcdef0123"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Load(args, hook);
  }

  static constexpr const char* kEnvUsed[] = {"GRASSROOTS_DB_DATABASE", "GRASSROOTS_DB_PORT",
                                             "GRASSROOTS_AUTH_PUBLIC_KEY_FILE", "GRASSROOTS_PAGE_TOKEN_SECRET",
                                             "GRASSROOTS_LOG_LEVEL", "GRASSROOTS_PEER_TARGET",
                                             "GRASSROOTS_PEER_RETRIES", "GRASSROOTS_PEER_LOOKUP_KEY_FILE",
                                             "GRASSROOTS_TLS_CERT_FILE", "GRASSROOTS_TLS_KEY_FILE",
                                             "GRASSROOTS_DB_TLS"};
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

TEST_F(ConfigTest, JwksFileInsteadOfThePublicKey) {
  const std::string jwks = Write("jwks.json", "{\"keys\": []}");
  auto config = Load({"--db-database", "x", "--page-token-secret", "0123456789abcdef", "--auth-jwks-file", jwks});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->auth.jwks_file, jwks);
  EXPECT_EQ(config->auth.public_key_file, "");
  ExpectErrorNaming(LoadValid({"--auth-jwks-file", jwks}), "--auth-jwks-file", "GRASSROOTS_AUTH_JWKS_FILE");
  ExpectErrorNaming(Load({"--db-database", "x", "--page-token-secret", "0123456789abcdef", "--auth-jwks-file",
                          (dir_ / "missing.json").string()}),
                    "--auth-jwks-file", "");
}

TEST_F(ConfigTest, EachServiceHasItsOwnAudienceAndTokenLifetimesAreBounded) {
  auto config = LoadValid();
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->auth.audience, ServiceAudience("org"));
  EXPECT_EQ(ServiceAudience("membership"), "grassroots.membership");
  EXPECT_EQ(config->auth.max_token_lifetime_seconds, 12 * 3600);
  EXPECT_EQ(config->auth.max_service_token_lifetime_seconds, 3600);
  ExpectErrorNaming(LoadValid({"--auth-max-token-lifetime-seconds", "10"}), "--auth-max-token-lifetime-seconds",
                    "GRASSROOTS_AUTH_MAX_TOKEN_LIFETIME_SECONDS");
  ExpectErrorNaming(LoadValid({"--auth-max-service-token-lifetime-seconds", "0"}),
                    "--auth-max-service-token-lifetime-seconds", "");
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

// A service's own options, as a service main declares them.
struct PeerOptions {
  std::string target = "127.0.0.1:50051";
  std::string token_file;
  int retries = 3;
  std::chrono::milliseconds deadline{2000};
  std::string lookup_key;
};

ServiceOptionsHook DeclarePeerOptions(PeerOptions& options) {
  return [&options](ServiceOptions& service) {
    service.AddString("--peer-target", options.target, "peer address", /*required=*/true);
    service.AddFile("--peer-token-file", options.token_file, "bearer token file", /*required=*/true);
    service.AddInt("--peer-retries", options.retries, "attempts", 0, 10);
    service.AddMillis("--peer-deadline-ms", options.deadline, "call deadline", 1);
    service.AddSecret("--peer-lookup-key", "--peer-lookup-key-file", options.lookup_key, "the lookup key",
                      /*required=*/true, 16);
  };
}

TEST(ConfigNamingTest, EnvNameAndErrorFollowOneRule) {
  EXPECT_EQ(EnvNameFor("--org-call-deadline-ms"), "GRASSROOTS_ORG_CALL_DEADLINE_MS");
  absl::Status error = OptionError("--org-target", "is required");
  EXPECT_EQ(error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(error.message(), "--org-target (GRASSROOTS_ORG_TARGET) is required");
}

TEST_F(ConfigTest, ServiceOptionsTakeDefaultsFlagsAndEnvironment) {
  const std::string token = Write("token", "t");
  const std::string key = Write("lookup-key", "0123456789abcdef0123456789abcdef\n");
  PeerOptions options;
  auto defaults = LoadValid({"--peer-token-file", token, "--peer-lookup-key-file", key}, DeclarePeerOptions(options));
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(options.target, "127.0.0.1:50051");
  EXPECT_EQ(options.retries, 3);
  EXPECT_EQ(options.deadline, std::chrono::milliseconds(2000));
  EXPECT_EQ(options.token_file, token);
  EXPECT_EQ(options.lookup_key, "0123456789abcdef0123456789abcdef");  // newline dropped

  ::setenv("GRASSROOTS_PEER_TARGET", "org:7000", 1);
  ::setenv("GRASSROOTS_PEER_RETRIES", "5", 1);
  ::setenv("GRASSROOTS_PEER_LOOKUP_KEY_FILE", key.c_str(), 1);
  PeerOptions from_env;
  auto loaded = LoadValid({"--peer-token-file", token, "--peer-retries", "7", "--peer-deadline-ms", "150"},
                          DeclarePeerOptions(from_env));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(from_env.target, "org:7000");
  EXPECT_EQ(from_env.retries, 7);  // the flag wins over GRASSROOTS_PEER_RETRIES
  EXPECT_EQ(from_env.deadline, std::chrono::milliseconds(150));
  EXPECT_EQ(from_env.lookup_key, "0123456789abcdef0123456789abcdef");
}

TEST_F(ConfigTest, ServiceOptionErrorsNameTheOption) {
  const std::string token = Write("token", "t");
  const std::string key = Write("lookup-key", "0123456789abcdef0123");
  auto load = [&](std::vector<std::string> extra) {
    PeerOptions options;
    return LoadValid(extra, DeclarePeerOptions(options));
  };
  ExpectErrorNaming(load({"--peer-lookup-key-file", key}), "--peer-token-file", "GRASSROOTS_PEER_TOKEN_FILE");
  ExpectErrorNaming(load({"--peer-token-file", (dir_ / "absent").string(), "--peer-lookup-key-file", key}),
                    "--peer-token-file", "");
  ExpectErrorNaming(load({"--peer-token-file", token, "--peer-lookup-key-file", key, "--peer-target", ""}),
                    "--peer-target", "GRASSROOTS_PEER_TARGET");
  ExpectErrorNaming(load({"--peer-token-file", token, "--peer-lookup-key-file", key, "--peer-retries", "11"}),
                    "--peer-retries", "GRASSROOTS_PEER_RETRIES");
  ExpectErrorNaming(load({"--peer-token-file", token, "--peer-lookup-key-file", key, "--peer-deadline-ms", "0"}),
                    "--peer-deadline-ms", "GRASSROOTS_PEER_DEADLINE_MS");
  // The secret: required, not both spellings, long enough, from a readable file.
  ExpectErrorNaming(load({"--peer-token-file", token}), "--peer-lookup-key-file", "GRASSROOTS_PEER_LOOKUP_KEY");
  ExpectErrorNaming(load({"--peer-token-file", token, "--peer-lookup-key-file", key, "--peer-lookup-key",
                          "0123456789abcdef0123"}),
                    "--peer-lookup-key-file", "GRASSROOTS_PEER_LOOKUP_KEY_FILE");
  ExpectErrorNaming(load({"--peer-token-file", token, "--peer-lookup-key", "short"}), "--peer-lookup-key",
                    "GRASSROOTS_PEER_LOOKUP_KEY");
  ExpectErrorNaming(load({"--peer-token-file", token, "--peer-lookup-key-file", (dir_ / "absent").string()}),
                    "--peer-lookup-key-file", "");
  // Common options are checked first: their error wins.
  ExpectErrorNaming(load({"--db-port", "0"}), "--db-port", "GRASSROOTS_DB_PORT");
}

TEST_F(ConfigTest, ServiceOptionsInlineSecretAndExtraCheck) {
  const std::string token = Write("token", "t");
  PeerOptions options;
  ServiceOptionsHook hook = [&options, declare = DeclarePeerOptions(options)](ServiceOptions& service) {
    declare(service);
    service.AddCheck([&options]() -> absl::Status {
      return options.target == options.lookup_key ? OptionError("--peer-target", "must differ from the key")
                                                   : absl::OkStatus();
    });
  };
  auto loaded = LoadValid({"--peer-token-file", token, "--peer-lookup-key", "inline-key-0123456789"}, hook);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(options.lookup_key, "inline-key-0123456789");
  ExpectErrorNaming(LoadValid({"--peer-token-file", token, "--peer-lookup-key", "inline-key-0123456789",
                               "--peer-target", "inline-key-0123456789"},
                              hook),
                    "--peer-target", "GRASSROOTS_PEER_TARGET");
}

TEST_F(ConfigTest, ServiceOptionsAppearInHelpWithoutSecretValues) {
  PeerOptions options;
  options.lookup_key = "default-secret-never-shown";
  auto help = Load({"--help"}, DeclarePeerOptions(options));
  ASSERT_TRUE(IsHelpRequest(help.status()));
  EXPECT_TRUE(absl::StrContains(help.status().message(), "--peer-target"));
  EXPECT_TRUE(absl::StrContains(help.status().message(), "GRASSROOTS_PEER_LOOKUP_KEY_FILE"));
  EXPECT_FALSE(absl::StrContains(help.status().message(), "default-secret-never-shown"));
}

TEST_F(ConfigTest, TlsNeedsACertificateWithItsKeyAndFilesThatExist) {
  const std::string cert = Write("server.pem", "certificate");
  const std::string key = Write("server-key.pem", "key");
  ExpectErrorNaming(LoadValid({"--tls-cert-file", cert}), "--tls-key-file", "GRASSROOTS_TLS_KEY_FILE");
  ExpectErrorNaming(LoadValid({"--tls-key-file", key}), "--tls-cert-file", "GRASSROOTS_TLS_CERT_FILE");
  ExpectErrorNaming(LoadValid({"--tls-client-ca-file", cert}), "--tls-client-ca-file", "");
  ExpectErrorNaming(LoadValid({"--tls-cert-file", cert, "--tls-key-file", (dir_ / "missing.pem").string()}),
                    "--tls-key-file", "");
  ExpectErrorNaming(LoadValid({"--db-tls-ca-file", cert}), "--db-tls", "GRASSROOTS_DB_TLS");
  ExpectErrorNaming(LoadValid({"--db-tls", "true", "--db-tls-cert-file", cert}), "--db-tls-key-file", "");
  ExpectErrorNaming(LoadValid({"--peer-tls-ca-file", (dir_ / "missing.pem").string()}), "--peer-tls-ca-file", "");
}

TEST_F(ConfigTest, TlsSettingsReachTheServerThePeersAndTheDatabase) {
  const std::string cert = Write("server.pem", "certificate");
  const std::string key = Write("server-key.pem", "key");
  const std::string ca = Write("ca.pem", "roots");
  auto plain = LoadValid();
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_TRUE(plain->server.tls.cert_file.empty());
  EXPECT_TRUE(plain->peer_tls.ca_file.empty());
  EXPECT_FALSE(plain->db.tls);

  auto config = LoadValid({"--tls-cert-file", cert, "--tls-key-file", key, "--tls-client-ca-file", ca,
                           "--tls-reload-seconds", "5", "--peer-tls-ca-file", ca, "--db-tls", "true",
                           "--db-tls-ca-file", ca});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server.tls.cert_file, cert);
  EXPECT_EQ(config->server.tls.ca_file, ca);
  EXPECT_EQ(config->server.tls.reload_interval_seconds, 5);
  EXPECT_TRUE(config->server.metrics_tls);
  // A service presents its own certificate to the services it calls.
  EXPECT_EQ(config->peer_tls.ca_file, ca);
  EXPECT_EQ(config->peer_tls.cert_file, cert);
  EXPECT_EQ(config->peer_tls.key_file, key);
  EXPECT_TRUE(config->db.tls);
  EXPECT_EQ(config->db.tls_ca_file, ca);
}

}  // namespace
}  // namespace grassroots::common
