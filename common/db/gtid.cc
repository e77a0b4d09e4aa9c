#include "common/db/gtid.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace grassroots::common::db {
namespace {

// SimpleAtoi accepts a sign and surrounding spaces; a GTID part is digits only.
bool AllDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<GtidPosition> GtidPosition::Parse(std::string_view text) {
  GtidPosition position;
  const absl::string_view whole = absl::StripAsciiWhitespace(absl::string_view(text.data(), text.size()));
  if (whole.empty()) return position;
  for (absl::string_view item : absl::StrSplit(whole, ',')) {
    item = absl::StripAsciiWhitespace(item);
    const std::vector<absl::string_view> parts = absl::StrSplit(item, '-');
    uint32_t domain = 0;
    Gtid gtid;
    if (parts.size() != 3 || !AllDigits(parts[0]) || !AllDigits(parts[1]) || !AllDigits(parts[2]) ||
        !absl::SimpleAtoi(parts[0], &domain) || !absl::SimpleAtoi(parts[1], &gtid.server_id) ||
        !absl::SimpleAtoi(parts[2], &gtid.sequence)) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", item, "\" is not a GTID (domain-server-sequence, decimal numbers)"));
    }
    if (!position.by_domain_.emplace(domain, gtid).second) {
      return absl::InvalidArgumentError(absl::StrCat("GTID position names domain ", domain, " twice"));
    }
  }
  return position;
}

bool GtidPosition::Covers(const GtidPosition& other) const {
  for (const auto& [domain, gtid] : other.by_domain_) {
    auto it = by_domain_.find(domain);
    if (it == by_domain_.end() || it->second.sequence < gtid.sequence) return false;
  }
  return true;
}

void GtidPosition::Merge(const GtidPosition& other) {
  for (const auto& [domain, gtid] : other.by_domain_) {
    auto [it, inserted] = by_domain_.emplace(domain, gtid);
    if (!inserted && it->second.sequence < gtid.sequence) it->second = gtid;
  }
}

std::string GtidPosition::ToString() const {
  std::vector<std::string> items;
  items.reserve(by_domain_.size());
  for (const auto& [domain, gtid] : by_domain_) items.push_back(absl::StrCat(domain, "-", gtid.server_id, "-", gtid.sequence));
  return absl::StrJoin(items, ",");
}

bool GtidPosition::operator==(const GtidPosition& other) const {
  if (by_domain_.size() != other.by_domain_.size()) return false;
  for (const auto& [domain, gtid] : by_domain_) {
    auto it = other.by_domain_.find(domain);
    if (it == other.by_domain_.end() || it->second.server_id != gtid.server_id ||
        it->second.sequence != gtid.sequence)
      return false;
  }
  return true;
}

}  // namespace grassroots::common::db
