#pragma once
// Credentials for calls to other services: a bearer token read from a file
// (re-read when the file changes, so a rotated Kubernetes secret is picked up).
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace grassroots::orgtree {

class ServiceToken {
 public:
  explicit ServiceToken(std::string path);
  // The current token; UNAVAILABLE when the file cannot be read.
  absl::StatusOr<std::string> Get();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace grassroots::orgtree
