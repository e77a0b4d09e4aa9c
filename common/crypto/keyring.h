#pragma once
// Authenticated encryption of small values at rest (AES-256-GCM through
// OpenSSL EVP) under a keyring: several 256-bit keys by id, one of them current.
// New values are sealed under the current key; any key of the ring opens.
//
// Keyring file (text, one entry a line; blank lines and '#' comments ignored):
//   <id> <64 hex digits>     a key: id 1..2147483647, 32 random bytes in hex
//   current <id>             the key that seals new values (exactly one such line)
// Id 0 is reserved (callers use it for "not sealed").
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace grassroots::common::crypto {

class Keyring {
 public:
  static constexpr size_t kKeyBytes = 32;
  static constexpr size_t kNonceBytes = 12;
  static constexpr size_t kTagBytes = 16;

  // INVALID_ARGUMENT naming the line (never echoing key material).
  static absl::StatusOr<Keyring> Parse(std::string_view text);
  static absl::StatusOr<Keyring> LoadFile(const std::string& path);
  // A ring from keys given in memory (tests, tools).
  static absl::StatusOr<Keyring> FromKeys(std::map<uint32_t, std::string> keys, uint32_t current_id);

  uint32_t current_id() const { return current_id_; }
  bool Has(uint32_t key_id) const { return keys_.count(key_id) > 0; }
  std::vector<uint32_t> key_ids() const;

  // nonce || ciphertext || tag under key_id (a fresh random nonce each call).
  // The key id is bound into the associated data, so a value moved to another
  // key id, or to another `associated_data` (row, column), does not open.
  absl::StatusOr<std::string> Seal(uint32_t key_id, std::string_view plaintext,
                                   std::string_view associated_data) const;
  // INTERNAL on a missing key or a value that does not authenticate; the
  // message names the key id only, never the bytes.
  absl::StatusOr<std::string> Open(uint32_t key_id, std::string_view sealed, std::string_view associated_data) const;

 private:
  std::map<uint32_t, std::string> keys_;
  uint32_t current_id_ = 0;
};

}  // namespace grassroots::common::crypto
