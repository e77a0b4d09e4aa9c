#pragma once
// Request plumbing shared by every service: dates, page sizes and opaque page
// tokens, etags, update masks, resource names, text normalization.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include <google/protobuf/field_mask.pb.h>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace grassroots::common::api {

// ---- dates ("YYYY-MM-DD") -------------------------------------------------
// INVALID_ARGUMENT naming `field` when text is not a valid calendar date.
absl::StatusOr<absl::CivilDay> ParseDate(std::string_view text, std::string_view field);
// Empty text -> fallback (typically Today()).
absl::StatusOr<absl::CivilDay> ParseDateOr(std::string_view text, std::string_view field, absl::CivilDay fallback);
std::string FormatDate(absl::CivilDay day);
// Today in the committee's zone (Asia/Ho_Chi_Minh, UTC+7 with no DST).
absl::CivilDay Today();

// ---- resource names ("organizations/42", "organizations/42/meetings/7") ----
// Parses "<collection>/<positive int>"; INVALID_ARGUMENT naming field otherwise.
absl::StatusOr<int64_t> ParseId(std::string_view name, std::string_view collection, std::string_view field);
std::string MakeName(std::string_view collection, int64_t id);
// "{parent_collection}/{parent}/{collection}/{id}" -> (parent, id); INVALID_ARGUMENT naming field otherwise.
absl::StatusOr<std::pair<int64_t, int64_t>> ParseChildId(std::string_view name, std::string_view parent_collection,
                                                         std::string_view collection, std::string_view field);

// ---- pagination --------------------------------------------------------------
// 0 -> default_size; > max_size -> max_size; negative -> INVALID_ARGUMENT(page_size).
absl::StatusOr<int32_t> ClampPageSize(int32_t requested, int32_t default_size, int32_t max_size);

// What a page token remembers: the keyset position and a fingerprint of the
// query it belongs to (a token reused with another filter is refused).
struct PageCursor {
  std::string last_key;       // the sort key of the last row returned (opaque to callers)
  int64_t last_id = 0;        // tie breaker
  uint64_t query_fingerprint = 0;
};
// Tokens are HMAC-SHA256 authenticated and URL-safe base64; callers cannot forge
// or alter them.
class PageTokenCodec {
 public:
  explicit PageTokenCodec(std::string secret);
  std::string Encode(const PageCursor& cursor) const;
  // Empty token -> nullopt. Tampered, malformed, or other query -> INVALID_ARGUMENT(page_token).
  absl::StatusOr<std::optional<PageCursor>> Decode(std::string_view token, uint64_t expected_fingerprint) const;
 private:
  std::string secret_;
};
// Stable fingerprint of the parts of a request that define the result set.
uint64_t Fingerprint(std::initializer_list<std::string_view> parts);

// ---- etags (AIP-154) ---------------------------------------------------------
std::string MakeEtag(int64_t version);
// Empty provided etag -> OK. Mismatch -> ABORTED naming the resource.
absl::Status CheckEtag(std::string_view provided, int64_t current_version, std::string_view resource_name);

// ---- update masks (AIP-134) --------------------------------------------------
// Each path must be in allowed; otherwise INVALID_ARGUMENT(update_mask) naming it.
absl::Status ValidateUpdateMask(const google::protobuf::FieldMask& mask, const std::set<std::string>& allowed);
bool MaskContains(const google::protobuf::FieldMask& mask, std::string_view path);

// ---- request ids (AIP-155) ---------------------------------------------------
// Empty is allowed; otherwise 1..64 chars of [A-Za-z0-9_-]. INVALID_ARGUMENT(request_id).
absl::Status ValidateRequestId(std::string_view request_id);

// ---- text --------------------------------------------------------------------
// Valid UTF-8, NFC-normalized, trimmed; INVALID_ARGUMENT naming field when not
// valid UTF-8, when required and empty, or longer than max_chars code points.
absl::StatusOr<std::string> NormalizeText(std::string_view text, std::string_view field, bool required,
                                          size_t max_chars);
// Lower-case, diacritics removed, đ->d: "Nguyễn Văn Đạt" -> "nguyen van dat".
std::string FoldForSearch(std::string_view text);
// Lower-case hex SHA-256 of data (checksums and request fingerprints).
std::string Sha256Hex(std::string_view data);
// Codes: 1..64 chars of [A-Za-z0-9._-]; INVALID_ARGUMENT naming field.
absl::Status ValidateCode(std::string_view code, std::string_view field);

}  // namespace grassroots::common::api
