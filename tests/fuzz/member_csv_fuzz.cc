// CSV rows: arbitrary bytes as a member import file. The first byte picks the
// chunk size the file arrives in (an import streams it in pieces of any size);
// the records must not depend on it. The first record is the header; each
// later one is mapped to a create request, and a mapped request is validated
// as the import does before it writes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/calendar/working_calendar.h"
#include "common/rules/rules_registry.h"
#include "services/membership/domain/code_lists.h"
#include "services/membership/handlers/member_csv.h"
#include "services/membership/handlers/member_validation.h"
#include "tests/fuzz/member_inputs.h"

namespace {

namespace csv = grassroots::membership::member_csv;

using grassroots::fuzz::Loaded;

// Small limits so the fuzzer reaches the "too long" and "too many fields" paths.
csv::CsvLimits Limits() {
  csv::CsvLimits limits;
  limits.max_record_bytes = 512;
  limits.max_fields = 40;
  return limits;
}

std::vector<csv::CsvRecord> Split(std::string_view file, size_t chunk) {
  std::vector<csv::CsvRecord> records;
  csv::CsvSplitter splitter(Limits());
  auto sink = [&](csv::CsvRecord&& record) {
    records.push_back(std::move(record));
    return absl::OkStatus();
  };
  for (size_t at = 0; at < file.size(); at += chunk) {
    if (!splitter.Feed(file.substr(at, chunk), sink).ok()) std::abort();  // the sink never fails
  }
  if (!splitter.Finish(sink).ok()) std::abort();
  return records;
}

bool SameRecords(const std::vector<csv::CsvRecord>& a, const std::vector<csv::CsvRecord>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].line != b[i].line || a[i].fields != b[i].fields || a[i].error.empty() != b[i].error.empty()) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0] % 16;
  const std::string_view file(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::vector<csv::CsvRecord> records = Split(file, file.size() + 1);
  if (!SameRecords(records, Split(file, chunk))) {
    std::fprintf(stderr, "records differ when the file arrives in chunks of %zu bytes\n", chunk);
    std::abort();
  }

  const grassroots::fuzz::MemberInputs& fixed = Loaded();
  std::optional<csv::Header> header;
  for (const csv::CsvRecord& record : records) {
    if (csv::IsBlank(record) || !record.error.empty()) continue;
    if (!header) {
      auto parsed = csv::ParseHeader(record.fields);
      if (!parsed.ok()) return 0;
      header = *std::move(parsed);
      continue;
    }
    auto row = csv::MapRow(*header, record, fixed.codes);
    if (!row.ok()) continue;
    (void)csv::Fingerprint(*row, row->cell_id);
    (void)grassroots::membership::ValidateCreateMember(
        grassroots::membership::MemberValidation{fixed.codes, fixed.rules, fixed.calendar}, row->request);
  }
  return 0;
}
