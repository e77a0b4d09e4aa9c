#pragma once
// Certificates made in memory for TLS tests (EC P-256, valid for a day around
// now), files to hold them, and a minimal HTTPS client for /metrics (plain
// HTTP: system_test::HttpGet).
#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace grassroots::testing {

struct PemPair {
  std::string certificate;
  std::string private_key;
};

// A self-signed certificate authority.
PemPair MakeCertificateAuthority(std::string_view common_name);
// A certificate signed by `issuer` for localhost and 127.0.0.1 (server and
// client use), with the given common name.
PemPair MakeCertificate(const PemPair& issuer, std::string_view common_name);

// Writes `pem` to <dir>/<name>.pem and <dir>/<name>-key.pem, replacing any
// file atomically (rename), as a certificate renewal does.
void WritePemFiles(const std::filesystem::path& dir, std::string_view name, const PemPair& pem);

// GET `path` over HTTPS from 127.0.0.1:port, verifying the server against
// ca_pem: the whole response (status line, headers, body), or the TLS or
// connection failure. peer_common_name receives the server certificate's CN.
absl::StatusOr<std::string> HttpsGet(int port, std::string_view path, const std::string& ca_pem,
                                     std::string* peer_common_name = nullptr);

}  // namespace grassroots::testing
