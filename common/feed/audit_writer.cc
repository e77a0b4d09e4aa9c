#include "common/feed/audit_writer.h"

#include <algorithm>
#include <utility>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log/log.h"

namespace grassroots::common::feed {
namespace {

constexpr std::chrono::milliseconds kRetryAfterFailure{200};

}  // namespace

AuditWriter::AuditWriter(db::ConnectionPool& pool, AuditWriterOptions options, prometheus::Registry* registry)
    : pool_(pool), options_(options) {
  if (registry != nullptr) {
    pending_gauge_ = &prometheus::BuildGauge()
                          .Name("audit_writer_pending_entries")
                          .Help("Audit entries of reads waiting to be written")
                          .Register(*registry)
                          .Add({});
    flush_seconds_ = &prometheus::BuildHistogram()
                          .Name("audit_writer_flush_seconds")
                          .Help("Time to write one batch of audit entries")
                          .Register(*registry)
                          .Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                                            0.1, 0.25, 0.5, 1});
    flush_failures_ = &prometheus::BuildCounter()
                           .Name("audit_writer_flush_failures_total")
                           .Help("Batches of audit entries that could not be written (they are retried)")
                           .Register(*registry)
                           .Add({});
  }
  if (buffered()) thread_ = std::thread([this] { Run(); });
}

AuditWriter::~AuditWriter() {
  if (!thread_.joinable()) return;
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  thread_.join();
}

absl::Status AuditWriter::Append(std::vector<AuditFields> entries) {
  if (entries.empty()) return absl::OkStatus();
  const absl::Time now = absl::Now();
  if (!buffered()) {
    return pool_.Run("audit.append", [&](db::Session& session) { return AppendAudit(session, entries); });
  }
  absl::MutexLock lock(&mutex_);
  auto has_room = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return pending_.size() + entries.size() <= std::max(options_.max_pending, entries.size());
  };
  if (!mutex_.AwaitWithTimeout(absl::Condition(&has_room), absl::FromChrono(options_.append_timeout))) {
    return absl::UnavailableError("the audit log cannot be written now; the read is refused until it can");
  }
  for (AuditFields& entry : entries) pending_.push_back(Pending{std::move(entry), now});
  appended_ += static_cast<int64_t>(entries.size());
  if (pending_gauge_ != nullptr) pending_gauge_->Set(static_cast<double>(pending_.size()));
  return absl::OkStatus();
}

absl::Status AuditWriter::Flush(std::chrono::milliseconds timeout) {
  if (!buffered()) return absl::OkStatus();
  absl::MutexLock lock(&mutex_);
  const int64_t target = appended_;
  flush_target_ = std::max(flush_target_, target);
  auto done = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return written_ >= target; };
  if (!mutex_.AwaitWithTimeout(absl::Condition(&done), absl::FromChrono(timeout))) {
    return absl::UnavailableError(
        absl::StrCat("audit entries still unwritten after ", timeout.count(), " ms: the database is away"));
  }
  return absl::OkStatus();
}

bool AuditWriter::WriteSome() {
  std::vector<AuditFields> batch;
  std::vector<absl::Time> times;
  {
    absl::MutexLock lock(&mutex_);
    const size_t count = std::min(pending_.size(), options_.max_batch);
    batch.reserve(count);
    times.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      batch.push_back(std::move(pending_[i].fields));
      times.push_back(pending_[i].occurred_at);
    }
  }
  if (batch.empty()) return true;
  const auto started = std::chrono::steady_clock::now();
  const absl::Status written =
      pool_.Run("audit.append_batch", [&](db::Session& session) { return AppendAudit(session, batch, times); });
  if (flush_seconds_ != nullptr) {
    flush_seconds_->Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  absl::MutexLock lock(&mutex_);
  if (!written.ok()) {
    // The entries stay at the front, in order, for the next attempt (moved-from
    // copies are not used: they are put back as they were).
    for (size_t i = 0; i < batch.size(); ++i) pending_[i].fields = std::move(batch[i]);
    if (flush_failures_ != nullptr) flush_failures_->Increment();
    if (failures_in_row_++ == 0) {
      log::Warn("audit entries not written; retrying until the database answers",
                {{"pending", static_cast<int64_t>(pending_.size())},
                 {"retry_ms", static_cast<int64_t>(kRetryAfterFailure.count())},
                 {"error", written.ToString()}});
    }
    return false;
  }
  if (failures_in_row_ > 0) {
    log::Info("audit entries written again", {{"failed_attempts", failures_in_row_},
                                             {"pending", static_cast<int64_t>(pending_.size() - batch.size())}});
    failures_in_row_ = 0;
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(batch.size()));
  written_ += static_cast<int64_t>(batch.size());
  if (pending_gauge_ != nullptr) pending_gauge_->Set(static_cast<double>(pending_.size()));
  return true;
}

void AuditWriter::Run() {
  absl::Time stop_deadline = absl::InfiniteFuture();
  while (true) {
    bool stopping = false;
    {
      absl::MutexLock lock(&mutex_);
      // Wake early when a full batch waits, a Flush waits, or the writer is told to stop.
      auto worth_waking = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
        return stopping_ || pending_.size() >= options_.max_batch || written_ < flush_target_;
      };
      mutex_.AwaitWithTimeout(absl::Condition(&worth_waking), absl::FromChrono(options_.flush_interval));
      stopping = stopping_;
      if (stopping && stop_deadline == absl::InfiniteFuture()) stop_deadline = absl::Now() + absl::FromChrono(options_.stop_deadline);
      if (stopping && pending_.empty()) return;
    }
    bool ok = true;
    while (ok) {
      ok = WriteSome();
      absl::MutexLock lock(&mutex_);
      if (pending_.empty()) break;
      if (pending_.size() < options_.max_batch && !stopping_ && written_ >= flush_target_) break;
    }
    if (!ok) {
      if (stopping && absl::Now() > stop_deadline) {
        absl::MutexLock lock(&mutex_);
        log::Error("stopping with audit entries unwritten", {{"entries", static_cast<int64_t>(pending_.size())}});
        return;
      }
      std::this_thread::sleep_for(kRetryAfterFailure);
    }
  }
}

}  // namespace grassroots::common::feed
