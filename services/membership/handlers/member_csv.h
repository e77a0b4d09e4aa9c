#pragma once
// The member spreadsheet format of the bulk import (docs/member-import.md),
// without I/O: an incremental RFC 4180 splitter that takes the file in chunks
// of any size (records may span chunks; memory is bounded by the longest
// allowed record), the header with its Vietnamese aliases, and the mapping of
// one row to a CreateMemberRequest with an existing-member entry.
//
// Errors name the CSV column (canonical English name) and the rule broken,
// never the value: rows hold personal data.
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grassroots/membership/v1/member.pb.h"
#include "services/membership/domain/code_lists.h"

namespace grassroots::membership::member_csv {

namespace v1 = ::grassroots::membership::v1;

// ---- columns -------------------------------------------------------------------

enum class Column : int {
  kExternalId,
  kFullName,
  kBirthName,
  kSex,
  kBirthDate,
  kBirthPlace,
  kHomeTown,
  kEthnicity,
  kReligion,
  kCitizenId,
  kPartyCardNumber,
  kOccupationCategory,
  kOccupation,
  kGeneralEducation,
  kProfessionalQualification,
  kPoliticalTheoryLevel,
  kPermanentAddress,
  kCurrentAddress,
  kPhone,
  kEmail,
  kCell,
  kStatus,
  kAdmissionDecisionDate,
  kAdmissionCeremonyDate,
  kOfficialDate,
  kJoinedCellOn,
  kProfessionalQualificationLevel,
  kTransferredFrom,
};
inline constexpr int kColumnCount = 28;

struct ColumnSpec {
  Column column;
  std::string_view name;                  // canonical English header ("citizen_id")
  bool required;                          // the header must have it (and rows a value)
  bool personal;                          // personal data: never echoed in messages
  std::vector<std::string_view> aliases;  // accepted headers besides the name (Vietnamese)
};
// Every column, in canonical order.
const std::vector<ColumnSpec>& Columns();
std::string_view ColumnName(Column column);
std::optional<Column> ColumnByName(std::string_view canonical_name);

// ---- splitting -----------------------------------------------------------------

struct CsvRecord {
  // 1-based physical line on which the record starts (a quoted field may hold
  // line breaks, so a record can span several lines).
  int64_t line = 0;
  std::vector<std::string> fields;
  // Set when the record is malformed (too long, too many fields, stray quote,
  // unclosed quote); `fields` is then incomplete.
  std::string error;
};

struct CsvLimits {
  size_t max_record_bytes = 32 * 1024;
  size_t max_fields = 200;
};

// Splits comma-separated records as RFC 4180 describes: fields may be quoted
// with '"', a quote inside a quoted field is doubled, quoted fields may hold
// commas and line breaks; records end at CRLF, LF or a lone CR. A UTF-8 byte
// order mark at the start of the file is dropped.
class CsvSplitter {
 public:
  // Returning an error from the sink stops the splitter; Feed/Finish return it.
  using Sink = std::function<absl::Status(CsvRecord&&)>;

  explicit CsvSplitter(CsvLimits limits = {});
  absl::Status Feed(std::string_view data, const Sink& sink);
  // The last record when the file does not end with a line break.
  absl::Status Finish(const Sink& sink);
  // Physical lines started so far (for messages about the end of the file).
  int64_t lines_seen() const { return line_; }

 private:
  enum class State { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted };
  void Append(char c);
  void EndField();
  absl::Status EndRecord(const Sink& sink);
  void Fail(std::string message);

  CsvLimits limits_;
  State state_ = State::kFieldStart;
  bool bom_checked_ = false;
  std::string bom_prefix_;       // the first bytes while the BOM is undecided
  bool pending_cr_ = false;      // a CR ended the last line; an LF right after belongs to it
  bool cr_in_quotes_ = false;    // same, inside a quoted field
  int64_t line_ = 1;
  int64_t record_line_ = 1;
  size_t record_bytes_ = 0;
  bool record_started_ = false;  // any byte of the current record seen
  std::string field_;
  std::vector<std::string> fields_;
  std::string error_;
};

// ---- header --------------------------------------------------------------------

struct Header {
  // For each CSV column position, the import column it feeds (nullopt: none).
  std::vector<std::optional<Column>> by_position;
  // For each import column, its CSV position (-1: absent).
  std::array<int, kColumnCount> position{};
  bool Has(Column column) const { return position[static_cast<size_t>(column)] >= 0; }
};

// Matches headers ignoring case, Vietnamese diacritics, punctuation and any
// "(...)" hint ("Ngày sinh (dd/mm/yyyy)" is birth_date). INVALID_ARGUMENT with
// field "header" for an unknown, duplicate or missing required column, naming
// columns by position and letter (a header cell is never echoed: a file
// without a header row would have personal data there).
absl::StatusOr<Header> ParseHeader(const std::vector<std::string>& fields);

// "A", "B", ..., "Z", "AA" for 0-based position.
std::string ColumnLetter(size_t position);
// The folded form headers are compared in: "Họ và tên (*)" -> "ho va ten".
std::string HeaderKey(std::string_view text);

// ---- rows ----------------------------------------------------------------------

// A row mapped to a create request. The cell is either a code (resolved by the
// caller through the organization projection) or organizations/{id}.
struct MappedRow {
  v1::CreateMemberRequest request;  // existing entry; existing.cell set once the cell is resolved
  std::string cell_code;            // set when the cell column holds a code
  int64_t cell_id = 0;              // set when it holds organizations/{id}
  Column key_column = Column::kExternalId;
  std::string key;                  // external_id if present, else citizen_id
  // The normalized row (every column's canonical value, cell excluded); with
  // the resolved cell it makes the import fingerprint.
  std::string canonical;
  // The row's personal values as written, for keeping them out of messages.
  std::vector<std::string> personal_values;
};

// True when every field is empty or blank (a spreadsheet's trailing ",,,," rows).
bool IsBlank(const CsvRecord& record);

// Maps one data row. Errors are INVALID_ARGUMENT whose field (common::FieldOf)
// is the CSV column's canonical name.
absl::StatusOr<MappedRow> MapRow(const Header& header, const CsvRecord& record, const domain::CodeLists& codes);

// SHA-256 (hex) of the normalized row and its resolved cell: equal fingerprints
// mean the same row was imported before.
std::string Fingerprint(const MappedRow& row, int64_t cell_id);

// The CSV column a create-request field belongs to: "member.citizen_id" ->
// "citizen_id", "existing.joined_cell_on" -> "joined_cell_on",
// "party_card_number" -> "party_card_number"; "" when none does.
std::string ColumnForField(std::string_view request_field);

// `message` unless it contains one of the row's personal values (at least 3
// characters), in which case a neutral text naming only the column.
std::string WithoutPersonalValues(std::string message, const std::vector<std::string>& personal_values,
                                  std::string_view column);

// ---- value parsers (exposed for tests and the documentation's examples) -------

// dd/mm/yyyy, d/m/yyyy, dd.mm.yyyy, dd-mm-yyyy or yyyy-mm-dd -> "yyyy-mm-dd".
std::optional<std::string> ParseDateText(std::string_view text);
std::optional<v1::Sex> ParseSex(std::string_view text);
std::optional<v1::MemberStatus> ParseStatus(std::string_view text);
std::optional<v1::OccupationCategory> ParseOccupationCategory(std::string_view text);
// Empty -> UNSPECIFIED. Also "12/12", "9/12", "10/10" (grades completed / years of the system).
std::optional<v1::GeneralEducation> ParseGeneralEducation(std::string_view text);
std::optional<v1::PoliticalTheoryLevel> ParsePoliticalTheoryLevel(std::string_view text);
// A level ("đại học", "thạc sĩ", "bachelor", ...), or the level a qualification
// as written names ("Cử nhân Luật" -> BACHELOR); UNSPECIFIED for empty text,
// nullopt when the text names no level.
std::optional<v1::ProfessionalQualificationLevel> ParseQualificationLevel(std::string_view text);

}  // namespace grassroots::membership::member_csv
