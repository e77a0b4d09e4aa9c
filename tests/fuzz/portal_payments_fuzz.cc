// The national public service portal's payment file: arbitrary bytes as the
// file ImportPortalPayments receives. It never crashes, and every row it
// accepts holds what the import then relies on: a transaction id of the
// allowed characters, unique in the file; a positive amount within the limit;
// a real month and day; a card number of bounded length.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "services/membership/handlers/portal_payments_csv.h"

namespace {

namespace portal = grassroots::membership::portal_csv;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  portal::Limits limits;
  limits.max_bytes = 64 * 1024;
  limits.max_rows = 50;
  const absl::StatusOr<std::vector<portal::PortalPayment>> rows = portal::ParsePortalPayments(file, limits);
  if (!rows.ok()) {
    if (rows.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
    return 0;
  }
  if (rows->empty() || rows->size() > limits.max_rows) std::abort();
  std::set<std::string> ids;
  int64_t last_line = 0;
  for (const portal::PortalPayment& row : *rows) {
    if (!portal::IsTransactionId(row.transaction_id) || !ids.insert(row.transaction_id).second) std::abort();
    if (row.amount <= 0 || row.amount > limits.max_amount) std::abort();
    if (row.month.month() < 1 || row.month.month() > 12 || row.month.year() < 1900) std::abort();
    if (row.party_card_number.empty() || row.party_card_number.size() > 64) std::abort();
    if (row.line <= last_line) std::abort();  // in the file's order, after the header
    last_line = row.line;
  }
  return 0;
}
