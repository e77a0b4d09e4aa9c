#pragma once
// Client side of MemberImportService.ImportMembers: streams a CSV source in
// chunks while reading the service's progress, used by `grassroots member
// import` and by the demo loader.
#include <cstddef>
#include <functional>
#include <istream>
#include <string>

#include <grpcpp/support/status.h>

#include "grassroots/membership/v1/import.pb.h"
#include "services/cli/connection.h"

namespace grassroots::cli {

inline constexpr size_t kImportChunkBytes = 64 * 1024;

struct ImportOutcome {
  grpc::Status status;                             // the call's final status
  grassroots::membership::v1::ImportSummary summary;  // the last totals received
  bool done = false;                               // the final (done) message arrived
};

// Sends `source` in chunks of `chunk_bytes` (the first carries file_name and
// dry_run) on one thread while this one hands each progress message to
// `on_progress` as it arrives. The call has no deadline: an import takes as
// long as the file (the connection's deadline bounds one unary call, not this).
ImportOutcome StreamImport(const Connection& connection, const std::string& file_name, bool dry_run,
                           std::istream& source,
                           const std::function<void(const grassroots::membership::v1::ImportProgress&)>& on_progress,
                           size_t chunk_bytes = kImportChunkBytes);

}  // namespace grassroots::cli
