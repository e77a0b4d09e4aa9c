#include "common/crypto/keyring.h"

#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace grassroots::common::crypto {
namespace {

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext NewContext() { return CipherContext(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free); }

// The key id travels in the associated data, ahead of the caller's.
std::string BoundAssociatedData(uint32_t key_id, std::string_view associated_data) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((key_id >> (24 - 8 * i)) & 0xff);
  out.append(associated_data);
  return out;
}

const unsigned char* Bytes(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }

bool ParseKeyId(std::string_view text, uint32_t& id) {
  int64_t value = 0;
  if (!absl::SimpleAtoi(absl::string_view(text.data(), text.size()), &value) || value < 1 || value > 2147483647) return false;
  id = static_cast<uint32_t>(value);
  return true;
}

}  // namespace

absl::StatusOr<Keyring> Keyring::Parse(std::string_view text) {
  std::map<uint32_t, std::string> keys;
  std::optional<uint32_t> current;
  int line_number = 0;
  for (absl::string_view raw : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++line_number;
    const absl::string_view stripped = absl::StripAsciiWhitespace(raw);
    const std::string_view line(stripped.data(), stripped.size());
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string_view> fields;
    for (absl::string_view field : absl::StrSplit(stripped, absl::ByAnyChar(" \t"), absl::SkipEmpty())) {
      fields.emplace_back(field.data(), field.size());
    }
    const auto bad = [line_number](const std::string& why) {
      return absl::InvalidArgumentError(absl::StrCat("keyring line ", line_number, ": ", why));
    };
    if (fields.size() != 2) return bad("expected \"<id> <64 hex digits>\" or \"current <id>\"");
    uint32_t id = 0;
    if (fields[0] == "current") {
      if (current) return bad("a second \"current\" line");
      if (!ParseKeyId(fields[1], id)) return bad("the current key id is not in 1..2147483647");
      current = id;
      continue;
    }
    if (!ParseKeyId(fields[0], id)) return bad("the key id is not in 1..2147483647");
    std::string key;
    const bool hex = fields[1].size() == 2 * kKeyBytes &&
                     fields[1].find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
    if (!hex) return bad("the key is not 64 hex digits (32 bytes)");
    key = absl::HexStringToBytes(absl::string_view(fields[1].data(), fields[1].size()));
    if (!keys.emplace(id, std::move(key)).second) return bad(absl::StrCat("key id ", id, " appears twice"));
  }
  if (!current) return absl::InvalidArgumentError("keyring: no \"current <id>\" line");
  return FromKeys(std::move(keys), *current);
}

absl::StatusOr<Keyring> Keyring::LoadFile(const std::string& path) {
  std::ifstream file(path);
  if (!file) return absl::InvalidArgumentError(absl::StrCat("cannot read the keyring file ", path));
  std::stringstream text;
  text << file.rdbuf();
  absl::StatusOr<Keyring> ring = Parse(text.str());
  if (!ring.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", ring.status().message()));
  return ring;
}

absl::StatusOr<Keyring> Keyring::FromKeys(std::map<uint32_t, std::string> keys, uint32_t current_id) {
  for (const auto& [id, key] : keys) {
    if (id == 0) return absl::InvalidArgumentError("keyring: key id 0 is reserved");
    if (key.size() != kKeyBytes) return absl::InvalidArgumentError(absl::StrCat("keyring: key ", id, " is not 32 bytes"));
  }
  if (keys.count(current_id) == 0) {
    return absl::InvalidArgumentError(absl::StrCat("keyring: the current key ", current_id, " is not in the ring"));
  }
  Keyring ring;
  ring.keys_ = std::move(keys);
  ring.current_id_ = current_id;
  return ring;
}

std::vector<uint32_t> Keyring::key_ids() const {
  std::vector<uint32_t> out;
  for (const auto& entry : keys_) out.push_back(entry.first);
  return out;
}

absl::StatusOr<std::string> Keyring::Seal(uint32_t key_id, std::string_view plaintext,
                                          std::string_view associated_data) const {
  auto key = keys_.find(key_id);
  if (key == keys_.end()) return absl::InternalError(absl::StrCat("no key ", key_id, " in the keyring"));
  std::string out(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  unsigned char* nonce = reinterpret_cast<unsigned char*>(out.data());
  if (RAND_bytes(nonce, kNonceBytes) != 1) return absl::InternalError("no random bytes for a nonce");
  const std::string aad = BoundAssociatedData(key_id, associated_data);
  CipherContext ctx = NewContext();
  int length = 0;
  unsigned char* body = nonce + kNonceBytes;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key->second), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &length, Bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), body, &length, Bytes(plaintext), static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), body + length, &length) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, body + plaintext.size()) != 1) {
    return absl::InternalError(absl::StrCat("sealing under key ", key_id, " failed"));
  }
  return out;
}

absl::StatusOr<std::string> Keyring::Open(uint32_t key_id, std::string_view sealed,
                                          std::string_view associated_data) const {
  auto key = keys_.find(key_id);
  if (key == keys_.end()) return absl::InternalError(absl::StrCat("no key ", key_id, " in the keyring"));
  if (sealed.size() < kNonceBytes + kTagBytes) {
    return absl::InternalError(absl::StrCat("a value sealed under key ", key_id, " is truncated"));
  }
  const size_t body_size = sealed.size() - kNonceBytes - kTagBytes;
  std::string plaintext(body_size, '\0');
  std::string tag(sealed.substr(kNonceBytes + body_size));
  const std::string aad = BoundAssociatedData(key_id, associated_data);
  CipherContext ctx = NewContext();
  int length = 0;
  unsigned char* out = reinterpret_cast<unsigned char*>(plaintext.data());
  const bool opened =
      ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key->second), Bytes(sealed)) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &length, Bytes(aad), static_cast<int>(aad.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), out, &length, Bytes(sealed) + kNonceBytes, static_cast<int>(body_size)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), out + length, &length) == 1;
  if (!opened) {
    return absl::InternalError(absl::StrCat("a value sealed under key ", key_id, " does not authenticate"));
  }
  return plaintext;
}

}  // namespace grassroots::common::crypto
