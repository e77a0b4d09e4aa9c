#pragma once
// A TCP forwarder on 127.0.0.1 for fault tests: put it between a client and a
// server, then Stop() it to make the server vanish (every open connection is
// cut, new ones are refused) and Start() it again on the same port to let the
// server "come back".
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"

namespace grassroots::testing {

class TcpProxy {
 public:
  // listen_port 0 picks a free port on the first Start(); later Starts reuse it.
  TcpProxy(std::string target_host, int target_port, int listen_port = 0);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  absl::Status Start();
  // Closes the listener and cuts every forwarded connection; returns when all
  // forwarding threads have ended.
  void Stop();
  int port() const { return port_; }

 private:
  void AcceptLoop(int listen_fd);
  void Pump(int client_fd, int server_fd);

  std::string target_host_;
  int target_port_;
  int port_;
  int listen_fd_ = -1;
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> open_fds_;
  std::vector<std::thread> pumps_;
  std::atomic<bool> running_{false};
};

}  // namespace grassroots::testing
