#pragma once
// Monthly dues totals per cell for reporting. A background publisher follows
// this service's own change feed: each member whose record or dues changed
// (and every member under an organization whose wage region or ledger
// opening changed) has their months of last year and this year recomputed by
// the ledger's rules (dues_book.h) into dues_member_months; each cell-month
// those rows touch is summed, and when the sum differs from what was last
// published it goes on the feed as a DuesCellMonth ("dues_cell_month"),
// which reporting keeps. Once a month every member is recomputed (the new
// month falls due with no change to announce it), and the first run sweeps
// everyone so an existing deployment starts complete.
//
// One publisher works at a time across replicas (the state row's lock); a
// round is one transaction, so the recomputed rows, the feed entries and the
// publisher's place move together.
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/membership/handlers/handler_context.h"

namespace grassroots::membership {

struct DuesTotalsOptions {
  absl::Duration interval = absl::Seconds(5);  // between rounds once caught up
  int members_per_round = 300;
  int changes_per_round = 2000;
};

class DuesTotalsPublisher {
 public:
  DuesTotalsPublisher(HandlerContext& ctx, DuesTotalsOptions options);
  ~DuesTotalsPublisher();
  DuesTotalsPublisher(const DuesTotalsPublisher&) = delete;
  DuesTotalsPublisher& operator=(const DuesTotalsPublisher&) = delete;

  // One round; true when work is left for another.
  absl::StatusOr<bool> RunOnce();
  // Rounds until nothing is left.
  absl::Status CatchUp();

  void Start();
  void Stop();  // waits for the current round to end

 private:
  void Loop();

  HandlerContext& ctx_;
  const DuesTotalsOptions options_;
  absl::Mutex mutex_;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace grassroots::membership
