#include "services/membership/handlers/import_handlers.h"

#include <chrono>
#include <deque>
#include <future>
#include <map>
#include <thread>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/api/api.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "services/membership/handlers/member_access.h"
#include "services/membership/handlers/member_writer.h"
#include "services/membership/store/org_codes.h"

namespace grassroots::membership {
namespace {

using common::db::Session;
using member_csv::Column;
using member_csv::CsvRecord;
using member_csv::MappedRow;

constexpr int kExtraConflictAttempts = 3;
using Stream = grpc::ServerReaderWriter<v1::ImportProgress, v1::ImportChunk>;

bool ServiceUnavailable(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable || status.code() == absl::StatusCode::kDeadlineExceeded;
}

absl::Status UnknownCellCode() {
  return common::InvalidField("cell", "no organization has this code (the codes are the organization "
                                      "service's; organizations/{id} works too)");
}

// One ImportMembers call: the header, the caches, the counts and the results
// not yet sent.
class ImportRun {
 public:
  ImportRun(HandlerContext& ctx, const ImportOptions& options, common::auth::CallContext call,
            grpc::ServerContext* context, Stream* stream)
      : ctx_(ctx),
        options_(options),
        call_(std::move(call)),
        write_(common::feed::WriteContextOf(call_)),
        context_(context),
        stream_(stream),
        splitter_(options.csv_limits),
        last_flush_(absl::Now()) {}

  absl::Status Run();

 private:
  // A row that passed every check made without the database, waiting to be
  // written with its batch.
  struct BatchRow {
    int64_t line = 0;
    int64_t slot = 0;  // the row's place in the file's rows (pending_ holds those not yet sent)
    MappedRow row;
    NewMember fresh;
    std::string fingerprint;
  };

  absl::Status OnRecord(CsvRecord&& record);
  absl::Status AcceptHeader(const CsvRecord& record);
  // The row's result, or nullopt when it joined the batch.
  std::optional<v1::RowResult> Process(const CsvRecord& record, int64_t slot);
  // Checks the batch's rows against the records on file (one query per key
  // column), then writes the new ones in one transaction: all rows in a few
  // multi-row statements under a savepoint, or, when one of them fails, each
  // row under its own savepoint so a bad row rolls back alone.
  absl::Status WriteBatch();
  // What one batch's rows came to, on a writer thread: (slot, result) pairs.
  using BatchResults = std::vector<std::pair<int64_t, v1::RowResult>>;
  BatchResults WriteRows(std::vector<BatchRow> rows);
  // Settles the batches already written (all of them, waiting, when `all`).
  void SettleWritten(bool all);
  // Indexes of the rows whose key is on file (readable or not).
  absl::StatusOr<std::set<size_t>> KeysOnFile(const std::vector<BatchRow>& rows);
  // Per row, the new member's id or why it was not written.
  std::vector<absl::StatusOr<int64_t>> InsertRows(const std::vector<BatchRow*>& rows);
  // The keys a row holds that no other row of one batch may hold.
  static std::vector<std::string> UniqueKeys(const MappedRow& row);
  void Settle(int64_t slot, v1::RowResult result);
  absl::Status StopIfUnavailable();
  // The row settled by a record already on file under its key, or nullopt.
  absl::StatusOr<std::optional<v1::RowResult>> AgainstFile(int64_t line, const MappedRow& row,
                                                           const std::string& fingerprint);
  // dry_run: what the transaction's unique keys would refuse.
  std::optional<v1::RowResult> DryRunConflicts(int64_t line, const MappedRow& row, const std::string& fingerprint);
  absl::StatusOr<int64_t> ResolveCell(const MappedRow& row);
  absl::Status CellInScope(int64_t cell_id);
  // Whether the caller may read the member on file (no existence oracle: a
  // record it may not read is treated as absent).
  absl::StatusOr<bool> Readable(Session& session, int64_t member_id);
  absl::Status CellActive(int64_t cell_id, absl::CivilDay day);
  v1::RowResult Failure(int64_t line, const absl::Status& status, std::string column,
                        const std::vector<std::string>& personal_values);
  void Count(const v1::RowResult& result);
  // Waits for the batches being written and sends every result since the
  // previous message, in line order.
  absl::Status Flush(bool done);
  // Sends the results so far and ends the import at one of its bounds.
  absl::Status StopAtLimit(absl::StatusCode code, std::string_view reason, std::string_view what);

  HandlerContext& ctx_;
  const ImportOptions& options_;
  const common::auth::CallContext call_;
  const common::feed::WriteContext write_;
  grpc::ServerContext* context_;
  Stream* stream_;
  member_csv::CsvSplitter splitter_;

  bool dry_run_ = false;
  std::optional<member_csv::Header> header_;
  v1::ImportSummary summary_;
  // Results not yet sent, in line order; a row of the batch holds an empty
  // slot until the batch is written (which every Flush does first).
  std::deque<std::optional<v1::RowResult>> pending_;
  int64_t sent_rows_ = 0;  // slot of pending_.front()
  std::vector<BatchRow> batch_;
  std::set<std::string> batch_keys_;
  absl::Time last_flush_;
  int consecutive_unavailable_ = 0;
  int64_t last_line_ = 0;
  int64_t rows_seen_ = 0;  // rows of the file so far, written or waiting in the batch
  int64_t rows_at_flush_ = 0;
  int64_t bytes_ = 0;
  const absl::Time started_ = absl::Now();

  // Per-import caches: a file names few cells and few (cell, day) pairs.
  std::map<std::string, std::optional<int64_t>> cell_by_code_;
  std::map<int64_t, absl::Status> scope_by_cell_;
  absl::Mutex active_mu_;  // writer threads share it
  std::map<std::pair<int64_t, absl::CivilDay>, absl::Status> active_by_cell_day_ ABSL_GUARDED_BY(active_mu_);
  // dry_run only: keys and citizen ids seen earlier in the file.
  std::map<std::string, std::string> dry_run_fingerprints_;
  std::set<std::string> dry_run_citizen_ids_;
  // Batches being written, oldest first (at most options_.batch_writers).
  // Last member: destroying it waits for them before anything they use goes.
  std::deque<std::future<BatchResults>> writing_;
};

absl::Status ImportRun::Run() {
  v1::ImportChunk chunk;
  bool first = true;
  const auto sink = [this](CsvRecord&& record) { return OnRecord(std::move(record)); };
  while (stream_->Read(&chunk)) {
    if (first) {
      dry_run_ = chunk.dry_run();
      first = false;
    }
    bytes_ += static_cast<int64_t>(chunk.data().size());
    if (bytes_ > options_.max_bytes) {
      return StopAtLimit(absl::StatusCode::kResourceExhausted, "IMPORT_TOO_LARGE",
                         absl::StrCat("the file is larger than ", options_.max_bytes, " bytes"));
    }
    GR_RETURN_IF_ERROR(splitter_.Feed(chunk.data(), sink));
  }
  if (context_->IsCancelled()) return absl::CancelledError("the client cancelled the import");
  GR_RETURN_IF_ERROR(splitter_.Finish(sink));
  if (!header_) {
    return common::InvalidField("header", "the file is empty: it must start with a header row naming its columns "
                                          "(see docs/member-import.md)");
  }
  GR_RETURN_IF_ERROR(Flush(/*done=*/true));
  common::log::Info("member import finished", {{"dry_run", dry_run_},
                                               {"rows", summary_.rows()},
                                               {"created", summary_.created()},
                                               {"unchanged", summary_.unchanged()},
                                               {"valid", summary_.valid()},
                                               {"errors", summary_.errors()}});
  return absl::OkStatus();
}

absl::Status ImportRun::OnRecord(CsvRecord&& record) {
  if (context_->IsCancelled()) return absl::CancelledError("the client cancelled the import");
  if (member_csv::IsBlank(record)) return absl::OkStatus();
  if (!header_) return AcceptHeader(record);
  if (rows_seen_ >= options_.max_rows) {
    return StopAtLimit(absl::StatusCode::kResourceExhausted, "IMPORT_TOO_MANY_ROWS",
                       absl::StrCat("the file has more than ", options_.max_rows, " rows"));
  }
  if (absl::Now() - started_ > options_.max_duration) {
    return StopAtLimit(absl::StatusCode::kDeadlineExceeded, "IMPORT_TOO_LONG",
                       absl::StrCat("the import ran longer than ", absl::FormatDuration(options_.max_duration)));
  }
  last_line_ = record.line;
  ++rows_seen_;
  const int64_t slot = sent_rows_ + static_cast<int64_t>(pending_.size());
  pending_.emplace_back();
  if (std::optional<v1::RowResult> result = Process(record, slot)) Settle(slot, std::move(*result));
  if (static_cast<int>(batch_.size()) >= options_.batch_rows) GR_RETURN_IF_ERROR(WriteBatch());
  SettleWritten(/*all=*/false);
  GR_RETURN_IF_ERROR(StopIfUnavailable());
  if (rows_seen_ - rows_at_flush_ >= options_.progress_rows ||
      absl::Now() - last_flush_ >= options_.progress_interval) {
    GR_RETURN_IF_ERROR(Flush(/*done=*/false));
    return StopIfUnavailable();
  }
  return absl::OkStatus();
}

void ImportRun::Settle(int64_t slot, v1::RowResult result) {
  if (result.outcome() == v1::ROW_OUTCOME_ERROR &&
      (result.code() == "UNAVAILABLE" || result.code() == "DEADLINE_EXCEEDED")) {
    ++consecutive_unavailable_;
  } else {
    consecutive_unavailable_ = 0;
  }
  Count(result);
  pending_[static_cast<size_t>(slot - sent_rows_)] = std::move(result);
}

absl::Status ImportRun::StopIfUnavailable() {
  if (consecutive_unavailable_ < options_.max_consecutive_unavailable) return absl::OkStatus();
  GR_RETURN_IF_ERROR(Flush(/*done=*/false));
  return common::Reasoned(
      absl::StatusCode::kUnavailable, "IMPORT_STOPPED",
      absl::StrCat("the import stopped at line ", last_line_, ": ", consecutive_unavailable_,
                   " rows in a row failed because a service was unavailable; the rows reported CREATED are "
                   "saved, run the same file again when the services are back"));
}

absl::Status ImportRun::StopAtLimit(absl::StatusCode code, std::string_view reason, std::string_view what) {
  GR_RETURN_IF_ERROR(Flush(/*done=*/false));
  return common::Reasoned(code, reason,
                          absl::StrCat(common::ToAbsl(what), ": the import stopped after line ", last_line_,
                                       "; the rows reported CREATED are saved, send the rest as another file"));
}

absl::Status ImportRun::AcceptHeader(const CsvRecord& record) {
  if (!record.error.empty()) {
    return common::InvalidField("header", absl::StrCat("line ", record.line, ": ", record.error));
  }
  GR_ASSIGN_OR_RETURN(header_, member_csv::ParseHeader(record.fields));
  return absl::OkStatus();
}

void ImportRun::Count(const v1::RowResult& result) {
  summary_.set_rows(summary_.rows() + 1);
  switch (result.outcome()) {
    case v1::ROW_OUTCOME_CREATED: summary_.set_created(summary_.created() + 1); break;
    case v1::ROW_OUTCOME_UNCHANGED: summary_.set_unchanged(summary_.unchanged() + 1); break;
    case v1::ROW_OUTCOME_VALID: summary_.set_valid(summary_.valid() + 1); break;
    default: summary_.set_errors(summary_.errors() + 1); break;
  }
}

absl::Status ImportRun::Flush(bool done) {
  GR_RETURN_IF_ERROR(WriteBatch());
  SettleWritten(/*all=*/true);
  rows_at_flush_ = rows_seen_;
  v1::ImportProgress progress;
  while (!pending_.empty() && pending_.front()) {
    *progress.add_rows() = std::move(*pending_.front());
    pending_.pop_front();
    ++sent_rows_;
  }
  *progress.mutable_so_far() = summary_;
  progress.set_done(done);
  last_flush_ = absl::Now();
  if (!stream_->Write(progress)) return absl::CancelledError("the client went away during the import");
  return absl::OkStatus();
}

v1::RowResult ImportRun::Failure(int64_t line, const absl::Status& status, std::string column,
                                 const std::vector<std::string>& personal_values) {
  const std::string field = common::FieldOf(status);
  if (column.empty()) column = member_csv::ColumnForField(field);
  if (column.empty()) {
    // Duplicate keys come from the store as ALREADY_EXISTS with a reason, not a field.
    const std::string reason = common::ReasonOf(status);
    if (reason == "DUPLICATE_CITIZEN_ID") column = "citizen_id";
    if (reason == "DUPLICATE_EXTERNAL_ID") column = "external_id";
    if (reason == "DUPLICATE_PARTY_CARD") column = "party_card_number";
  }
  std::string message(status.message());
  if (!field.empty() && absl::StartsWith(message, absl::StrCat(common::ToAbsl(field), ": "))) {
    message = message.substr(field.size() + 2);
  }
  if (status.code() == absl::StatusCode::kInternal || status.code() == absl::StatusCode::kUnknown) {
    common::log::Error("member import row failed", {{"line", line}, {"status", status.ToString()}});
    message = "internal error; see the server log";
  }
  v1::RowResult result;
  result.set_line(line);
  result.set_outcome(v1::ROW_OUTCOME_ERROR);
  result.set_column(column);
  result.set_message(member_csv::WithoutPersonalValues(std::move(message), personal_values, column));
  result.set_code(absl::StatusCodeToString(status.code()));
  return result;
}

absl::StatusOr<int64_t> ImportRun::ResolveCell(const MappedRow& row) {
  if (row.cell_code.empty()) return row.cell_id;
  auto cached = cell_by_code_.find(row.cell_code);
  if (cached == cell_by_code_.end()) {
    GR_ASSIGN_OR_RETURN(std::optional<int64_t> id,
                        ctx_.pool.Read<std::optional<int64_t>>("membership.import_cell_code", [&](Session& session) {
                          return store::FindOrganizationIdByCode(session, row.cell_code);
                        }));
    cached = cell_by_code_.emplace(row.cell_code, id).first;
  }
  if (!cached->second) return UnknownCellCode();
  return *cached->second;
}

absl::Status ImportRun::CellInScope(int64_t cell_id) {
  auto cached = scope_by_cell_.find(cell_id);
  if (cached != scope_by_cell_.end()) return cached->second;
  absl::Status status = RequireOrgInScope(ctx_, call_.principal, cell_id);
  if (ServiceUnavailable(status)) return status;
  scope_by_cell_.emplace(cell_id, status);
  return status;
}

absl::Status ImportRun::CellActive(int64_t cell_id, absl::CivilDay day) {
  const auto key = std::make_pair(cell_id, day);
  {
    absl::MutexLock lock(&active_mu_);
    auto cached = active_by_cell_day_.find(key);
    if (cached != active_by_cell_day_.end()) return cached->second;
  }
  absl::Status status = ctx_.cells.RequireActiveCell(cell_id, day, "existing.cell");
  if (ServiceUnavailable(status) || status.code() == absl::StatusCode::kInternal) return status;
  absl::MutexLock lock(&active_mu_);
  active_by_cell_day_.emplace(key, status);
  return status;
}

absl::StatusOr<std::optional<v1::RowResult>> ImportRun::AgainstFile(int64_t line, const MappedRow& row,
                                                                    const std::string& fingerprint) {
  const std::string key_column(member_csv::ColumnName(row.key_column));
  return ctx_.pool.Read<std::optional<v1::RowResult>>(
      "membership.import_key", [&](Session& session) -> absl::StatusOr<std::optional<v1::RowResult>> {
        absl::StatusOr<int64_t> found = row.key_column == Column::kExternalId
                                            ? ctx_.members.FindByExternalId(session, row.key)
                                            : ctx_.members.FindByCitizenId(session, row.key);
        if (absl::IsNotFound(found.status())) return std::optional<v1::RowResult>();
        if (!found.ok()) return found.status();
        // A record outside the caller's scope answers as a missing one: the
        // row goes on (a dry run reports it VALID; a real insert is refused by
        // the unique key, with a message that names no one and no place).
        GR_ASSIGN_OR_RETURN(const bool readable, Readable(session, *found));
        if (!readable) return std::optional<v1::RowResult>();
        GR_ASSIGN_OR_RETURN(std::string stored, ctx_.members.ImportFingerprint(session, *found));
        v1::RowResult result;
        result.set_line(line);
        if (stored != fingerprint) {
          return std::optional<v1::RowResult>(Failure(line,
                         absl::AlreadyExistsError(absl::StrCat(
                             "a member with this ", key_column,
                             " is already on file with other data: an import never changes a record; correct it with "
                             "UpdateMember or the lifecycle calls, or give the row another ",
                             key_column)),
                         key_column, row.personal_values));
        }
        result.set_outcome(v1::ROW_OUTCOME_UNCHANGED);
        result.set_member(MemberName(*found));
        return std::optional<v1::RowResult>(std::move(result));
      });
}

absl::StatusOr<bool> ImportRun::Readable(Session& session, int64_t member_id) {
  GR_ASSIGN_OR_RETURN(const domain::MemberRecord record, ctx_.members.Get(session, member_id));
  const absl::Status access = RequireMemberAccess(ctx_, session, call_.principal, record, Access::kRead);
  if (absl::IsNotFound(access)) return false;
  GR_RETURN_IF_ERROR(access);
  return true;
}

std::optional<v1::RowResult> ImportRun::DryRunConflicts(int64_t line, const MappedRow& row,
                                                        const std::string& fingerprint) {
  const std::string key_column(member_csv::ColumnName(row.key_column));
  const std::string key = absl::StrCat(key_column, "=", row.key);
  auto earlier = dry_run_fingerprints_.find(key);
  if (earlier != dry_run_fingerprints_.end()) {
    if (earlier->second == fingerprint) {
      v1::RowResult result;
      result.set_line(line);
      result.set_outcome(v1::ROW_OUTCOME_UNCHANGED);
      return result;
    }
    return Failure(line,
                   absl::AlreadyExistsError(absl::StrCat("an earlier row of this file has the same ", key_column,
                                                         " with other data")),
                   key_column, row.personal_values);
  }
  dry_run_fingerprints_.emplace(key, fingerprint);
  const std::string& citizen_id = row.request.member().citizen_id();
  if (row.key_column != Column::kCitizenId && !citizen_id.empty()) {
    if (!dry_run_citizen_ids_.insert(citizen_id).second) {
      return Failure(line, absl::AlreadyExistsError("an earlier row of this file has the same citizen_id"),
                     "citizen_id", row.personal_values);
    }
  }
  // What the insert's unique keys would refuse among the records on file the
  // caller may read; one outside its scope is not reported (no oracle).
  std::string conflict_column;
  absl::Status taken = ctx_.pool.Run("membership.import_dry_run", [&](Session& session) -> absl::Status {
    auto conflicts = [&](absl::StatusOr<int64_t> other) -> absl::StatusOr<bool> {
      if (absl::IsNotFound(other.status())) return false;
      GR_RETURN_IF_ERROR(other.status());
      return Readable(session, *other);
    };
    if (row.key_column != Column::kCitizenId && !citizen_id.empty()) {
      GR_ASSIGN_OR_RETURN(const bool taken_id, conflicts(ctx_.members.FindByCitizenId(session, citizen_id)));
      if (taken_id) {
        conflict_column = "citizen_id";
        return absl::AlreadyExistsError("another member on file has this citizen_id");
      }
    }
    const std::string& card = row.request.party_card_number();
    if (!card.empty()) {
      GR_ASSIGN_OR_RETURN(const bool taken_card, conflicts(ctx_.members.FindByPartyCard(session, card)));
      if (taken_card) {
        conflict_column = "party_card_number";
        return absl::AlreadyExistsError("another member on file holds this party card");
      }
    }
    return absl::OkStatus();
  });
  if (!taken.ok()) return Failure(line, taken, conflict_column, row.personal_values);
  return std::nullopt;
}

std::optional<v1::RowResult> ImportRun::Process(const CsvRecord& record, int64_t slot) {
  const int64_t line = record.line;
  absl::StatusOr<MappedRow> mapped = member_csv::MapRow(*header_, record, ctx_.codes);
  if (!mapped.ok()) return Failure(line, mapped.status(), "", {});
  MappedRow& row = *mapped;

  absl::StatusOr<int64_t> cell_id = ResolveCell(row);
  if (!cell_id.ok()) return Failure(line, cell_id.status(), "cell", row.personal_values);
  row.request.mutable_existing()->set_cell(OrgName(*cell_id));
  std::string fingerprint = member_csv::Fingerprint(row, *cell_id);

  absl::StatusOr<NewMember> fresh = ValidateCreateMember(ctx_, row.request);
  if (!fresh.ok()) return Failure(line, fresh.status(), "", row.personal_values);
  if (absl::Status scope = CellInScope(fresh->cell_id); !scope.ok()) {
    // A code outside the scope reads as an unknown code (its id stays unsaid).
    if (absl::IsNotFound(scope) && !row.cell_code.empty()) scope = UnknownCellCode();
    return Failure(line, scope, "cell", row.personal_values);
  }

  if (!dry_run_) {
    // A row sharing a key with a row of the batch waits for that one to be
    // written, and is then checked against it as a record on file.
    const std::vector<std::string> keys = UniqueKeys(row);
    bool shared = false;
    for (const std::string& key : keys) shared = shared || batch_keys_.count(key) > 0;
    if (shared) {
      if (absl::Status written = WriteBatch(); !written.ok()) return Failure(line, written, "", row.personal_values);
    }
    batch_keys_.insert(keys.begin(), keys.end());
    batch_.push_back(BatchRow{line, slot, std::move(row), *std::move(fresh), std::move(fingerprint)});
    return std::nullopt;
  }

  absl::StatusOr<std::optional<v1::RowResult>> on_file = AgainstFile(line, row, fingerprint);
  if (!on_file.ok()) return Failure(line, on_file.status(), "", row.personal_values);
  if (*on_file) return std::move(**on_file);
  // The remote check, once per cell and day.
  if (absl::Status active = CellActive(fresh->cell_id, fresh->cell_day); !active.ok()) {
    return Failure(line, active, "cell", row.personal_values);
  }
  if (std::optional<v1::RowResult> conflict = DryRunConflicts(line, row, fingerprint)) return std::move(*conflict);
  v1::RowResult result;
  result.set_line(line);
  result.set_outcome(v1::ROW_OUTCOME_VALID);
  return result;
}

std::vector<std::string> ImportRun::UniqueKeys(const MappedRow& row) {
  std::vector<std::string> keys;
  const v1::Member& member = row.request.member();
  if (!member.citizen_id().empty()) keys.push_back(absl::StrCat("citizen_id=", member.citizen_id()));
  if (!member.external_id().empty()) keys.push_back(absl::StrCat("external_id=", absl::AsciiStrToLower(member.external_id())));
  if (!row.request.party_card_number().empty()) keys.push_back(absl::StrCat("card=", row.request.party_card_number()));
  return keys;
}

absl::StatusOr<std::set<size_t>> ImportRun::KeysOnFile(const std::vector<BatchRow>& rows) {
  std::vector<std::string> citizen_ids, external_ids;
  for (const BatchRow& r : rows) {
    (r.row.key_column == Column::kExternalId ? external_ids : citizen_ids).push_back(r.row.key);
  }
  std::map<std::string, int64_t> by_citizen_id, by_external_id;
  GR_RETURN_IF_ERROR(ctx_.pool.Run("membership.import_keys", [&](Session& session) -> absl::Status {
    if (!citizen_ids.empty()) {
      GR_ASSIGN_OR_RETURN(by_citizen_id, ctx_.members.FindManyByCitizenId(session, citizen_ids));
    }
    if (!external_ids.empty()) {
      GR_ASSIGN_OR_RETURN(by_external_id, ctx_.members.FindManyByExternalId(session, external_ids));
    }
    return absl::OkStatus();
  }));
  std::set<size_t> on_file;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& found = rows[i].row.key_column == Column::kExternalId ? by_external_id : by_citizen_id;
    if (found.count(rows[i].row.key) > 0) on_file.insert(i);
  }
  return on_file;
}

absl::Status ImportRun::WriteBatch() {
  if (batch_.empty()) return absl::OkStatus();
  // At most batch_writers batches at once, each on its own connection: while
  // the database works on one, the next is checked and sent.
  while (static_cast<int>(writing_.size()) >= std::max(1, options_.batch_writers)) {
    for (auto& [slot, result] : writing_.front().get()) Settle(slot, std::move(result));
    writing_.pop_front();
  }
  writing_.push_back(std::async(std::launch::async, &ImportRun::WriteRows, this, std::move(batch_)));
  batch_.clear();
  batch_keys_.clear();
  return absl::OkStatus();
}

void ImportRun::SettleWritten(bool all) {
  while (!writing_.empty() &&
         (all || writing_.front().wait_for(std::chrono::seconds(0)) == std::future_status::ready)) {
    for (auto& [slot, result] : writing_.front().get()) Settle(slot, std::move(result));
    writing_.pop_front();
  }
}

ImportRun::BatchResults ImportRun::WriteRows(std::vector<BatchRow> rows) {
  BatchResults results;
  const auto settle = [&results](const BatchRow& r, v1::RowResult result) {
    results.emplace_back(r.slot, std::move(result));
  };
  absl::StatusOr<std::set<size_t>> on_file = KeysOnFile(rows);
  if (!on_file.ok()) {
    for (BatchRow& r : rows) settle(r, Failure(r.line, on_file.status(), "", r.row.personal_values));
    return results;
  }
  std::vector<BatchRow*> fresh;
  for (size_t i = 0; i < rows.size(); ++i) {
    BatchRow& r = rows[i];
    if (on_file->count(i) > 0) {
      absl::StatusOr<std::optional<v1::RowResult>> settled = AgainstFile(r.line, r.row, r.fingerprint);
      if (!settled.ok()) {
        settle(r, Failure(r.line, settled.status(), "", r.row.personal_values));
        continue;
      }
      if (*settled) {
        settle(r, std::move(**settled));
        continue;
      }
      // Outside the caller's scope, it reads as absent: the insert's unique key refuses the row.
    }
    // The remote check, before any transaction (and once per cell and day).
    if (absl::Status active = CellActive(r.fresh.cell_id, r.fresh.cell_day); !active.ok()) {
      settle(r, Failure(r.line, active, "cell", r.row.personal_values));
      continue;
    }
    r.fresh.import_fingerprint = r.fingerprint;
    fresh.push_back(&r);
  }

  const std::vector<absl::StatusOr<int64_t>> written = InsertRows(fresh);
  for (size_t i = 0; i < fresh.size(); ++i) {
    BatchRow& r = *fresh[i];
    if (absl::IsAlreadyExists(written[i].status())) {
      // A concurrent import of the same file may have written the row first.
      absl::StatusOr<std::optional<v1::RowResult>> again = AgainstFile(r.line, r.row, r.fingerprint);
      if (again.ok() && *again) {
        settle(r, std::move(**again));
        continue;
      }
    }
    if (!written[i].ok()) {
      settle(r, Failure(r.line, written[i].status(), "", r.row.personal_values));
      continue;
    }
    v1::RowResult result;
    result.set_line(r.line);
    result.set_outcome(v1::ROW_OUTCOME_CREATED);
    result.set_member(MemberName(*written[i]));
    settle(r, std::move(result));
  }
  return results;
}

std::vector<absl::StatusOr<int64_t>> ImportRun::InsertRows(const std::vector<BatchRow*>& rows) {
  std::vector<absl::StatusOr<int64_t>> written;
  if (rows.empty()) return written;
  std::vector<const NewMember*> fresh;
  fresh.reserve(rows.size());
  for (const BatchRow* r : rows) fresh.push_back(&r->fresh);
  absl::Status committed;
  for (int attempt = 0; attempt <= kExtraConflictAttempts; ++attempt) {
    committed = ctx_.pool.RunInTransaction("membership.import_batch", [&](Session& session) -> absl::Status {
      written.assign(rows.size(), absl::UnknownError("not written"));
      absl::StatusOr<std::vector<domain::MemberRecord>> all;
      const absl::Status together = session.UnderSavepoint("import_batch", [&] {
        all = InsertMembers(ctx_, session, write_, fresh);
        return all.status();
      });
      if (together.ok()) {
        for (size_t i = 0; i < rows.size(); ++i) written[i] = (*all)[i].id;
        return absl::OkStatus();
      }
      if (ServiceUnavailable(together)) return together;
      // One of them failed: each alone, so a bad row rolls back alone.
      for (size_t i = 0; i < rows.size(); ++i) {
        absl::StatusOr<domain::MemberRecord> one;
        const absl::Status alone = session.UnderSavepoint("import_row", [&] {
          one = InsertMember(ctx_, session, write_, *fresh[i]);
          return one.status();
        });
        if (ServiceUnavailable(alone)) return alone;
        written[i] = alone.ok() ? absl::StatusOr<int64_t>(one->id) : absl::StatusOr<int64_t>(alone);
      }
      return absl::OkStatus();
    });
    if (!absl::IsAborted(committed) || attempt == kExtraConflictAttempts) break;
    // The pool retried its deadlocks already; rows of a bulk load under
    // concurrent writers get a few more, spaced out, before being reported.
    std::this_thread::sleep_for(std::chrono::milliseconds(20 << attempt));
  }
  if (!committed.ok()) written.assign(rows.size(), committed);
  return written;
}

}  // namespace

MemberImportServiceImpl::MemberImportServiceImpl(HandlerContext& ctx, ImportOptions options)
    : ctx_(ctx), envelope_(v1::MemberImportService::service_full_name(), ctx.authorizer), options_(options) {}

grpc::Status MemberImportServiceImpl::ImportMembers(grpc::ServerContext* context, Stream* stream) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    if (running_.fetch_add(1) >= options_.max_concurrent) {
      running_.fetch_sub(1);
      return common::Reasoned(absl::StatusCode::kResourceExhausted, "IMPORT_BUSY",
                              absl::StrCat("this service already has its limit of ", options_.max_concurrent,
                                           " import(s) running at once; send the file again when one has finished"));
    }
    struct Finished {
      std::atomic<int>& running;
      ~Finished() { running.fetch_sub(1); }
    } finished{running_};
    ImportRun run(ctx_, options_, call, context, stream);
    return run.Run();
  });
}

}  // namespace grassroots::membership
