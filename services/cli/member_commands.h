#pragma once
// `grassroots member ...`: the membership service's records from the command
// line (import a committee's spreadsheet, search, show one member).
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grassroots/membership/v1/import.pb.h"
#include "grassroots/membership/v1/member.pb.h"
#include "services/cli/commands.h"

namespace grassroots::cli {

struct MemberImportOptions {
  ConnectionFlags connection;
  std::string file;           // "-" reads standard input
  bool dry_run = false;
};
// Exit code 1 when any row failed or the call failed, 2 when the file cannot be read.
int RunMemberImport(const MemberImportOptions& options, Io& io);

struct MemberSearchOptions {
  ConnectionFlags connection;
  std::string query;
  std::string organization;          // --org organizations/N
  std::vector<std::string> statuses;  // PROBATIONARY, OFFICIAL, ... (or the full enum names)
  std::vector<std::string> categories;
  std::string as_of;
  int page_size = 0;
  bool all_pages = false;
  OutputFormat output = OutputFormat::kTable;
  std::vector<std::string> columns;
};
int RunMemberSearch(const MemberSearchOptions& options, Io& io);

struct MemberShowOptions {
  ConnectionFlags connection;
  std::string name;            // members/N
  std::string as_of;
  OutputFormat output = OutputFormat::kJson;
};
int RunMemberShow(const MemberShowOptions& options, Io& io);

// "line 12, citizen_id: must be 12 digits (INVALID_ARGUMENT)".
std::string DescribeRowError(const grassroots::membership::v1::RowResult& row);
// "OFFICIAL", "member_status_official", "Official" -> MEMBER_STATUS_OFFICIAL.
absl::StatusOr<grassroots::membership::v1::MemberStatus> ParseMemberStatus(const std::string& text);
absl::StatusOr<grassroots::membership::v1::OccupationCategory> ParseCategory(const std::string& text);

}  // namespace grassroots::cli
