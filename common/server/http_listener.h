#pragma once
// An HTTP or HTTPS listener (cpp-httplib) whose certificate is re-read when its
// files change: the listener restarts on the new certificate (connections open
// at that instant are closed; clients retry). The metrics endpoint and the
// HTTP gateway are both one of these.
#include <functional>
#include <memory>
#include <string>

#include <prometheus/registry.h>

#include "absl/status/statusor.h"
#include "common/config/config.h"

namespace httplib { class Server; }

namespace grassroots::common {

struct HttpListenerOptions {
  // "metrics", "http": the listener label of the certificate metrics, and log lines.
  std::string name;
  std::string address;  // "host:port", "[v6]:port"
  // nullptr or an empty cert_file: plain HTTP.
  const TlsConfig* tls = nullptr;
  int threads = 2;
  size_t max_body_bytes = 1 << 20;
  size_t keep_alive_max_requests = 100;
  int keep_alive_timeout_seconds = 5;
  int read_timeout_seconds = 10;
  int write_timeout_seconds = 30;
};

class HttpListener {
 public:
  // install_routes runs on every server the listener creates (once, and again
  // after each certificate renewal); it registers the handlers.
  static absl::StatusOr<std::unique_ptr<HttpListener>> Start(HttpListenerOptions options,
                                                            std::function<void(httplib::Server&)> install_routes,
                                                            std::shared_ptr<prometheus::Registry> registry);
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  // The bound port (useful with "127.0.0.1:0").
  int port() const;
  // How many times the listener restarted on a renewed certificate.
  int reloads() const;

 private:
  struct State;
  explicit HttpListener(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace grassroots::common
