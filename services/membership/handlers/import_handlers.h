#pragma once
// grassroots.membership.v1.MemberImportService: the streaming bulk import of
// the member spreadsheets committees keep (docs/member-import.md).
#include <atomic>
#include <cstdint>

#include <grpcpp/grpcpp.h>

#include "absl/time/time.h"
#include "common/server/respond.h"
#include "grassroots/membership/v1/import.grpc.pb.h"
#include "services/membership/handlers/handler_context.h"
#include "services/membership/handlers/member_csv.h"

namespace grassroots::membership {

struct ImportOptions {
  // A progress message goes out after this many rows or this much time,
  // whichever comes first, with every row result since the previous one.
  int progress_rows = 1000;
  // Rows written together in one transaction. A progress message waits for
  // the batches being written, so batches overlap between two messages.
  int batch_rows = 200;
  // Batches written at once by one import, each on its own connection.
  int batch_writers = 2;
  absl::Duration progress_interval = absl::Seconds(1);
  member_csv::CsvLimits csv_limits;
  // Rows failing one after another because a service (the database, the
  // organization service) is unavailable end the import: the rest would fail too.
  int max_consecutive_unavailable = 50;
  // Bounds of one import (a committee's spreadsheet is a few thousand rows).
  // Past one the import ends RESOURCE_EXHAUSTED (time: DEADLINE_EXCEEDED)
  // naming the limit and the line; the rows reported CREATED before it are
  // saved, so the rest can be sent as another file.
  int64_t max_rows = 200'000;
  int64_t max_bytes = 64LL * 1024 * 1024;
  absl::Duration max_duration = absl::Minutes(30);
  // Imports running at once in this process; one more is refused
  // RESOURCE_EXHAUSTED before it reads anything.
  int max_concurrent = 4;
};

class MemberImportServiceImpl final : public v1::MemberImportService::Service {
 public:
  explicit MemberImportServiceImpl(HandlerContext& ctx, ImportOptions options = {});

  // Reads the file in chunks, splits rows as they complete, and for each row:
  // maps it to a CreateMemberRequest (existing entry), ValidateCreateMember,
  // scope of the cell, the row's key (external_id, else citizen_id) against
  // the records on file (same import fingerprint: UNCHANGED; other data:
  // ALREADY_EXISTS), the cell active in the organization service on
  // joined_cell_on (asked once per cell and day), then one transaction per row
  // (InsertMember). dry_run stops before the transaction. A bad header ends
  // the stream with INVALID_ARGUMENT before any row.
  grpc::Status ImportMembers(grpc::ServerContext* context,
                             grpc::ServerReaderWriter<v1::ImportProgress, v1::ImportChunk>* stream) override;

 private:
  HandlerContext& ctx_;
  common::CallEnvelope envelope_;
  ImportOptions options_;
  std::atomic<int> running_{0};
};

}  // namespace grassroots::membership
