#include "common/server/http_listener.h"

#include <sys/socket.h>

#include <ctime>
#include <thread>

#include <httplib.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/log/log.h"

namespace grassroots::common {
namespace {

// What the HTTPS listener serves: the certificate chain and its key, as read.
struct TlsMaterial {
  std::string certificate_chain;
  std::string private_key;
  // The leaf certificate's notAfter, as Unix seconds.
  int64_t expires_at = 0;
  bool operator==(const TlsMaterial&) const = default;
};

// notAfter of a certificate as Unix seconds (0 when it cannot be read).
int64_t NotAfterSeconds(const X509& certificate) {
  std::tm expiry{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(&certificate), &expiry) != 1) return 0;
  return static_cast<int64_t>(timegm(&expiry));
}

// Files are read whole and checked to be a certificate and its matching key,
// so a half-written renewal is never served.
absl::StatusOr<TlsMaterial> LoadMaterial(const TlsConfig& tls) {
  absl::StatusOr<std::string> chain = ReadSecretFile("--tls-cert-file", tls.cert_file);
  if (!chain.ok()) return chain.status();
  absl::StatusOr<std::string> key = ReadSecretFile("--tls-key-file", tls.key_file);
  if (!key.ok()) return key.status();
  std::unique_ptr<BIO, decltype(&BIO_free)> chain_bio(BIO_new_mem_buf(chain->data(), static_cast<int>(chain->size())),
                                                      &BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(BIO_new_mem_buf(key->data(), static_cast<int>(key->size())),
                                                    &BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> certificate(PEM_read_bio_X509(chain_bio.get(), nullptr, nullptr, nullptr),
                                                          &X509_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> private_key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  if (!certificate) return absl::InvalidArgumentError(absl::StrCat("no PEM certificate in ", tls.cert_file));
  if (!private_key) return absl::InvalidArgumentError(absl::StrCat("no PEM private key in ", tls.key_file));
  if (X509_check_private_key(certificate.get(), private_key.get()) != 1)
    return absl::InvalidArgumentError(absl::StrCat(tls.key_file, " is not the key of ", tls.cert_file));
  return TlsMaterial{.certificate_chain = *std::move(chain),
                     .private_key = *std::move(key),
                     .expires_at = NotAfterSeconds(*certificate)};
}

// The chain (leaf first) and key, from memory, into the TLS context of the
// listener; TLS 1.2 and newer only.
bool ConfigureTls(SSL_CTX& context, const TlsMaterial& material) {
  using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
  Bio chain(BIO_new_mem_buf(material.certificate_chain.data(), static_cast<int>(material.certificate_chain.size())),
            &BIO_free);
  Bio key(BIO_new_mem_buf(material.private_key.data(), static_cast<int>(material.private_key.size())), &BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> leaf(PEM_read_bio_X509(chain.get(), nullptr, nullptr, nullptr),
                                                   &X509_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> private_key(
      PEM_read_bio_PrivateKey(key.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  if (!leaf || !private_key) return false;
  if (SSL_CTX_use_certificate(&context, leaf.get()) != 1) return false;
  while (X509* intermediate = PEM_read_bio_X509(chain.get(), nullptr, nullptr, nullptr)) {
    if (SSL_CTX_add_extra_chain_cert(&context, intermediate) != 1) {  // takes it on success
      X509_free(intermediate);
      return false;
    }
  }
  ERR_clear_error();  // the loop ends on "no start line"
  return SSL_CTX_use_PrivateKey(&context, private_key.get()) == 1 && SSL_CTX_check_private_key(&context) == 1 &&
         SSL_CTX_set_min_proto_version(&context, TLS1_2_VERSION) == 1;
}

// "host:port" or "[v6]:port" (validated by the configuration).
std::pair<std::string, int> SplitAddress(const std::string& address) {
  const size_t colon = address.rfind(':');
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = 0;
  if (!absl::SimpleAtoi(address.substr(colon + 1), &port)) port = -1;
  return {host, port};
}

}  // namespace

struct HttpListener::State {
  HttpListenerOptions options;
  std::optional<TlsConfig> tls;
  std::function<void(httplib::Server&)> install_routes;
  TlsMaterial material;
  // With TLS: when the served certificate expires (an operator's alert looks
  // ahead of it) and how many renewals could not be loaded.
  prometheus::Gauge* certificate_expiry = nullptr;
  prometheus::Counter* reload_failures = nullptr;
  std::unique_ptr<httplib::Server> server;
  std::thread listener;
  int port = 0;

  absl::Mutex mutex;
  bool stop ABSL_GUARDED_BY(mutex) = false;
  int reloads ABSL_GUARDED_BY(mutex) = 0;
  std::thread watcher;

  absl::Status Serve() {
    std::unique_ptr<httplib::Server> next;
    if (tls) {
      next = std::make_unique<httplib::SSLServer>(
          [material = material](SSL_CTX& context) { return ConfigureTls(context, material); });
    } else {
      next = std::make_unique<httplib::Server>();
    }
    if (!next->is_valid()) {
      return absl::InvalidArgumentError(absl::StrCat("the ", options.name, " certificate could not be loaded"));
    }
    next->new_task_queue = [threads = options.threads] { return new httplib::ThreadPool(threads); };
    // No port sharing: SO_REUSEPORT would let a second process bind the same
    // port without an error.
    next->set_socket_options([](int socket) {
      const int yes = 1;
      setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    // Without TCP_NODELAY (off in cpp-httplib by default) a small response
    // waits for Nagle's timer: about 44 ms per request on a keep-alive connection.
    next->set_tcp_nodelay(true);
    next->set_payload_max_length(options.max_body_bytes);
    next->set_keep_alive_max_count(options.keep_alive_max_requests);
    next->set_keep_alive_timeout(options.keep_alive_timeout_seconds);
    next->set_read_timeout(options.read_timeout_seconds, 0);
    next->set_write_timeout(options.write_timeout_seconds, 0);
    install_routes(*next);
    const auto [host, requested_port] = SplitAddress(options.address);
    // After a renewal the listener comes back on the port it had.
    const int wanted = port != 0 ? port : requested_port;
    bool bound = false;
    if (wanted == 0) {
      port = next->bind_to_any_port(host);
      bound = port > 0;
    } else if (wanted > 0) {
      bound = next->bind_to_port(host, wanted);
      if (bound) port = wanted;
    }
    if (!bound) {
      return absl::UnavailableError(absl::StrCat("cannot serve ", options.name, " on ", options.address));
    }
    server = std::move(next);
    listener = std::thread([s = server.get()] { s->listen_after_bind(); });
    return absl::OkStatus();
  }

  void StopServing() {
    if (!server) return;
    server->stop();
    if (listener.joinable()) listener.join();
    server.reset();
  }

  void WatchCertificate() {
    const absl::Duration interval = absl::Seconds(tls->reload_interval_seconds);
    while (true) {
      {
        absl::MutexLock lock(&mutex);
        if (mutex.AwaitWithTimeout(absl::Condition(&stop), interval)) return;
      }
      absl::StatusOr<TlsMaterial> renewed = LoadMaterial(*tls);
      if (!renewed.ok()) {
        reload_failures->Increment();
        log::Warn("certificate not reloaded; serving the previous one",
                  {{"listener", options.name}, {"error", std::string(renewed.status().message())}});
        continue;
      }
      if (*renewed == material) continue;
      material = *std::move(renewed);
      certificate_expiry->Set(static_cast<double>(material.expires_at));
      StopServing();  // frees the port for the listener on the new certificate
      if (absl::Status served = Serve(); !served.ok()) {
        log::Error("listener did not restart on the renewed certificate",
                   {{"listener", options.name}, {"error", std::string(served.message())}});
        continue;
      }
      absl::MutexLock lock(&mutex);
      ++reloads;
      log::Info("certificate reloaded", {{"listener", options.name}, {"address", options.address}});
    }
  }
};

HttpListener::HttpListener(std::unique_ptr<State> state) : state_(std::move(state)) {}

absl::StatusOr<std::unique_ptr<HttpListener>> HttpListener::Start(HttpListenerOptions options,
                                                                 std::function<void(httplib::Server&)> install_routes,
                                                                 std::shared_ptr<prometheus::Registry> registry) {
  auto state = std::make_unique<State>();
  state->options = std::move(options);
  state->install_routes = std::move(install_routes);
  if (state->options.tls != nullptr && !state->options.tls->cert_file.empty()) {
    state->tls = *state->options.tls;
    state->options.tls = nullptr;  // the copy above is what the listener reads
    absl::StatusOr<TlsMaterial> material = LoadMaterial(*state->tls);
    if (!material.ok()) return material.status();
    state->material = *std::move(material);
    const prometheus::Labels labels = {{"listener", state->options.name}};
    state->certificate_expiry = &prometheus::BuildGauge()
                                     .Name("tls_certificate_expiry_timestamp_seconds")
                                     .Help("When the certificate this service serves expires (Unix time)")
                                     .Register(*registry)
                                     .Add(labels);
    state->certificate_expiry->Set(static_cast<double>(state->material.expires_at));
    state->reload_failures = &prometheus::BuildCounter()
                                  .Name("tls_certificate_reload_failures_total")
                                  .Help("Renewed certificate files that could not be loaded (the previous "
                                        "certificate stays in service)")
                                  .Register(*registry)
                                  .Add(labels);
  }
  if (absl::Status served = state->Serve(); !served.ok()) return served;
  if (state->tls) state->watcher = std::thread([s = state.get()] { s->WatchCertificate(); });
  return std::unique_ptr<HttpListener>(new HttpListener(std::move(state)));
}

HttpListener::~HttpListener() {
  {
    absl::MutexLock lock(&state_->mutex);
    state_->stop = true;
  }
  if (state_->watcher.joinable()) state_->watcher.join();
  state_->StopServing();
}

int HttpListener::port() const { return state_->port; }

int HttpListener::reloads() const {
  absl::MutexLock lock(&state_->mutex);
  return state_->reloads;
}

}  // namespace grassroots::common
