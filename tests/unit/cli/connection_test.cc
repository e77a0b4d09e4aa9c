#include "services/cli/connection.h"

#include <cstdio>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

namespace grassroots::cli {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> values) {
  return [values](absl::string_view name) -> std::optional<std::string> {
    auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ResolveTarget, DefaultsFollowThePackage) {
  ConnectionFlags flags;
  EnvLookup env = FakeEnv({});
  EXPECT_EQ(*ResolveTarget("grassroots.org.v1", flags, env), "localhost:50051");
  EXPECT_EQ(*ResolveTarget("grassroots.feed.v1", flags, env), "localhost:50051");
  EXPECT_EQ(*ResolveTarget("grassroots.membership.v1", flags, env), "localhost:50052");
  EXPECT_EQ(*ResolveTarget("grassroots.inspection.v1", flags, env), "localhost:50053");
  EXPECT_EQ(*ResolveTarget("grassroots.reporting.v1", flags, env), "localhost:50054");
  EXPECT_FALSE(ResolveTarget("google.rpc", flags, env).ok());
}

TEST(ResolveTarget, EnvironmentThenFlag) {
  ConnectionFlags flags;
  EnvLookup env = FakeEnv({{"GRASSROOTS_MEMBERSHIP_TARGET", "members.svc:7000"},
                           {"GRASSROOTS_ORG_TARGET", "org.svc:7001"}});
  EXPECT_EQ(*ResolveTarget("grassroots.membership.v1", flags, env), "members.svc:7000");
  // The feed without --target is the org service's feed.
  EXPECT_EQ(*ResolveTarget("grassroots.feed.v1", flags, env), "org.svc:7001");
  flags.target = "explicit:1";
  EXPECT_EQ(*ResolveTarget("grassroots.membership.v1", flags, env), "explicit:1");
}

TEST(ResolveToken, FlagThenFileThenEnvironment) {
  ConnectionFlags flags;
  EXPECT_EQ(*ResolveToken(flags, FakeEnv({})), "");
  EXPECT_EQ(*ResolveToken(flags, FakeEnv({{"GRASSROOTS_TOKEN", " env-token\n"}})), "env-token");

  std::string path = ::testing::TempDir() + "/cli_token_test.txt";
  std::ofstream(path) << "file-token  \nsecond line ignored\n";
  flags.token_file = path;
  EXPECT_EQ(*ResolveToken(flags, FakeEnv({{"GRASSROOTS_TOKEN", "env-token"}})), "file-token");
  flags.token = "Bearer flag-token";  // pasted from an authorization header
  EXPECT_EQ(*ResolveToken(flags, FakeEnv({})), "flag-token");
  std::remove(path.c_str());

  ConnectionFlags missing;
  missing.token_file = ::testing::TempDir() + "/does-not-exist";
  EXPECT_EQ(ResolveToken(missing, FakeEnv({})).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ParseDeadline, AcceptsPositiveDurationsOnly) {
  EXPECT_EQ(*ParseDeadline("10s"), absl::Seconds(10));
  EXPECT_EQ(*ParseDeadline("250ms"), absl::Milliseconds(250));
  EXPECT_FALSE(ParseDeadline("0s").ok());
  EXPECT_FALSE(ParseDeadline("-1s").ok());
  EXPECT_FALSE(ParseDeadline("ten").ok());
  EXPECT_FALSE(ParseDeadline("inf").ok());
}

TEST(MakeChannel, ClientCertificateFlagsGoTogetherAndNeedTls) {
  ConnectionFlags flags;
  flags.cert_file = "client.pem";
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = MakeChannel("localhost:1", flags);
  ASSERT_FALSE(channel.ok());
  EXPECT_NE(channel.status().message().find("--key-file"), std::string::npos) << channel.status();

  flags.key_file = "client-key.pem";
  channel = MakeChannel("localhost:1", flags);
  ASSERT_FALSE(channel.ok());
  EXPECT_NE(channel.status().message().find("need --tls"), std::string::npos) << channel.status();

  flags.tls = true;
  channel = MakeChannel("localhost:1", flags);
  ASSERT_FALSE(channel.ok()) << "the named files do not exist";
  EXPECT_NE(channel.status().message().find("client.pem"), std::string::npos) << channel.status();

  ConnectionFlags plain;
  EXPECT_TRUE(MakeChannel("localhost:1", plain).ok());
}

}  // namespace
}  // namespace grassroots::cli
