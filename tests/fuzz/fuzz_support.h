#pragma once
// Shared by the fuzz targets and the corpus generator: the fixed clock tokens
// are minted and verified at, the test key set, the page-token secret.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/time/time.h"
#include "common/config/config.h"

namespace grassroots::fuzz {

// Tokens in the corpus were minted at this instant and are verified at it, so
// the seeds stay valid (a real clock would expire them within hours).
inline absl::Time FixedNow() { return absl::FromUnixSeconds(1767225600); }  // 2026-01-01T00:00:00Z

// The fuzz-only key set (tests/fuzz/keys); its private keys sign nothing else.
inline std::string KeysDir() { return GRASSROOTS_FUZZ_DIR "/keys"; }

inline common::AuthConfig FuzzAuthConfig() {
  common::AuthConfig config;
  config.issuer = "grassroots-fuzz";
  config.audience = "grassroots-membership";
  return config;
}

// HMAC key of the page-token target; also what the corpus generator signs with.
inline constexpr char kPageTokenSecret[] = "fuzz-page-token-secret";

// The whole file, or aborts: a target without its fixed inputs must not run.
inline std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "fuzz: cannot read %s\n", path.c_str());
    std::abort();
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace grassroots::fuzz
