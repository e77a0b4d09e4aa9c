// TLS on the real transport: the gRPC port (server-only and mutual), the
// channels services open to each other, the metrics port, certificate renewal
// without a restart, and TLS to MariaDB with the server verified.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <cppconn/connection.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/strings/str_cat.h"
#include "common/server/service_host.h"
#include "grassroots/feed/v1/change_feed.grpc.pb.h"
#include "tests/integration/system/process_support.h"
#include "tests/support/eventually.h"
#include "tests/support/loopback.h"
#include "tests/support/test_db.h"
#include "tests/support/test_tls.h"
#include "tests/support/test_tokens.h"

namespace grassroots::testing {
namespace {

namespace feed = grassroots::feed::v1;
using common::auth::Role;

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat("grassroots-tls-", getpid(), "-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    ca_ = MakeCertificateAuthority("grassroots test CA");
    WritePemFiles(dir_, "ca", ca_);
    WritePemFiles(dir_, "server", MakeCertificate(ca_, "server-a"));
    WritePemFiles(dir_, "client", MakeCertificate(ca_, "membership"));
    const PemPair rogue_ca = MakeCertificateAuthority("someone else's CA");
    WritePemFiles(dir_, "rogue-ca", rogue_ca);
    WritePemFiles(dir_, "rogue-client", MakeCertificate(rogue_ca, "intruder"));
  }
  void TearDown() override {
    if (host_) host_->Stop();
    std::filesystem::remove_all(dir_);
  }

  std::string File(const std::string& name) const { return (dir_ / name).string(); }

  common::TlsConfig ServerTls(bool mutual) const {
    return {.cert_file = File("server.pem"),
            .key_file = File("server-key.pem"),
            .ca_file = mutual ? File("ca.pem") : "",
            .reload_interval_seconds = 1};
  }

  void StartHost(bool mutual, bool metrics = false) {
    common::ServerConfig config = LoopbackServerConfig();
    config.tls = ServerTls(mutual);
    if (metrics) {
      metrics_port_ = system_test::PickFreePort();
      config.metrics_address = absl::StrCat("127.0.0.1:", metrics_port_);
    }
    host_ = std::make_unique<common::ServiceHost>("tls-test", config, nullptr);
    host_->AddService(&feed_);
    ASSERT_TRUE(host_->Start().ok());
  }

  // A channel that names "localhost", which the server certificate covers.
  std::shared_ptr<grpc::Channel> Channel(const std::shared_ptr<grpc::ChannelCredentials>& credentials) const {
    return grpc::CreateCustomChannel(absl::StrCat("localhost:", host_->port()), credentials,
                                     common::DefaultChannelArguments());
  }

  std::shared_ptr<grpc::ChannelCredentials> TlsClient(const std::string& ca, const std::string& client = "") const {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = ReadPem(ca + ".pem");
    if (!client.empty()) {
      options.pem_cert_chain = ReadPem(client + ".pem");
      options.pem_private_key = ReadPem(client + "-key.pem");
    }
    return grpc::SslCredentials(options);
  }

  std::string ReadPem(const std::string& name) const { return system_test::ReadFile(dir_ / name); }

  // GetFeedHead: the gate answers before the (unimplemented) handler. peer_cn
  // receives the server certificate's common name.
  grpc::Status CallFeedHead(const std::shared_ptr<grpc::Channel>& channel, bool with_token,
                            std::string* peer_cn = nullptr) const {
    auto stub = feed::ChangeFeedService::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    if (with_token) context.AddMetadata("authorization", MintToken({Role::kService}, 1));
    feed::FeedHead head;
    grpc::Status status = stub->GetFeedHead(&context, feed::GetFeedHeadRequest(), &head);
    if (peer_cn != nullptr && context.auth_context() != nullptr) {
      const auto names = context.auth_context()->FindPropertyValues("x509_common_name");
      if (!names.empty()) *peer_cn = std::string(names.front().data(), names.front().size());
    }
    return status;
  }

  std::filesystem::path dir_;
  PemPair ca_;
  feed::ChangeFeedService::Service feed_;  // every method UNIMPLEMENTED: enough behind the gate
  std::unique_ptr<common::ServiceHost> host_;
  int metrics_port_ = 0;
};

TEST_F(TlsTest, TheGrpcPortSpeaksOnlyTlsAndTheGateStillDecides) {
  StartHost(/*mutual=*/false);
  EXPECT_EQ(CallFeedHead(Channel(grpc::InsecureChannelCredentials()), true).error_code(),
            grpc::StatusCode::UNAVAILABLE)
      << "a plaintext client must not get through";
  EXPECT_EQ(CallFeedHead(Channel(TlsClient("rogue-ca")), true).error_code(), grpc::StatusCode::UNAVAILABLE)
      << "a client must not trust a server its roots did not sign";

  const auto channel = Channel(TlsClient("ca"));
  std::string peer;
  EXPECT_EQ(CallFeedHead(channel, /*with_token=*/false, &peer).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(peer, "server-a");
  EXPECT_EQ(CallFeedHead(channel, /*with_token=*/true).error_code(), grpc::StatusCode::UNIMPLEMENTED)
      << "past the gate, the call reaches the service";
}

TEST_F(TlsTest, ThePlaintextHealthPortAnswersHealthChecksAndNothingElse) {
  common::ServerConfig config = LoopbackServerConfig();
  config.tls = ServerTls(/*mutual=*/true);
  config.health_address = "127.0.0.1:0";
  host_ = std::make_unique<common::ServiceHost>("tls-test", config, nullptr);
  host_->AddService(&feed_);
  ASSERT_TRUE(host_->Start().ok());
  ASSERT_NE(host_->health_port(), 0);

  const auto probe = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", host_->health_port()),
                                               grpc::InsecureChannelCredentials(), common::DefaultChannelArguments());
  absl::StatusOr<int> health = system_test::HealthCheck(probe);
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(*health, system_test::kServing);
  absl::StatusOr<int> liveness = system_test::HealthCheck(probe, common::kLivenessService);
  ASSERT_TRUE(liveness.ok()) << liveness.status();
  EXPECT_EQ(*liveness, system_test::kServing);

  EXPECT_EQ(CallFeedHead(probe, /*with_token=*/true).error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << "a valid token must not open the plaintext port to the service";
  EXPECT_EQ(system_test::HealthCheck(Channel(grpc::InsecureChannelCredentials())).status().code(),
            absl::StatusCode::kUnavailable)
      << "the main port stays TLS-only";
}

TEST_F(TlsTest, MutualTlsAdmitsOnlyClientsWithACertificateFromTheCa) {
  StartHost(/*mutual=*/true);
  EXPECT_EQ(CallFeedHead(Channel(TlsClient("ca")), true).error_code(), grpc::StatusCode::UNAVAILABLE)
      << "no client certificate";
  EXPECT_EQ(CallFeedHead(Channel(TlsClient("ca", "rogue-client")), true).error_code(), grpc::StatusCode::UNAVAILABLE)
      << "a client certificate from another CA";
  EXPECT_EQ(CallFeedHead(Channel(TlsClient("ca", "client")), true).error_code(), grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(TlsTest, PeerChannelsVerifyTheServerAndPresentTheServiceCertificate) {
  StartHost(/*mutual=*/true);
  const std::string target = absl::StrCat("localhost:", host_->port());
  const common::TlsConfig peer{.cert_file = File("client.pem"),
                               .key_file = File("client-key.pem"),
                               .ca_file = File("ca.pem"),
                               .reload_interval_seconds = 1};
  EXPECT_EQ(CallFeedHead(common::BalancedChannel(target, peer), true).error_code(), grpc::StatusCode::UNIMPLEMENTED);

  common::TlsConfig without_certificate = peer;
  without_certificate.cert_file.clear();
  without_certificate.key_file.clear();
  EXPECT_EQ(CallFeedHead(common::BalancedChannel(target, without_certificate), true).error_code(),
            grpc::StatusCode::UNAVAILABLE);

  common::TlsConfig wrong_roots = peer;
  wrong_roots.ca_file = File("rogue-ca.pem");
  EXPECT_EQ(CallFeedHead(common::BalancedChannel(target, wrong_roots), true).error_code(),
            grpc::StatusCode::UNAVAILABLE);

  EXPECT_EQ(CallFeedHead(common::BalancedChannel(target), true).error_code(), grpc::StatusCode::UNAVAILABLE)
      << "no peer CA: plaintext, which a TLS port refuses";
}

TEST_F(TlsTest, ARenewedServerCertificateIsServedWithoutARestart) {
  StartHost(/*mutual=*/true);
  std::string peer;
  ASSERT_EQ(CallFeedHead(Channel(TlsClient("ca", "client")), true, &peer).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  ASSERT_EQ(peer, "server-a");

  WritePemFiles(dir_, "server", MakeCertificate(ca_, "server-b"));
  EXPECT_TRUE(Eventually([&] {
    std::string now_serving;
    CallFeedHead(Channel(TlsClient("ca", "client")), true, &now_serving);
    return now_serving == "server-b";
  }, std::chrono::seconds(15))) << "new connections still get the old certificate";
}

TEST_F(TlsTest, MetricsAreServedOverHttpsAndFollowARenewal) {
  StartHost(/*mutual=*/false, /*metrics=*/true);
  std::string peer;
  absl::StatusOr<std::string> scrape = HttpsGet(metrics_port_, "/metrics", ca_.certificate, &peer);
  ASSERT_TRUE(scrape.ok()) << scrape.status();
  EXPECT_TRUE(absl::StartsWith(*scrape, "HTTP/1.1 200")) << scrape->substr(0, 200);
  EXPECT_TRUE(absl::StrContains(*scrape, "grpc_server_rate_limited_total"));
  EXPECT_EQ(peer, "server-a");

  absl::StatusOr<std::string> plaintext = system_test::HttpGet(metrics_port_, "/metrics");
  EXPECT_FALSE(plaintext.ok() && absl::StrContains(*plaintext, "grpc_server_rate_limited_total"))
      << "metrics must not be readable without TLS";

  WritePemFiles(dir_, "server", MakeCertificate(ca_, "server-b"));
  EXPECT_TRUE(Eventually([&] {
    std::string now_serving;
    absl::StatusOr<std::string> again = HttpsGet(metrics_port_, "/metrics", ca_.certificate, &now_serving);
    return again.ok() && now_serving == "server-b" && absl::StrContains(*again, "HTTP/1.1 200");
  }, std::chrono::seconds(15))) << "the metrics port still serves the old certificate";
}

// The value of an unlabelled metric in a scrape, or -1.
double MetricValue(const std::string& scrape, const std::string& name) {
  for (absl::string_view line : absl::StrSplit(scrape, '\n')) {
    if (!absl::ConsumePrefix(&line, absl::StrCat(name, " "))) continue;
    double value = 0;
    if (absl::SimpleAtod(line, &value)) return value;
  }
  return -1;
}

TEST_F(TlsTest, TheCertificatesExpiryIsAMetricAndABrokenRenewalIsCountedAndIgnored) {
  StartHost(/*mutual=*/false, /*metrics=*/true);
  absl::StatusOr<std::string> scrape = HttpsGet(metrics_port_, "/metrics", ca_.certificate);
  ASSERT_TRUE(scrape.ok()) << scrape.status();
  // The test certificates are valid for a day from now.
  const double expiry = MetricValue(*scrape, "tls_certificate_expiry_timestamp_seconds{listener=\"metrics\"}");
  const double in_a_day = absl::ToUnixSeconds(absl::Now() + absl::Hours(24));
  EXPECT_NEAR(expiry, in_a_day, 600) << scrape->substr(0, 400);
  EXPECT_EQ(MetricValue(*scrape, "tls_certificate_reload_failures_total{listener=\"metrics\"}"), 0);

  // A renewal written half-way (not a certificate at all): counted, and the old one stays.
  std::ofstream(dir_ / "server.pem", std::ios::trunc) << "-----BEGIN CERTIFICATE-----\nMIIB\n";
  std::string peer;
  EXPECT_TRUE(Eventually([&] {
    absl::StatusOr<std::string> again = HttpsGet(metrics_port_, "/metrics", ca_.certificate, &peer);
    return again.ok() && MetricValue(*again, "tls_certificate_reload_failures_total{listener=\"metrics\"}") >= 1;
  }, std::chrono::seconds(15))) << "a broken renewal is not counted";
  EXPECT_EQ(peer, "server-a") << "the previous certificate must stay in service";
}

TEST_F(TlsTest, AServerWhoseKeyDoesNotMatchItsCertificateDoesNotStartItsMetrics) {
  WritePemFiles(dir_, "other", MakeCertificate(ca_, "other"));
  std::filesystem::copy_file(dir_ / "other-key.pem", dir_ / "server-key.pem",
                             std::filesystem::copy_options::overwrite_existing);
  common::ServerConfig config = LoopbackServerConfig();
  config.tls = ServerTls(false);
  config.metrics_address = absl::StrCat("127.0.0.1:", system_test::PickFreePort());
  common::ServiceHost host("tls-test", config, nullptr);
  absl::Status started = host.Start();
  EXPECT_FALSE(started.ok());
  EXPECT_TRUE(absl::StrContains(started.message(), "is not the key of")) << started;
}

absl::StatusOr<std::string> SslCipher(common::db::ConnectionPool& pool) {
  std::string cipher;
  absl::Status status = pool.Run("tls_test", [&](common::db::Session& session) -> absl::Status {
    std::unique_ptr<sql::Statement> statement(session.connection().createStatement());
    std::unique_ptr<sql::ResultSet> rows(statement->executeQuery("SHOW SESSION STATUS LIKE 'Ssl_cipher'"));
    if (rows->next()) cipher = rows->getString(2);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return cipher;
}

TEST(DatabaseTlsTest, ConnectsOverTlsAndVerifiesTheServer) {
  absl::StatusOr<common::DbConfig> server = TestDatabase::ServerConfig();
  ASSERT_TRUE(server.ok()) << server.status();
  absl::StatusOr<std::string> ca = TestDatabase::ServerCaFile();
  ASSERT_TRUE(ca.ok()) << ca.status();
  server->pool_size = 1;

  common::DbConfig plain = *server;
  auto plain_pool = common::db::ConnectionPool::Create(plain, nullptr);
  ASSERT_TRUE(plain_pool.ok());
  absl::StatusOr<std::string> plain_cipher = SslCipher(**plain_pool);
  ASSERT_TRUE(plain_cipher.ok()) << plain_cipher.status();
  EXPECT_EQ(*plain_cipher, "") << "without --db-tls the session is plaintext (the comparison the test rests on)";

  common::DbConfig verified = *server;
  verified.tls = true;
  verified.tls_ca_file = *ca;
  auto verified_pool = common::db::ConnectionPool::Create(verified, nullptr);
  ASSERT_TRUE(verified_pool.ok());
  absl::StatusOr<std::string> cipher = SslCipher(**verified_pool);
  ASSERT_TRUE(cipher.ok()) << cipher.status();
  EXPECT_NE(*cipher, "");

  // A server the CA did not sign is refused, as an unreachable database is.
  const std::filesystem::path other_ca =
      std::filesystem::temp_directory_path() / absl::StrCat("grassroots-tls-other-ca-", getpid(), ".pem");
  std::ofstream(other_ca) << MakeCertificateAuthority("not the database's CA").certificate;
  common::DbConfig wrong = verified;
  wrong.tls_ca_file = other_ca.string();
  auto wrong_pool = common::db::ConnectionPool::Create(wrong, nullptr);
  ASSERT_TRUE(wrong_pool.ok());
  absl::StatusOr<std::string> refused = SslCipher(**wrong_pool);
  std::filesystem::remove(other_ca);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
}

}  // namespace
}  // namespace grassroots::testing
