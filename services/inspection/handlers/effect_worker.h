#pragma once
// Drains the discipline effects outbox: claims due effects (several replicas
// may run it: a claimed effect is leased, and rows another replica holds are
// skipped), applies each through the EffectApplier with the effect's key as
// the idempotency key, and records the outcome. A crash between the call and
// the record leaves the effect leased; when the lease ends it is applied again,
// which the applier makes a no-op. Retries back off exponentially (capped).
//
// Metrics (labels kind and outcome only):
//   discipline_effects_pending                 effects not yet applied or refused
//   discipline_effect_attempts_total{kind,outcome}  outcome: applied, retry, refused
#include <chrono>
#include <memory>
#include <thread>

#include <prometheus/registry.h>

#include "absl/synchronization/mutex.h"
#include "common/db/db.h"
#include "services/inspection/handlers/effect_applier.h"
#include "services/inspection/store/discipline_store.h"

namespace grassroots::inspection {

struct EffectWorkerOptions {
  // How often due effects are looked for when nothing nudges the worker.
  std::chrono::milliseconds poll_interval{1000};
  // How long a claimed effect is held before another claimer may take it.
  std::chrono::milliseconds lease{30000};
  std::chrono::milliseconds initial_retry{1000};
  std::chrono::milliseconds max_retry{300000};
  int batch_size = 20;
};

class EffectWorker {
 public:
  EffectWorker(common::db::ConnectionPool& pool, store::DisciplineStore& store, EffectApplier& applier,
               std::shared_ptr<prometheus::Registry> registry, EffectWorkerOptions options = {});
  ~EffectWorker();
  EffectWorker(const EffectWorker&) = delete;
  EffectWorker& operator=(const EffectWorker&) = delete;

  void Start();
  // Prompt; safe to call twice.
  void Stop();
  // A decision just committed effects: look now rather than at the next poll.
  void Nudge();
  // One pass over the due effects (the thread's body; tests call it directly).
  // Returns how many effects it handled.
  int RunOnce();

 private:
  struct Metrics;
  void Loop();

  common::db::ConnectionPool& pool_;
  store::DisciplineStore& store_;
  EffectApplier& applier_;
  EffectWorkerOptions options_;
  std::unique_ptr<Metrics> metrics_;
  absl::Mutex mutex_;
  bool stop_ ABSL_GUARDED_BY(mutex_) = false;
  bool nudged_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace grassroots::inspection
