// In-process gRPC servers on 127.0.0.1:0: ServiceHost (health, readiness
// probe, stop, the authentication gate before any handler), the metrics interceptor, Authorizer::Begin on real calls, and
// CallEnvelope (full method names from the descriptor, policy before the body).
#include <atomic>
#include <future>
#include <thread>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/auth/auth.h"
#include "common/metrics/grpc_metrics.h"
#include "common/server/respond.h"
#include "common/server/service_host.h"
#include "common/status/status.h"
#include "grassroots/feed/v1/change_feed.grpc.pb.h"
#include "tests/support/test_tokens.h"

namespace grassroots::common {
namespace {

namespace feed = grassroots::feed::v1;
using auth::Role;

constexpr char kGetFeedHead[] = "/grassroots.feed.v1.ChangeFeedService/GetFeedHead";

// A small service to call: GetFeedHead authorizes when an Authorizer is set and
// answers with the caller's scope; StreamChanges sends `after_sequence` changes.
class FakeFeedService final : public feed::ChangeFeedService::Service {
 public:
  explicit FakeFeedService(const auth::Authorizer* authorizer = nullptr) : authorizer_(authorizer) {}

  grpc::Status GetFeedHead(grpc::ServerContext* context, const feed::GetFeedHeadRequest*,
                           feed::FeedHead* response) override {
    ++handler_runs;
    if (hold_heads.load()) {
      // Parks this unary call, as a slow database query would.
      ++held;
      absl::MutexLock lock(&hold_mutex_);
      while (!released_ && !context->IsCancelled()) hold_mutex_.AwaitWithTimeout(absl::Condition(&released_), absl::Milliseconds(10));
      return grpc::Status::OK;
    }
    if (authorizer_ == nullptr) return grpc::Status::OK;
    absl::StatusOr<auth::CallContext> call = authorizer_->Begin(*context, kGetFeedHead);
    if (!call.ok()) return ToGrpcStatus(call.status());
    context->AddTrailingMetadata("x-request-id", call->request_id);
    response->set_last_sequence(call->principal.scope_org_id);
    return grpc::Status::OK;
  }

  grpc::Status StreamChanges(grpc::ServerContext* context, const feed::StreamChangesRequest* request,
                             grpc::ServerWriter<feed::Change>* writer) override {
    ++handler_runs;
    if (request->after_sequence() == kHold) {
      // Parks this handler's thread, as a slow database call would.
      ++held;
      absl::MutexLock lock(&hold_mutex_);
      while (!released_ && !context->IsCancelled()) hold_mutex_.AwaitWithTimeout(absl::Condition(&released_), absl::Milliseconds(10));
      return grpc::Status::OK;
    }
    if (request->after_sequence() < 0) return ToGrpcStatus(InvalidField("after_sequence", "must not be negative"));
    for (int64_t i = 1; i <= request->after_sequence(); ++i) {
      feed::Change change;
      change.set_sequence(i);
      writer->Write(change);
    }
    return grpc::Status::OK;
  }

  void ReleaseHeld() {
    absl::MutexLock lock(&hold_mutex_);
    released_ = true;
  }

  static constexpr int64_t kHold = 1'000'000;
  std::atomic<bool> hold_heads{false};
  std::atomic<int> handler_runs{0};
  std::atomic<int> held{0};

 private:
  const auth::Authorizer* authorizer_;
  absl::Mutex hold_mutex_;
  bool released_ ABSL_GUARDED_BY(hold_mutex_) = false;
};

ServerConfig TestServerConfig() {
  ServerConfig config;
  config.grpc_address = "127.0.0.1:0";
  config.metrics_address = "";
  config.max_threads = 8;
  config.drain_delay = std::chrono::milliseconds(0);
  config.shutdown_grace = std::chrono::milliseconds(500);
  config.health_check_interval = std::chrono::milliseconds(20);
  // These tests are about hosting and the handler-side checks; the gate's own
  // tests (CallGateTest) set a real authenticator or none.
  config.authenticate = [](std::string_view) -> absl::StatusOr<std::string> { return std::string(); };
  return config;
}

std::shared_ptr<grpc::Channel> Connect(int port) {
  return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials(),
                                   DefaultChannelArguments());
}

// grpc.health.v1.Health/Check without generated stubs: the request is an empty
// message; the response is field 1 (enum): 1 SERVING, 2 NOT_SERVING.
absl::StatusOr<int> HealthStatus(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::ByteBuffer request, response;
  grpc::Slice empty("");
  request = grpc::ByteBuffer(&empty, 1);
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status status) { done.set_value(std::move(status)); });
  grpc::Status status = done.get_future().get();
  if (!status.ok()) return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  std::vector<grpc::Slice> slices;
  response.Dump(&slices);
  std::string bytes;
  for (const auto& slice : slices) bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  if (bytes.size() == 2 && bytes[0] == 0x08) return static_cast<int>(bytes[1]);
  if (bytes.empty()) return 0;  // UNKNOWN (default value)
  return absl::InternalError("unexpected health response");
}
constexpr int kServing = 1;
constexpr int kNotServing = 2;

// Finds one series' value in the registry; -1 when absent.
double MetricValue(prometheus::Registry& registry, const std::string& family_name,
                   const std::map<std::string, std::string>& labels) {
  for (const auto& family : registry.Collect()) {
    if (family.name != family_name) continue;
    for (const auto& metric : family.metric) {
      std::map<std::string, std::string> got;
      for (const auto& label : metric.label) got[label.name] = label.value;
      if (got != labels) continue;
      if (family.type == prometheus::MetricType::Counter) return metric.counter.value;
      if (family.type == prometheus::MetricType::Gauge) return metric.gauge.value;
      if (family.type == prometheus::MetricType::Histogram)
        return static_cast<double>(metric.histogram.sample_count);
    }
  }
  return -1;
}

TEST(ServiceHostTest, ServesOnAnEphemeralPortAndStops) {
  FakeFeedService service;
  auto registry = std::make_shared<prometheus::Registry>();
  ServiceHost host("test", TestServerConfig(), registry);
  host.AddService(&service);
  ASSERT_TRUE(host.Start().ok());
  ASSERT_GT(host.port(), 0);
  auto channel = Connect(host.port());
  auto stub = feed::ChangeFeedService::NewStub(channel);
  grpc::ClientContext context;
  feed::FeedHead head;
  EXPECT_TRUE(stub->GetFeedHead(&context, feed::GetFeedHeadRequest(), &head).ok());
  EXPECT_EQ(*HealthStatus(channel), kServing);
  host.Stop();
  host.Stop();  // idempotent
  grpc::ClientContext after;
  after.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
  EXPECT_FALSE(stub->GetFeedHead(&after, feed::GetFeedHeadRequest(), &head).ok());
}

TEST(ServiceHostTest, PortInUseFailsToStart) {
  FakeFeedService service;
  ServiceHost first("first", TestServerConfig(), std::make_shared<prometheus::Registry>());
  first.AddService(&service);
  ASSERT_TRUE(first.Start().ok());
  ServerConfig config = TestServerConfig();
  config.grpc_address = "127.0.0.1:" + std::to_string(first.port());
  FakeFeedService other;
  ServiceHost second("second", config, std::make_shared<prometheus::Registry>());
  second.AddService(&other);
  absl::Status status = second.Start();
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(absl::StrContains(status.message(), "--grpc-address"));
}

TEST(ServiceHostTest, ReadinessProbeFlipsHealth) {
  FakeFeedService service;
  std::atomic<bool> ready{false};
  ServiceHost host("test", TestServerConfig(), std::make_shared<prometheus::Registry>());
  host.AddService(&service);
  host.SetReadinessProbe([&ready] { return ready.load(); });
  ASSERT_TRUE(host.Start().ok());
  auto channel = Connect(host.port());
  EXPECT_EQ(*HealthStatus(channel), kNotServing);  // first verdict is taken before Start returns

  const auto wait_for = [&](int wanted) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      if (*HealthStatus(channel) == wanted) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  };
  ready = true;
  EXPECT_TRUE(wait_for(kServing));
  ready = false;
  EXPECT_TRUE(wait_for(kNotServing));

  // Stop returns promptly even with a 20 ms probe loop running.
  const auto before = std::chrono::steady_clock::now();
  host.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(3));
}

TEST(ServiceHostTest, DrainDelayKeepsServingCallsWhileNotServing) {
  FakeFeedService service;
  ServerConfig config = TestServerConfig();
  config.drain_delay = std::chrono::milliseconds(400);
  ServiceHost host("test", config, std::make_shared<prometheus::Registry>());
  host.AddService(&service);
  ASSERT_TRUE(host.Start().ok());
  auto channel = Connect(host.port());
  ASSERT_EQ(*HealthStatus(channel), kServing);
  std::thread stopper([&host] { host.Stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_EQ(*HealthStatus(channel), kNotServing);  // still answering, but not ready
  stopper.join();
}

// Overload: when every thread the server may have is busy, a new call is
// refused RESOURCE_EXHAUSTED at once (gRPC's sync server, under the thread
// quota), never queued without bound; the server serves again once they free.
TEST(ServiceHostTest, CallsBeyondTheThreadCapAreRefusedResourceExhausted) {
  FakeFeedService service;
  ServerConfig config = TestServerConfig();
  config.max_threads = 4;
  ServiceHost host("overload-test", config, nullptr);
  host.AddService(&service);
  ASSERT_TRUE(host.Start().ok());
  auto stub = feed::ChangeFeedService::NewStub(Connect(host.port()));

  constexpr int kStreams = 12;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<feed::Change>>> streams;
  feed::StreamChangesRequest hold;
  hold.set_after_sequence(FakeFeedService::kHold);
  for (int i = 0; i < kStreams; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    contexts.back()->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    streams.push_back(stub->StreamChanges(contexts.back().get(), hold));
  }
  // While they are held, further calls are refused; none waits for a thread.
  int refused = 0;
  for (int i = 0; i < 20 && refused == 0; ++i) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    feed::FeedHead head;
    grpc::Status status = stub->GetFeedHead(&context, {}, &head);
    ASSERT_NE(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << "a call waited instead of being refused";
    if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) ++refused;
  }
  EXPECT_GT(refused, 0);
  EXPECT_LT(service.held.load(), kStreams) << "more handlers ran at once than the thread cap allows";

  service.ReleaseHeld();
  int streams_refused = 0;
  for (auto& stream : streams) {
    feed::Change change;
    while (stream->Read(&change)) {
    }
    const grpc::Status status = stream->Finish();
    if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) ++streams_refused;
    else EXPECT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_EQ(streams_refused + service.held.load(), kStreams);
  // Once the held calls are over the server takes calls again. A handler's
  // thread returns to the pool just after its client sees the status, so the
  // first call may still find the cap reached; it must not stay so.
  grpc::Status after;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  do {
    grpc::ClientContext context;
    feed::FeedHead head;
    after = stub->GetFeedHead(&context, {}, &head);
    if (after.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < give_up);
  EXPECT_TRUE(after.ok()) << after.error_message();
}

// Load shedding: at --max-concurrent-calls unary calls in progress, a new call
// is refused RESOURCE_EXHAUSTED by the gate at once, health checks still
// answer, the refusal is counted, and calls are admitted again once the
// held ones end.
TEST(ServiceHostTest, CallsOverTheConcurrencyLimitAreShedAtTheGate) {
  FakeFeedService service;
  service.hold_heads = true;
  auto registry = std::make_shared<prometheus::Registry>();
  ServerConfig config = TestServerConfig();
  config.max_threads = 16;
  config.max_concurrent_calls = 2;
  ServiceHost host("shedding-test", config, registry);
  host.AddService(&service);
  ASSERT_TRUE(host.Start().ok());
  auto channel = Connect(host.port());
  auto stub = feed::ChangeFeedService::NewStub(channel);

  std::vector<std::future<grpc::Status>> held;
  for (int i = 0; i < 2; ++i) {
    held.push_back(std::async(std::launch::async, [&stub] {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
      feed::FeedHead head;
      return stub->GetFeedHead(&context, {}, &head);
    }));
  }
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (service.held.load() < 2 && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(service.held.load(), 2);
  EXPECT_EQ(MetricValue(*registry, "grpc_server_unary_calls_in_flight", {}), 2);

  const int runs_before = service.handler_runs.load();
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  feed::FeedHead head;
  const grpc::Status shed = stub->GetFeedHead(&context, {}, &head);
  EXPECT_EQ(shed.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << shed.error_message();
  EXPECT_TRUE(absl::StrContains(shed.error_message(), "at capacity")) << shed.error_message();
  EXPECT_EQ(service.handler_runs.load(), runs_before) << "a shed call reached its handler";
  EXPECT_EQ(MetricValue(*registry, "grpc_server_calls_shed_total", {}), 1);
  EXPECT_EQ(*HealthStatus(channel), kServing) << "health checks are never shed";

  service.hold_heads = false;
  service.ReleaseHeld();
  for (auto& call : held) EXPECT_TRUE(call.get().ok());
  // The count drops as each held call's interceptor goes, just after its client has the reply.
  grpc::Status after;
  const auto admitted_by = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  do {
    grpc::ClientContext again;
    after = stub->GetFeedHead(&again, {}, &head);
    if (after.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < admitted_by);
  EXPECT_TRUE(after.ok()) << after.error_message();
}

TEST(MetricsInterceptorTest, CountsStartedHandledAndLatencyWithLabels) {
  FakeFeedService service;
  auto registry = std::make_shared<prometheus::Registry>();
  ServiceHost host("test", TestServerConfig(), registry);
  host.AddService(&service);
  ASSERT_TRUE(host.Start().ok());
  auto channel = Connect(host.port());
  auto stub = feed::ChangeFeedService::NewStub(channel);

  for (int i = 0; i < 3; ++i) {
    grpc::ClientContext context;
    feed::FeedHead head;
    ASSERT_TRUE(stub->GetFeedHead(&context, feed::GetFeedHeadRequest(), &head).ok());
  }
  {
    grpc::ClientContext context;
    feed::StreamChangesRequest request;
    request.set_after_sequence(2);
    auto reader = stub->StreamChanges(&context, request);
    feed::Change change;
    int received = 0;
    while (reader->Read(&change)) ++received;
    EXPECT_TRUE(reader->Finish().ok());
    EXPECT_EQ(received, 2);
  }
  {
    grpc::ClientContext context;
    feed::StreamChangesRequest request;
    request.set_after_sequence(-1);
    auto reader = stub->StreamChanges(&context, request);
    feed::Change change;
    while (reader->Read(&change)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  ASSERT_EQ(*HealthStatus(channel), kServing);

  const std::map<std::string, std::string> unary = {
      {"grpc_type", "unary"}, {"grpc_service", "grassroots.feed.v1.ChangeFeedService"}, {"grpc_method", "GetFeedHead"}};
  auto with_code = [](std::map<std::string, std::string> labels, const std::string& code) {
    labels["grpc_code"] = code;
    return labels;
  };
  EXPECT_EQ(MetricValue(*registry, "grpc_server_started_total", unary), 3);
  EXPECT_EQ(MetricValue(*registry, "grpc_server_handled_total", with_code(unary, "OK")), 3);
  EXPECT_EQ(MetricValue(*registry, "grpc_server_handling_seconds", unary), 3);

  const std::map<std::string, std::string> stream = {{"grpc_type", "server_stream"},
                                                     {"grpc_service", "grassroots.feed.v1.ChangeFeedService"},
                                                     {"grpc_method", "StreamChanges"}};
  EXPECT_EQ(MetricValue(*registry, "grpc_server_started_total", stream), 2);
  EXPECT_EQ(MetricValue(*registry, "grpc_server_handled_total", with_code(stream, "OK")), 1);
  EXPECT_EQ(MetricValue(*registry, "grpc_server_handled_total", with_code(stream, "INVALID_ARGUMENT")), 1);
  EXPECT_EQ(MetricValue(*registry, "grpc_server_handled_total", with_code(stream, "NOT_FOUND")), -1);

  const std::map<std::string, std::string> health = {
      {"grpc_type", "unary"}, {"grpc_service", "grpc.health.v1.Health"}, {"grpc_method", "Check"}};
  EXPECT_GE(MetricValue(*registry, "grpc_server_started_total", health), 1);
}

TEST(MetricsInterceptorTest, UnknownMethodsAreCountedToo) {
  auto registry = std::make_shared<prometheus::Registry>();
  FakeFeedService service;
  ServiceHost host("test", TestServerConfig(), registry);
  host.AddService(&service);
  ASSERT_TRUE(host.Start().ok());
  auto channel = Connect(host.port());
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1), response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/grassroots.feed.v1.ChangeFeedService/NoSuchMethod", grpc::StubOptions(), &request,
                 &response, [&done](grpc::Status status) { done.set_value(std::move(status)); });
  EXPECT_EQ(done.get_future().get().error_code(), grpc::StatusCode::UNIMPLEMENTED);
  // Whatever the interceptor sees for an unregistered method, it must not crash
  // and the registered series keep working.
  grpc::ClientContext ok_context;
  feed::FeedHead head;
  EXPECT_TRUE(feed::ChangeFeedService::NewStub(channel)->GetFeedHead(&ok_context, {}, &head).ok());
}

// The host's gate runs in gRPC's auth step, before any handler: a handler
// that never authenticates (FakeFeedService without an Authorizer) is still
// only reached by callers with a valid token.
class CallGateTest : public ::testing::Test {
 protected:
  void Serve(ServerConfig config) {
    host_ = std::make_unique<ServiceHost>("gate-test", std::move(config), std::make_shared<prometheus::Registry>());
    host_->AddService(&forgetful_);
    ASSERT_TRUE(host_->Start().ok());
    channel_ = Connect(host_->port());
  }

  grpc::Status GetFeedHead(const std::string& authorization) {
    grpc::ClientContext context;
    if (!authorization.empty()) context.AddMetadata("authorization", authorization);
    feed::FeedHead head;
    return feed::ChangeFeedService::NewStub(channel_)->GetFeedHead(&context, {}, &head);
  }

  grpc::Status StreamChanges(const std::string& authorization) {
    grpc::ClientContext context;
    if (!authorization.empty()) context.AddMetadata("authorization", authorization);
    feed::StreamChangesRequest request;
    request.set_after_sequence(2);
    auto reader = feed::ChangeFeedService::NewStub(channel_)->StreamChanges(&context, request);
    feed::Change change;
    while (reader->Read(&change)) {
    }
    return reader->Finish();
  }

  FakeFeedService forgetful_;
  std::unique_ptr<ServiceHost> host_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(CallGateTest, WithoutAnAuthenticatorEveryCallButHealthIsRefused) {
  ServerConfig config = TestServerConfig();
  config.authenticate = nullptr;
  Serve(config);
  const std::string valid = grassroots::testing::MintToken({Role::kAdmin}, 1);
  EXPECT_EQ(GetFeedHead(valid).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(StreamChanges(valid).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(forgetful_.handler_runs.load(), 0);
  EXPECT_EQ(*HealthStatus(channel_), kServing);  // the allow-list
}

TEST_F(CallGateTest, RefusedCallsNeverReachTheHandler) {
  ServerConfig config = TestServerConfig();
  config.authenticate = auth::BearerGate(grassroots::testing::TestVerifier());
  Serve(config);
  const std::string valid = grassroots::testing::MintToken({Role::kMember}, 7);
  for (const std::string& bad : {std::string(), std::string("Bearer not.a.token"), valid.substr(7),
                                 std::string("Basic dXNlcjpwYXNz")}) {
    grpc::Status unary = GetFeedHead(bad);
    EXPECT_EQ(unary.error_code(), grpc::StatusCode::UNAUTHENTICATED) << bad;
    EXPECT_FALSE(unary.error_message().empty());
    EXPECT_EQ(StreamChanges(bad).error_code(), grpc::StatusCode::UNAUTHENTICATED) << bad;
  }
  EXPECT_EQ(forgetful_.handler_runs.load(), 0);
  EXPECT_TRUE(GetFeedHead(valid).ok());
  EXPECT_TRUE(StreamChanges(valid).ok());
  EXPECT_EQ(forgetful_.handler_runs.load(), 2);
  EXPECT_EQ(*HealthStatus(channel_), kServing);
}

// Per-caller admission at the gate: a caller past its burst is refused
// RESOURCE_EXHAUSTED (with when to retry) before any handler runs; other
// callers, and callers the authenticator exempts, are not affected.
TEST_F(CallGateTest, ACallerOverItsRateIsRefusedResourceExhausted) {
  ServerConfig config = TestServerConfig();
  config.caller_rate_per_second = 0.01;  // no refill within the test
  config.caller_burst = 3;
  // The authorization value names the caller; "service" is exempt.
  config.authenticate = [](std::string_view authorization) -> absl::StatusOr<std::string> {
    if (authorization.empty()) return absl::UnauthenticatedError("missing");
    if (authorization == "service") return std::string();
    return std::string(authorization);
  };
  auto registry = std::make_shared<prometheus::Registry>();
  host_ = std::make_unique<ServiceHost>("rate-test", config, registry);
  host_->AddService(&forgetful_);
  ASSERT_TRUE(host_->Start().ok());
  channel_ = Connect(host_->port());

  for (int i = 0; i < 3; ++i) EXPECT_TRUE(GetFeedHead("alice").ok()) << i;
  const int runs_before = forgetful_.handler_runs.load();
  grpc::Status limited = GetFeedHead("alice");
  EXPECT_EQ(limited.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(absl::StrContains(limited.error_message(), "retry in")) << limited.error_message();
  EXPECT_EQ(StreamChanges("alice").error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(forgetful_.handler_runs.load(), runs_before);
  EXPECT_TRUE(GetFeedHead("bob").ok());
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(GetFeedHead("service").ok()) << i;
  // An unauthenticated call is refused as such, not counted against anyone.
  EXPECT_EQ(GetFeedHead("").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(MetricValue(*registry, "grpc_server_rate_limited_total", {}), 2);
}

// BearerGate keys the limit by the token's subject and exempts the service role.
TEST_F(CallGateTest, BearerGateLimitsPeopleBySubjectAndNotServices) {
  auto gate = auth::BearerGate(grassroots::testing::TestVerifier());
  absl::StatusOr<std::string> person = gate(grassroots::testing::MintToken({Role::kAdmin}, 1));
  ASSERT_TRUE(person.ok()) << person.status();
  EXPECT_EQ(*person, "test-user");
  absl::StatusOr<std::string> service = gate(grassroots::testing::MintToken({Role::kService}, 1));
  ASSERT_TRUE(service.ok()) << service.status();
  EXPECT_EQ(*service, "");
  EXPECT_EQ(gate("Bearer forged").status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(CallGateTest, UnknownMethodsAreRefusedBeforeTheyAreLookedUp) {
  ServerConfig config = TestServerConfig();
  config.authenticate = auth::BearerGate(grassroots::testing::TestVerifier());
  Serve(config);
  grpc::GenericStub stub(channel_);
  grpc::ClientContext context;
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1), response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/grassroots.feed.v1.ChangeFeedService/NoSuchMethod", grpc::StubOptions(), &request,
                 &response, [&done](grpc::Status status) { done.set_value(std::move(status)); });
  // No token, no answer about which methods exist.
  EXPECT_EQ(done.get_future().get().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

class AuthorizerCallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auth::MethodPolicy policy;
    policy.Allow(kGetFeedHead, {Role::kSecretary, Role::kAdmin});
    authorizer_ = std::make_unique<auth::Authorizer>(grassroots::testing::TestVerifier(), policy);
    service_ = std::make_unique<FakeFeedService>(authorizer_.get());
    host_ = std::make_unique<ServiceHost>("test", TestServerConfig(), std::make_shared<prometheus::Registry>());
    host_->AddService(service_.get());
    ASSERT_TRUE(host_->Start().ok());
    stub_ = feed::ChangeFeedService::NewStub(Connect(host_->port()));
  }

  grpc::Status Call(const std::map<std::string, std::string>& metadata, feed::FeedHead* head,
                    std::string* request_id = nullptr) {
    grpc::ClientContext context;
    for (const auto& [key, value] : metadata) context.AddMetadata(key, value);
    grpc::Status status = stub_->GetFeedHead(&context, feed::GetFeedHeadRequest(), head);
    if (request_id != nullptr) {
      auto it = context.GetServerTrailingMetadata().find("x-request-id");
      *request_id = it == context.GetServerTrailingMetadata().end() ? "" : std::string(it->second.data(), it->second.size());
    }
    return status;
  }

  std::unique_ptr<auth::Authorizer> authorizer_;
  std::unique_ptr<FakeFeedService> service_;
  std::unique_ptr<ServiceHost> host_;
  std::unique_ptr<feed::ChangeFeedService::Stub> stub_;
};

TEST_F(AuthorizerCallTest, ValidBearerTokenPasses) {
  feed::FeedHead head;
  std::string request_id;
  grpc::Status status = Call({{"authorization", grassroots::testing::MintToken({Role::kSecretary}, 42)},
                              {"x-request-id", "abc-123_X"}},
                             &head, &request_id);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(head.last_sequence(), 42);
  EXPECT_EQ(request_id, "abc-123_X");
}

TEST_F(AuthorizerCallTest, SchemeIsCaseInsensitiveAndBadRequestIdsAreReplaced) {
  std::string token = grassroots::testing::MintToken({Role::kAdmin}, 5);
  token.replace(0, 6, "bEaReR");
  feed::FeedHead head;
  std::string request_id;
  ASSERT_TRUE(Call({{"authorization", token}, {"x-request-id", "bad id;drop table"}}, &head, &request_id).ok());
  EXPECT_EQ(request_id.size(), 32u);  // a generated one
  ASSERT_TRUE(Call({{"authorization", token}}, &head, &request_id).ok());
  EXPECT_EQ(request_id.size(), 32u);
}

TEST_F(AuthorizerCallTest, MissingOrBadCredentialsAreUnauthenticated) {
  feed::FeedHead head;
  EXPECT_EQ(Call({}, &head).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  const std::string token = grassroots::testing::MintToken({Role::kSecretary}, 42);
  EXPECT_EQ(Call({{"authorization", token.substr(7)}}, &head).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Call({{"authorization", "Basic dXNlcjpwYXNz"}}, &head).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Call({{"authorization", "Bearer "}}, &head).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Call({{"authorization", "Bearer not.a.token"}}, &head).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  auth::Claims claims{"user", {Role::kSecretary}, 42, std::nullopt};
  auto minted = grassroots::testing::TestKeys::Get().signer().Mint(claims, absl::Minutes(1), absl::Now() - absl::Hours(1));
  ASSERT_TRUE(minted.ok());
  const std::string expired = "Bearer " + *minted;
  grpc::Status status = Call({{"authorization", expired}}, &head);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_FALSE(absl::StrContains(status.error_message(), expired.substr(7, 20)));
}

TEST_F(AuthorizerCallTest, RoleNotAllowedIsPermissionDeniedNamingTheMethod) {
  feed::FeedHead head;
  grpc::Status status = Call({{"authorization", grassroots::testing::MintToken({Role::kMember}, 42)}}, &head);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(absl::StrContains(status.error_message(), kGetFeedHead)) << status.error_message();
}

// GetFeedHead answers with the caller's scope through the envelope; StreamChanges
// is left to the base class (it is not part of this test).
class EnvelopedFeed final : public feed::ChangeFeedService::Service {
 public:
  explicit EnvelopedFeed(const auth::Authorizer& authorizer)
      : envelope_(feed::ChangeFeedService::service_full_name(), authorizer) {}

  grpc::Status GetFeedHead(grpc::ServerContext* context, const feed::GetFeedHeadRequest*,
                           feed::FeedHead* response) override {
    return envelope_.Run(context, __func__, [&](const auth::CallContext& call) {
      body_runs.fetch_add(1);
      response->set_last_sequence(call.principal.scope_org_id);
      return absl::OkStatus();
    });
  }

  const CallEnvelope& envelope() const { return envelope_; }
  std::atomic<int> body_runs{0};

 private:
  CallEnvelope envelope_;
};

class CallEnvelopeTest : public ::testing::Test {
 protected:
  CallEnvelopeTest()
      : authorizer_(testing::TestVerifier(),
                    auth::MethodPolicy().Allow("/grassroots.feed.v1.ChangeFeedService/GetFeedHead", {Role::kService})),
        service_(authorizer_),
        host_("envelope-test", TestServerConfig(), std::make_shared<prometheus::Registry>()) {
    host_.AddService(&service_);
  }
  void SetUp() override {
    ASSERT_TRUE(host_.Start().ok());
    stub_ = feed::ChangeFeedService::NewStub(grpc::CreateChannel(absl::StrCat("127.0.0.1:", host_.port()),
                                                                 grpc::InsecureChannelCredentials()));
  }
  void TearDown() override { host_.Stop(); }

  grpc::Status Call(const std::string& bearer, feed::FeedHead& head, grpc::ClientContext& context) {
    if (!bearer.empty()) context.AddMetadata("authorization", bearer);
    context.AddMetadata("x-request-id", "envelope-test-1");
    return stub_->GetFeedHead(&context, feed::GetFeedHeadRequest(), &head);
  }

  auth::Authorizer authorizer_;
  EnvelopedFeed service_;
  ServiceHost host_;
  std::unique_ptr<feed::ChangeFeedService::Stub> stub_;
};

TEST_F(CallEnvelopeTest, FullNamesComeFromTheDescriptor) {
  EXPECT_EQ(service_.envelope().FullName("GetFeedHead"), "/grassroots.feed.v1.ChangeFeedService/GetFeedHead");
  EXPECT_EQ(service_.envelope().FullName("StreamChanges"), "/grassroots.feed.v1.ChangeFeedService/StreamChanges");
  EXPECT_TRUE(service_.envelope().FullName("GetFeedTail").empty());
}

TEST_F(CallEnvelopeTest, RunsTheBodyForAnAllowedRoleAndEchoesTheRequestId) {
  feed::FeedHead head;
  grpc::ClientContext context;
  grpc::Status status = Call(testing::MintToken({Role::kService}, 42), head, context);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(head.last_sequence(), 42);
  EXPECT_EQ(service_.body_runs.load(), 1);
  auto trailer = context.GetServerTrailingMetadata().find("x-request-id");
  ASSERT_NE(trailer, context.GetServerTrailingMetadata().end());
  EXPECT_EQ(std::string(trailer->second.data(), trailer->second.size()), "envelope-test-1");
}

TEST_F(CallEnvelopeTest, RefusesBeforeTheBodyRuns) {
  feed::FeedHead head;
  grpc::ClientContext anonymous;
  EXPECT_EQ(Call("", head, anonymous).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  grpc::ClientContext admin;
  EXPECT_EQ(Call(testing::MintToken({Role::kAdmin}, 1), head, admin).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(service_.body_runs.load(), 0);
}

}  // namespace
}  // namespace grassroots::common
