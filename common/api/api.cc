#include "common/api/api.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status/status.h"

namespace grassroots::common::api {
namespace {

// The committee's zone is UTC+7 all year (Vietnam has no DST), so a fixed
// offset is exact and needs no tzdata in the container.
constexpr int kVietnamUtcOffsetSeconds = 7 * 3600;

constexpr uint8_t kPageTokenVersion = 1;
// HMAC-SHA256 truncated to 128 bits (RFC 2104 §5 allows truncation to >= half).
constexpr size_t kPageTokenMacBytes = 16;
// A token bigger than this was not made by us; refuse before any work.
constexpr size_t kMaxPageTokenChars = 2048;

void AppendFixed64(std::string& out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}
bool ReadFixed64(std::string_view& in, uint64_t& value) {
  if (in.size() < 8) return false;
  value = 0;
  for (int i = 0; i < 8; ++i) value |= static_cast<uint64_t>(static_cast<uint8_t>(in[i])) << (8 * i);
  in.remove_prefix(8);
  return true;
}
void AppendVarint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}
bool ReadVarint(std::string_view& in, uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    const uint8_t byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

std::array<unsigned char, EVP_MAX_MD_SIZE> Mac(const std::string& secret, std::string_view data, unsigned int& length) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &length);
  return mac;
}

absl::Status BadPageToken() { return InvalidField("page_token", "is not a valid page token"); }

struct FreeDeleter {
  void operator()(utf8proc_uint8_t* p) const { std::free(p); }
};

// utf8proc_map with the given options; nullopt when text is not valid UTF-8.
std::optional<std::string> MapUtf8(std::string_view text, int options) {
  utf8proc_uint8_t* raw = nullptr;
  const utf8proc_ssize_t length =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()), static_cast<utf8proc_ssize_t>(text.size()),
                   &raw, static_cast<utf8proc_option_t>(options));
  std::unique_ptr<utf8proc_uint8_t, FreeDeleter> owned(raw);
  if (length < 0) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(owned.get()), static_cast<size_t>(length));
}

bool IsCodeChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}
bool IsRequestIdChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

}  // namespace

// ---- dates -------------------------------------------------------------------

absl::StatusOr<absl::CivilDay> ParseDate(std::string_view text, std::string_view field) {
  absl::CivilDay day;
  // ParseCivilTime normalizes ("2025-02-30" -> March 2), so the round trip is
  // what rejects impossible dates.
  if (text.size() != 10 || !absl::ParseCivilTime(ToAbsl(text), &day) || FormatDate(day) != text)
    return InvalidField(field, absl::StrCat("must be a calendar date YYYY-MM-DD, got \"", ToAbsl(text), "\""));
  return day;
}

absl::StatusOr<absl::CivilDay> ParseDateOr(std::string_view text, std::string_view field, absl::CivilDay fallback) {
  if (text.empty()) return fallback;
  return ParseDate(text, field);
}

std::string FormatDate(absl::CivilDay day) { return absl::FormatCivilTime(day); }

absl::CivilDay Today() {
  return absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(kVietnamUtcOffsetSeconds));
}

// ---- resource names ----------------------------------------------------------

absl::StatusOr<int64_t> ParseId(std::string_view name, std::string_view collection, std::string_view field) {
  absl::string_view rest = ToAbsl(name);
  int64_t id = 0;
  const bool ok = absl::ConsumePrefix(&rest, ToAbsl(collection)) && absl::ConsumePrefix(&rest, "/") && !rest.empty() &&
                  std::all_of(rest.begin(), rest.end(), [](char c) { return absl::ascii_isdigit(c); }) &&
                  absl::SimpleAtoi(rest, &id) && id > 0;
  if (!ok) return InvalidField(field, absl::StrCat("must be \"", ToAbsl(collection), "/<positive id>\""));
  return id;
}

std::string MakeName(std::string_view collection, int64_t id) { return absl::StrCat(ToAbsl(collection), "/", id); }

absl::StatusOr<std::pair<int64_t, int64_t>> ParseChildId(std::string_view name, std::string_view parent_collection,
                                                         std::string_view collection, std::string_view field) {
  const std::string separator = absl::StrCat("/", ToAbsl(collection), "/");
  const size_t at = name.find(separator);
  if (at == std::string_view::npos) {
    return InvalidField(field, absl::StrCat("must look like ", ToAbsl(parent_collection), "/{id}/",
                                            ToAbsl(collection), "/{id}"));
  }
  absl::StatusOr<int64_t> parent = ParseId(name.substr(0, at), parent_collection, field);
  if (!parent.ok()) return parent.status();
  absl::StatusOr<int64_t> id = ParseId(name.substr(at + 1), collection, field);
  if (!id.ok()) return id.status();
  return std::make_pair(*parent, *id);
}

// ---- pagination --------------------------------------------------------------

absl::StatusOr<int32_t> ClampPageSize(int32_t requested, int32_t default_size, int32_t max_size) {
  if (requested < 0) return InvalidField("page_size", "must not be negative");
  if (requested == 0) return std::min(default_size, max_size);
  return std::min(requested, max_size);
}

PageTokenCodec::PageTokenCodec(std::string secret) : secret_(std::move(secret)) {}

std::string PageTokenCodec::Encode(const PageCursor& cursor) const {
  // version | fingerprint (8) | last_id (8) | varint key length | key | truncated MAC
  std::string payload;
  payload.reserve(1 + 8 + 8 + 2 + cursor.last_key.size() + kPageTokenMacBytes);
  payload.push_back(static_cast<char>(kPageTokenVersion));
  AppendFixed64(payload, cursor.query_fingerprint);
  AppendFixed64(payload, static_cast<uint64_t>(cursor.last_id));
  AppendVarint(payload, cursor.last_key.size());
  payload.append(cursor.last_key);
  unsigned int mac_length = 0;
  const auto mac = Mac(secret_, payload, mac_length);
  payload.append(reinterpret_cast<const char*>(mac.data()), kPageTokenMacBytes);
  return absl::WebSafeBase64Escape(payload);  // URL-safe alphabet, no padding
}

absl::StatusOr<std::optional<PageCursor>> PageTokenCodec::Decode(std::string_view token,
                                                                 uint64_t expected_fingerprint) const {
  if (token.empty()) return std::optional<PageCursor>();
  if (token.size() > kMaxPageTokenChars) return BadPageToken();
  std::string raw;
  if (!absl::WebSafeBase64Unescape(ToAbsl(token), &raw) || raw.size() < 1 + 8 + 8 + 1 + kPageTokenMacBytes)
    return BadPageToken();
  const std::string_view payload(raw.data(), raw.size() - kPageTokenMacBytes);
  const std::string_view provided_mac(raw.data() + payload.size(), kPageTokenMacBytes);
  unsigned int mac_length = 0;
  const auto mac = Mac(secret_, payload, mac_length);
  if (CRYPTO_memcmp(mac.data(), provided_mac.data(), kPageTokenMacBytes) != 0) return BadPageToken();

  std::string_view in = payload;
  if (static_cast<uint8_t>(in.front()) != kPageTokenVersion) return BadPageToken();
  in.remove_prefix(1);
  PageCursor cursor;
  uint64_t last_id = 0, key_length = 0;
  if (!ReadFixed64(in, cursor.query_fingerprint) || !ReadFixed64(in, last_id) || !ReadVarint(in, key_length) ||
      key_length != in.size())
    return BadPageToken();
  cursor.last_id = static_cast<int64_t>(last_id);
  cursor.last_key = std::string(in);
  if (cursor.query_fingerprint != expected_fingerprint)
    return InvalidField("page_token", "belongs to a different query (filter, order or parent changed)");
  return std::optional<PageCursor>(std::move(cursor));
}

uint64_t Fingerprint(std::initializer_list<std::string_view> parts) {
  // FNV-1a 64: stable across builds and processes, unlike absl::Hash. Each part
  // is length-prefixed so ("ab","c") and ("a","bc") differ.
  constexpr uint64_t kOffset = 14695981039346656037ull;
  constexpr uint64_t kPrime = 1099511628211ull;
  uint64_t hash = kOffset;
  auto mix = [&](unsigned char byte) {
    hash ^= byte;
    hash *= kPrime;
  };
  for (std::string_view part : parts) {
    uint64_t length = part.size();
    for (int i = 0; i < 8; ++i) mix(static_cast<unsigned char>((length >> (8 * i)) & 0xff));
    for (char c : part) mix(static_cast<unsigned char>(c));
  }
  return hash;
}

// ---- etags -------------------------------------------------------------------

// Etags are the row version in HTTP's quoted form: "\"v7\"". Clients treat them
// as opaque; CheckEtag also accepts the unquoted v7 that shells tend to produce.
std::string MakeEtag(int64_t version) { return absl::StrCat("\"v", version, "\""); }

absl::Status CheckEtag(std::string_view provided, int64_t current_version, std::string_view resource_name) {
  if (provided.empty()) return absl::OkStatus();
  std::string_view bare = provided;
  if (bare.size() >= 2 && bare.front() == '"' && bare.back() == '"') bare = bare.substr(1, bare.size() - 2);
  if (bare == absl::StrCat("v", current_version)) return absl::OkStatus();
  return Reasoned(absl::StatusCode::kAborted, "ETAG_MISMATCH",
                  absl::StrCat(ToAbsl(resource_name), " was changed by someone else; read it again and retry"));
}

// ---- update masks ------------------------------------------------------------

absl::Status ValidateUpdateMask(const google::protobuf::FieldMask& mask, const std::set<std::string>& allowed) {
  for (const std::string& path : mask.paths()) {
    if (allowed.count(path) == 0)
      return InvalidField("update_mask", absl::StrCat("path \"", path, "\" cannot be updated"));
  }
  return absl::OkStatus();
}

bool MaskContains(const google::protobuf::FieldMask& mask, std::string_view path) {
  for (const std::string& entry : mask.paths()) {
    if (entry == "*" || entry == path) return true;
    // A parent path ("address") covers its sub-fields ("address.street").
    if (path.size() > entry.size() && absl::StartsWith(ToAbsl(path), entry) && path[entry.size()] == '.') return true;
  }
  return false;
}

// ---- request ids -------------------------------------------------------------

absl::Status ValidateRequestId(std::string_view request_id) {
  if (request_id.empty()) return absl::OkStatus();
  if (request_id.size() > 64 || !std::all_of(request_id.begin(), request_id.end(), IsRequestIdChar))
    return InvalidField("request_id", "must be 1..64 characters of A-Z a-z 0-9 _ -");
  return absl::OkStatus();
}

// ---- text --------------------------------------------------------------------

absl::StatusOr<std::string> NormalizeText(std::string_view text, std::string_view field, bool required,
                                          size_t max_chars) {
  std::optional<std::string> normalized = MapUtf8(text, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
  if (!normalized) return InvalidField(field, "is not valid UTF-8");
  std::string trimmed(absl::StripAsciiWhitespace(*normalized));

  size_t code_points = 0;
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(trimmed.data());
  utf8proc_ssize_t remaining = static_cast<utf8proc_ssize_t>(trimmed.size());
  while (remaining > 0) {
    utf8proc_int32_t code_point = 0;
    const utf8proc_ssize_t used = utf8proc_iterate(bytes, remaining, &code_point);
    if (used <= 0) return InvalidField(field, "is not valid UTF-8");
    // Control characters (tabs and newlines inside the text included) have no
    // place in names and codes, and break CSV and log output.
    if (utf8proc_category(code_point) == UTF8PROC_CATEGORY_CC)
      return InvalidField(field, "must not contain control characters");
    bytes += used;
    remaining -= used;
    ++code_points;
  }
  if (required && trimmed.empty()) return InvalidField(field, "is required");
  if (code_points > max_chars) return InvalidField(field, absl::StrCat("must be at most ", max_chars, " characters"));
  return trimmed;
}

std::string FoldForSearch(std::string_view text) {
  std::optional<std::string> folded =
      MapUtf8(text, UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD);
  if (!folded) return absl::AsciiStrToLower(ToAbsl(text));
  // đ (U+0111) is a letter of its own, not d + mark, so no decomposition removes
  // its bar; Vietnamese search expects it to match d.
  return absl::StrReplaceAll(*folded, {{"\xC4\x91", "d"}});
}

absl::Status ValidateCode(std::string_view code, std::string_view field) {
  if (code.empty() || code.size() > 64 || !std::all_of(code.begin(), code.end(), IsCodeChar))
    return InvalidField(field, "must be 1..64 characters of A-Z a-z 0-9 . _ -");
  return absl::OkStatus();
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) absl::StrAppendFormat(&hex, "%02x", digest[i]);
  return hex;
}

}  // namespace grassroots::common::api
