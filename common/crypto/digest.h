#pragma once
// SHA-256 and HMAC-SHA256 (OpenSSL), raw 32-byte results.
#include <string>
#include <string_view>

namespace grassroots::common::crypto {

std::string Sha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);
// Constant-time comparison of two byte strings.
bool SameBytes(std::string_view a, std::string_view b);

}  // namespace grassroots::common::crypto
