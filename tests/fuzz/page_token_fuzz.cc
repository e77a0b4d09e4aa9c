// Page tokens: the decoder every List method runs on a caller's page_token.
// The first byte picks what the rest is:
//   0: a token as a caller sends it (mostly refused at the MAC);
//   1: a payload the target signs itself, so the fuzzer reaches the parsing
//      behind the MAC (version, fixed fields, varint key length);
//   2: a cursor, which must come back unchanged from Encode then Decode.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "common/api/api.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using grassroots::common::api::PageCursor;
using grassroots::common::api::PageTokenCodec;

constexpr uint64_t kFingerprint = 0x0123456789abcdefULL;
// The decoder's format: HMAC-SHA256 truncated to 16 bytes after the payload.
constexpr size_t kMacBytes = 16;
// Sort keys are at most a few hundred characters (names); tokens for far
// longer ones exceed the decoder's size limit by design.
constexpr size_t kMaxRoundTripKeyBytes = 1024;

const PageTokenCodec& Codec() {
  static const PageTokenCodec* codec = new PageTokenCodec(grassroots::fuzz::kPageTokenSecret);
  return *codec;
}

std::string Signed(std::string_view payload) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const std::string_view secret = grassroots::fuzz::kPageTokenSecret;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac, &length);
  std::string raw(payload);
  raw.append(reinterpret_cast<const char*>(mac), kMacBytes);
  return absl::WebSafeBase64Escape(raw);
}

uint64_t ReadU64(std::string_view& in) {
  uint64_t value = 0;
  for (int i = 0; i < 8 && !in.empty(); ++i) {
    value |= static_cast<uint64_t>(static_cast<uint8_t>(in.front())) << (8 * i);
    in.remove_prefix(1);
  }
  return value;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0] % 3;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const PageTokenCodec& codec = Codec();
  if (mode == 0) {
    auto cursor = codec.Decode(rest, kFingerprint);
    if (cursor.ok() && *cursor) {
      auto again = codec.Decode(codec.Encode(**cursor), kFingerprint);
      if (!again.ok() || !*again || (*again)->last_key != (*cursor)->last_key) std::abort();
    }
  } else if (mode == 1) {
    auto cursor = codec.Decode(Signed(rest), kFingerprint);
    if (cursor.ok() && *cursor && (*cursor)->query_fingerprint != kFingerprint) std::abort();
  } else {
    PageCursor cursor;
    cursor.query_fingerprint = ReadU64(rest);
    cursor.last_id = static_cast<int64_t>(ReadU64(rest));
    if (rest.size() > kMaxRoundTripKeyBytes) rest = rest.substr(0, kMaxRoundTripKeyBytes);
    cursor.last_key = std::string(rest);
    const std::string token = codec.Encode(cursor);
    auto decoded = codec.Decode(token, cursor.query_fingerprint);
    if (!decoded.ok() || !*decoded || (*decoded)->last_key != cursor.last_key ||
        (*decoded)->last_id != cursor.last_id || (*decoded)->query_fingerprint != cursor.query_fingerprint) {
      std::abort();
    }
    // A token altered in any one character is refused, or decodes to the same
    // cursor (base64 padding bits the decoder ignores).
    if (!token.empty()) {
      std::string altered = token;
      const size_t at = cursor.last_id % altered.size();
      altered[at] = altered[at] == 'A' ? 'B' : 'A';
      auto tampered = codec.Decode(altered, cursor.query_fingerprint);
      if (tampered.ok() && *tampered && (*tampered)->last_key != cursor.last_key) std::abort();
    }
  }
  return 0;
}
