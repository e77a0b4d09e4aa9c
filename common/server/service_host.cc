#include "common/server/service_host.h"

#include <pthread.h>
#include <signal.h>

#include <thread>

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <prometheus/counter.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "common/metrics/grpc_metrics.h"
#include "common/server/call_admission.h"
#include "common/server/metrics_endpoint.h"
#include "common/server/rate_limiter.h"

namespace grassroots::common {
namespace {

// Keepalive pair shared by servers and clients (grpc doc/keepalive.md): a client
// may ping no more often than the server's minimum interval, or it gets GOAWAY
// "too_many_pings".
constexpr int kKeepaliveTimeMs = 60'000;
constexpr int kKeepaliveTimeoutMs = 20'000;
constexpr int kMaxReconnectBackoffMs = 5'000;
constexpr int kServerMinPingIntervalMs = 30'000;
// Forces clients to reconnect now and then so a ClusterIP Service spreads them over pods.
constexpr int kMaxConnectionAgeMs = 5 * 60'000;
constexpr int kMaxConnectionAgeGraceMs = 30'000;
// What clients accept / send; mirrors ServerConfig's defaults (server send 16 MiB, receive 4 MiB).
constexpr int kClientMaxReceiveBytes = 16 * 1024 * 1024;
constexpr int kClientMaxSendBytes = 4 * 1024 * 1024;

sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

std::string_view SliceView(const grpc_slice& slice) {
  return {reinterpret_cast<const char*>(GRPC_SLICE_START_PTR(slice)), GRPC_SLICE_LENGTH(slice)};
}

// Deny by default, below the handlers: gRPC core runs this for every call on
// the listening port, from the server's auth filter, before the call is
// matched to a method. A refusal ends the call UNAUTHENTICATED there, so no
// interceptor, deserializer or handler of ours runs for it; a handler that
// forgets the CallEnvelope still never sees an unauthenticated call.
//
// It also admits calls per caller (the key authenticate returns): one over the
// caller's rate is refused RESOURCE_EXHAUSTED just as cheaply.
class CallGate {
 public:
  // health_only: the port answers health checks and refuses everything else.
  // admission: sheds calls once the server is at its call limit (nullable: never).
  CallGate(const ServerConfig& config, prometheus::Counter& rate_limited, CallAdmission* admission,
           bool health_only = false)
      : health_only_(health_only),
        admission_(admission),
        authenticate_(config.authenticate),
        reflection_(config.reflection),
        limiter_(RateLimit{.rate_per_second = config.caller_rate_per_second,
                           .burst = static_cast<double>(config.caller_burst)}),
        rate_limited_(rate_limited) {}

  grpc_auth_metadata_processor Processor() {
    return {.process = &CallGate::Process, .destroy = &CallGate::Destroy, .state = this};
  }

 private:
  bool AllowedWithoutToken(std::string_view path) const {
    if (path.starts_with(kHealthMethodPrefix)) return true;
    return reflection_ && path.starts_with(kReflectionMethodPrefix);
  }

  absl::Status Check(const grpc_metadata* metadata, size_t count) {
    std::string_view path;
    std::string_view authorization;
    for (size_t i = 0; i < count; ++i) {
      const std::string_view key = SliceView(metadata[i].key);
      if (key == ":path") path = SliceView(metadata[i].value);
      if (key == "authorization") authorization = SliceView(metadata[i].value);
    }
    if (health_only_ && !path.starts_with(kHealthMethodPrefix))
      return absl::PermissionDeniedError("this port answers health checks only");
    if (AllowedWithoutToken(path)) return absl::OkStatus();
    // Before the token is verified: a refusal must cost less than the call it saves.
    if (admission_ != nullptr && admission_->ShedNewCall()) {
      return absl::ResourceExhaustedError("the server is at capacity; retry after a backoff");
    }
    if (!authenticate_) return absl::UnauthenticatedError("this server accepts no caller");
    absl::StatusOr<std::string> caller = authenticate_(authorization);
    if (!caller.ok()) {
      // Whatever went wrong, an unverified caller is UNAUTHENTICATED.
      return absl::UnauthenticatedError(caller.status().message());
    }
    if (caller->empty()) return absl::OkStatus();
    if (const std::chrono::milliseconds wait = limiter_.Acquire(*caller); wait.count() > 0) {
      rate_limited_.Increment();
      return absl::ResourceExhaustedError(
          absl::StrCat("too many calls from this caller; retry in ", wait.count(), " ms"));
    }
    return absl::OkStatus();
  }

  static void Process(void* state, grpc_auth_context* /*context*/, const grpc_metadata* metadata, size_t count,
                      grpc_process_auth_metadata_done_cb done, void* user_data) {
    absl::Status verdict;
    try {
      verdict = static_cast<CallGate*>(state)->Check(metadata, count);
    } catch (const std::exception& e) {
      verdict = absl::UnauthenticatedError("the caller could not be authenticated");
    }
    if (verdict.ok()) {
      done(user_data, nullptr, 0, nullptr, 0, GRPC_STATUS_OK, nullptr);
      return;
    }
    // The message says why (missing, expired, forged, over the rate): no
    // personal data, and the same text the envelope would give. absl and gRPC
    // number their codes alike.
    const std::string message(verdict.message());
    done(user_data, nullptr, 0, nullptr, 0, static_cast<grpc_status_code>(verdict.code()), message.c_str());
  }

  static void Destroy(void* state) { delete static_cast<CallGate*>(state); }

  static constexpr std::string_view kHealthMethodPrefix = "/grpc.health.v1.Health/";
  static constexpr std::string_view kReflectionMethodPrefix = "/grpc.reflection.";

  bool health_only_;
  CallAdmission* admission_;
  std::function<absl::StatusOr<std::string>(std::string_view)> authenticate_;
  bool reflection_;
  RateLimiter limiter_;
  prometheus::Counter& rate_limited_;
};

// Listening credentials (plaintext or TLS) carrying the CallGate. grpc++'s own
// credentials take only an AuthMetadataProcessor run on another thread pool,
// so this goes through the C API, where any server credentials take the gate.
class GatedServerCredentials final : public grpc::ServerCredentials {
 public:
  GatedServerCredentials(grpc_server_credentials* credentials, std::unique_ptr<CallGate> gate)
      : credentials_(credentials) {
    // The credentials own the gate from here on (CallGate::Destroy).
    grpc_server_credentials_set_auth_metadata_processor(credentials_, gate.release()->Processor());
  }
  ~GatedServerCredentials() override { grpc_server_credentials_release(credentials_); }

  // The gate is fixed: nothing may replace it.
  void SetAuthMetadataProcessor(const std::shared_ptr<grpc::AuthMetadataProcessor>& /*processor*/) override {
    log::Error("refused to replace the server's authentication gate");
    std::abort();
  }

 private:
  int AddPortToServer(const std::string& address, grpc_server* server) override {
    return grpc_server_add_http2_port(server, address.c_str(), credentials_);
  }

  grpc_server_credentials* credentials_;
};

// TLS 1.2+ with the certificate files watched by gRPC itself (re-read every
// reload interval, new handshakes use the renewed pair). With a client CA the
// handshake requires and verifies a client certificate: mutual TLS.
grpc_server_credentials* TlsServerCredentials(const TlsConfig& tls) {
  grpc_tls_certificate_provider* files = grpc_tls_certificate_provider_file_watcher_create(
      tls.key_file.c_str(), tls.cert_file.c_str(), tls.ca_file.empty() ? nullptr : tls.ca_file.c_str(),
      static_cast<unsigned int>(tls.reload_interval_seconds));
  grpc_tls_credentials_options* options = grpc_tls_credentials_options_create();
  grpc_tls_credentials_options_set_certificate_provider(options, files);
  grpc_tls_certificate_provider_release(files);  // the options hold their own reference
  grpc_tls_credentials_options_watch_identity_key_cert_pairs(options);
  if (tls.ca_file.empty()) {
    grpc_tls_credentials_options_set_cert_request_type(options, GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    grpc_tls_credentials_options_watch_root_certs(options);
    grpc_tls_credentials_options_set_cert_request_type(options,
                                                       GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc_tls_server_credentials_create(options);  // takes the options
}

}  // namespace

struct ServiceHost::State {
  std::string service_name;
  ServerConfig config;
  std::shared_ptr<prometheus::Registry> registry;
  std::vector<grpc::Service*> services;
  std::function<bool()> readiness_probe;
  std::vector<std::function<void()>> stop_hooks;

  // Before the server: the gate and the interceptors it feeds use it until the server is gone.
  std::unique_ptr<CallAdmission> admission;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<MetricsEndpoint> metrics;
  prometheus::Counter* rate_limited = nullptr;
  int port = 0;
  int health_port = 0;

  absl::Mutex mutex;
  bool stop_requested ABSL_GUARDED_BY(mutex) = false;
  bool stopped ABSL_GUARDED_BY(mutex) = false;
  bool last_ready ABSL_GUARDED_BY(mutex) = false;
  std::thread probe_thread;

  void SetServing(bool serving) {
    if (auto* health = server->GetHealthCheckService(); health != nullptr) {
      health->SetServingStatus(serving);
      health->SetServingStatus(kLivenessService, true);
    }
  }

  bool RunProbe() {
    try {
      return readiness_probe();
    } catch (const std::exception& e) {
      log::Warn("readiness probe threw", {{"error", e.what()}});
      return false;
    }
  }

  void ApplyProbeResult(bool ready) {
    bool changed;
    {
      absl::MutexLock lock(&mutex);
      if (stop_requested) return;  // shutdown owns the status now
      changed = ready != last_ready;
      last_ready = ready;
      SetServing(ready);
    }
    if (changed) log::Info(ready ? "ready: SERVING" : "not ready: NOT_SERVING");
  }

  void ProbeLoop() {
    while (true) {
      {
        absl::MutexLock lock(&mutex);
        if (mutex.AwaitWithTimeout(absl::Condition(&stop_requested), absl::FromChrono(config.health_check_interval))) {
          return;
        }
      }
      ApplyProbeResult(RunProbe());
    }
  }
};

ServiceHost::ServiceHost(std::string service_name, ServerConfig config,
                         std::shared_ptr<prometheus::Registry> registry)
    : state_(std::make_unique<State>()) {
  state_->service_name = std::move(service_name);
  state_->config = std::move(config);
  state_->registry = registry ? std::move(registry) : std::make_shared<prometheus::Registry>();
  // No caller label: who was throttled is a person, and labels are not the place.
  state_->rate_limited = &prometheus::BuildCounter()
                              .Name("grpc_server_rate_limited_total")
                              .Help("Calls refused RESOURCE_EXHAUSTED by the per-caller rate limit")
                              .Register(*state_->registry)
                              .Add({});
  state_->admission = std::make_unique<CallAdmission>(state_->config.max_concurrent_calls, *state_->registry);
}

ServiceHost::~ServiceHost() {
  if (state_->server) {
    // A host destroyed without Stop() (tests, error paths) skips the drain delay.
    state_->config.drain_delay = std::chrono::milliseconds(0);
    Stop();
  }
}

void ServiceHost::AddService(grpc::Service* service) { state_->services.push_back(service); }

void ServiceHost::SetReadinessProbe(std::function<bool()> probe) { state_->readiness_probe = std::move(probe); }

absl::Status ServiceHost::Start() {
  State& s = *state_;
  if (s.server) return absl::FailedPreconditionError("service host already started");
  const ServerConfig& config = s.config;

  grpc::EnableDefaultHealthCheckService(true);
  // The plugin is process-wide once initialised; reflection=false only helps if no
  // host in the process enabled it before.
  if (config.reflection) grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  grpc::ResourceQuota quota(absl::StrCat(s.service_name, "-quota"));
  quota.SetMaxThreads(config.max_threads);
  quota.Resize(static_cast<size_t>(config.memory_quota_bytes));
  builder.SetResourceQuota(quota);
  builder.SetMaxReceiveMessageSize(config.max_receive_message_bytes);
  builder.SetMaxSendMessageSize(config.max_send_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveTimeMs);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kKeepaliveTimeoutMs);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, kServerMinPingIntervalMs);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, kMaxConnectionAgeMs);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, kMaxConnectionAgeGraceMs);
  // gRPC sets SO_REUSEPORT by default; a second process on the same port must fail, not share it.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);

  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(s.admission->MakeCountingInterceptorFactory());
  interceptors.push_back(MakeMetricsInterceptorFactory(s.registry));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));

  int selected_port = 0;
  const bool tls = !config.tls.cert_file.empty();
  builder.AddListeningPort(
      config.grpc_address,
      std::make_shared<GatedServerCredentials>(
          tls ? TlsServerCredentials(config.tls) : grpc_insecure_server_credentials_create(),
          std::make_unique<CallGate>(config, *s.rate_limited, s.admission.get())),
      &selected_port);
  int health_port = 0;
  if (!config.health_address.empty()) {
    builder.AddListeningPort(
        config.health_address,
        std::make_shared<GatedServerCredentials>(grpc_insecure_server_credentials_create(),
                                                 std::make_unique<CallGate>(config, *s.rate_limited, nullptr, true)),
        &health_port);
  }
  for (grpc::Service* service : s.services) builder.RegisterService(service);

  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || selected_port == 0 || (!config.health_address.empty() && health_port == 0)) {
    if (server) server->Shutdown();
    return absl::UnavailableError(absl::StrCat("cannot listen on --grpc-address ", config.grpc_address,
                                               config.health_address.empty() ? "" : " or --health-address ",
                                               config.health_address));
  }

  if (!config.metrics_address.empty()) {
    absl::StatusOr<std::unique_ptr<MetricsEndpoint>> metrics = MetricsEndpoint::Start(
        config.metrics_address, s.registry, tls && config.metrics_tls ? &config.tls : nullptr);
    if (!metrics.ok()) {
      server->Shutdown();
      server->Wait();
      return metrics.status();
    }
    s.metrics = *std::move(metrics);
  }

  s.server = std::move(server);
  s.port = selected_port;
  s.health_port = health_port;
  {
    absl::MutexLock lock(&s.mutex);
    s.stop_requested = false;
    s.stopped = false;
  }
  if (s.readiness_probe) {
    // First verdict before anyone can ask, then the periodic loop.
    const bool ready = s.RunProbe();
    {
      absl::MutexLock lock(&s.mutex);
      s.last_ready = ready;
      s.SetServing(ready);
    }
    s.probe_thread = std::thread([&s] { s.ProbeLoop(); });
  } else {
    absl::MutexLock lock(&s.mutex);
    s.last_ready = true;
    s.SetServing(true);
  }
  log::Info("gRPC server started", {{"address", config.grpc_address},
                                    {"port", selected_port},
                                    {"tls", !tls ? "off" : config.tls.ca_file.empty() ? "server" : "mutual"},
                                    {"health_port", health_port},
                                    {"metrics_address", config.metrics_address},
                                    {"max_threads", config.max_threads}});
  return absl::OkStatus();
}

int ServiceHost::port() const { return state_->port; }

int ServiceHost::health_port() const { return state_->health_port; }

grpc::Server* ServiceHost::server() { return state_->server.get(); }

void ServiceHost::Stop() {
  State& s = *state_;
  {
    absl::MutexLock lock(&s.mutex);
    if (!s.server || s.stopped) return;
    s.stopped = true;
    s.stop_requested = true;
  }
  if (s.probe_thread.joinable()) s.probe_thread.join();
  for (const auto& hook : s.stop_hooks) hook();

  // Readiness goes first so load balancers stop routing before the port closes.
  if (auto* health = s.server->GetHealthCheckService(); health != nullptr) health->Shutdown();
  log::Info("shutting down: NOT_SERVING, draining", {{"drain_delay_ms", s.config.drain_delay.count()}});
  if (s.config.drain_delay.count() > 0) std::this_thread::sleep_for(s.config.drain_delay);
  s.server->Shutdown(std::chrono::system_clock::now() + s.config.shutdown_grace);
  s.server->Wait();
  s.metrics.reset();
  log::Info("gRPC server stopped");
}

void ServiceHost::OnStop(std::function<void()> hook) { state_->stop_hooks.push_back(std::move(hook)); }

absl::Status RetryWhileUnavailable(std::string_view what, std::chrono::milliseconds max_wait,
                                   const std::function<absl::Status()>& attempt) {
  const auto give_up_at = std::chrono::steady_clock::now() + max_wait;
  std::chrono::milliseconds backoff{250};
  while (true) {
    absl::Status status = attempt();
    if (!absl::IsUnavailable(status) || std::chrono::steady_clock::now() + backoff > give_up_at) return status;
    log::Warn("waiting for a dependency", {{"what", std::string(what)}, {"retry_in_ms", backoff.count()},
                                          {"status", std::string(status.message())}});
    // Sleep, but wake for a termination signal (they are blocked, so they queue).
    sigset_t termination = TerminationSignals();
    timespec timeout{static_cast<time_t>(backoff.count() / 1000), static_cast<long>(backoff.count() % 1000) * 1000000};
    siginfo_t info;
    if (sigtimedwait(&termination, &info, &timeout) > 0) {
      return absl::CancelledError(absl::StrCat("stopped by signal while waiting for ", ToAbsl(what)));
    }
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

void ServiceHost::BlockTerminationSignals() {
  sigset_t set = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A scraper that hangs up mid-response must not end the process: OpenSSL
  // writes to the socket with write(2), which raises SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
}

int ServiceHost::RunUntilSignal() {
  // The calling thread is the dedicated signal thread: it only sigwait()s, and the
  // shutdown runs here, never inside a signal handler (grpc/grpc#24884).
  BlockTerminationSignals();
  if (absl::Status status = Start(); !status.ok()) {
    log::Error("start-up failed", {{"error", std::string(status.message())}});
    return 1;
  }
  sigset_t set = TerminationSignals();
  int signal_number = 0;
  sigwait(&set, &signal_number);
  log::Info("termination signal received", {{"signal", signal_number}});
  Stop();
  return 0;
}

std::shared_ptr<grpc::Channel> BalancedChannel(const std::string& target, const TlsConfig& peer_tls) {
  grpc::ChannelArguments args = DefaultChannelArguments();
  args.SetLoadBalancingPolicyName("round_robin");
  return grpc::CreateCustomChannel(target, PeerCredentials(peer_tls), args);
}

std::shared_ptr<grpc::ChannelCredentials> PeerCredentials(const TlsConfig& peer_tls) {
  if (peer_tls.ca_file.empty()) return grpc::InsecureChannelCredentials();
  // Files watched as on the server side: renewed roots and client certificate
  // apply to new connections without a restart.
  auto files = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      peer_tls.key_file, peer_tls.cert_file, peer_tls.ca_file,
      static_cast<unsigned int>(peer_tls.reload_interval_seconds));
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(files);
  options.watch_root_certs();
  if (!peer_tls.cert_file.empty()) options.watch_identity_key_cert_pairs();
  return grpc::experimental::TlsCredentials(options);
}

grpc::ChannelArguments DefaultChannelArguments() {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveTimeMs);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kKeepaliveTimeoutMs);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // gRPC's own reconnect backoff grows to two minutes and calls fail fast
  // meanwhile; capped, a client works again within seconds of its server's return.
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, kMaxReconnectBackoffMs);
  args.SetMaxReceiveMessageSize(kClientMaxReceiveBytes);
  args.SetMaxSendMessageSize(kClientMaxSendBytes);
  return args;
}

}  // namespace grassroots::common
