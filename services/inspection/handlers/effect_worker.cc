#include "services/inspection/handlers/effect_worker.h"

#include <algorithm>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include "absl/time/time.h"
#include "common/log/log.h"

namespace grassroots::inspection {
namespace {

namespace v1 = grassroots::inspection::v1;

const char* OutcomeLabel(EffectOutcome outcome) {
  switch (outcome) {
    case EffectOutcome::kApplied: return "applied";
    case EffectOutcome::kRetry: return "retry";
    case EffectOutcome::kRefused: return "refused";
  }
  return "retry";
}

}  // namespace

struct EffectWorker::Metrics {
  std::shared_ptr<prometheus::Registry> registry;
  prometheus::Gauge* pending = nullptr;
  prometheus::Family<prometheus::Counter>* attempts = nullptr;
};

EffectWorker::EffectWorker(common::db::ConnectionPool& pool, store::DisciplineStore& store, EffectApplier& applier,
                           std::shared_ptr<prometheus::Registry> registry, EffectWorkerOptions options)
    : pool_(pool), store_(store), applier_(applier), options_(options), metrics_(std::make_unique<Metrics>()) {
  metrics_->registry = registry ? std::move(registry) : std::make_shared<prometheus::Registry>();
  metrics_->pending = &prometheus::BuildGauge()
                           .Name("discipline_effects_pending")
                           .Help("Effects of discipline decisions on other services not yet applied or refused")
                           .Register(*metrics_->registry)
                           .Add({});
  metrics_->attempts = &prometheus::BuildCounter()
                            .Name("discipline_effect_attempts_total")
                            .Help("Attempts to apply an effect of a discipline decision, by kind and outcome")
                            .Register(*metrics_->registry);
}

EffectWorker::~EffectWorker() { Stop(); }

void EffectWorker::Start() {
  absl::MutexLock lock(&mutex_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { Loop(); });
}

void EffectWorker::Stop() {
  {
    absl::MutexLock lock(&mutex_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void EffectWorker::Nudge() {
  absl::MutexLock lock(&mutex_);
  nudged_ = true;
}

void EffectWorker::Loop() {
  while (true) {
    RunOnce();
    absl::MutexLock lock(&mutex_);
    auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return stop_ || nudged_; };
    mutex_.AwaitWithTimeout(absl::Condition(&woken), absl::FromChrono(options_.poll_interval));
    if (stop_) return;
    nudged_ = false;
  }
}

int EffectWorker::RunOnce() {
  absl::StatusOr<std::vector<store::PendingEffect>> claimed = pool_.Transact<std::vector<store::PendingEffect>>(
      "discipline_effect.claim", [&](common::db::Session& session) {
        return store_.ClaimDueEffects(session, options_.batch_size, absl::FromChrono(options_.lease));
      });
  if (!claimed.ok()) {
    // The database is down: the next pass tries again.
    common::log::Warn("cannot claim discipline effects", {{"status", claimed.status().ToString()}});
    return 0;
  }
  for (const store::PendingEffect& effect : *claimed) {
    absl::StatusOr<std::optional<store::StoredDecision>> decision =
        pool_.Read<std::optional<store::StoredDecision>>("discipline_effect.decision", [&](common::db::Session& s) {
          return store_.GetDecision(s, effect.decision_id, false);
        });
    if (!decision.ok() || !*decision) continue;  // leased: retried when the lease ends
    const EffectResult result = applier_.Apply(effect, (*decision)->record);
    const std::string kind = v1::EffectKind_Name(effect.kind);
    metrics_->attempts->Add({{"kind", kind}, {"outcome", OutcomeLabel(result.outcome)}}).Increment();
    // Backoff doubles per attempt from initial_retry, capped.
    const std::chrono::milliseconds delay = std::min<std::chrono::milliseconds>(
        options_.max_retry, options_.initial_retry * (int64_t{1} << std::min(effect.attempts, 16)));
    absl::Status recorded = pool_.RunInTransaction("discipline_effect.record", [&](common::db::Session& session) {
      switch (result.outcome) {
        case EffectOutcome::kApplied: return store_.MarkApplied(session, effect.id);
        case EffectOutcome::kRefused: return store_.MarkRefused(session, effect.id, result.error);
        case EffectOutcome::kRetry: return store_.MarkRetry(session, effect.id, result.error, absl::FromChrono(delay));
      }
      return absl::OkStatus();
    });
    if (result.outcome != EffectOutcome::kApplied) {
      common::log::Warn("discipline effect not applied",
                        {{"effect_id", std::to_string(effect.id)},
                         {"decision_id", std::to_string(effect.decision_id)},
                         {"kind", kind},
                         {"outcome", OutcomeLabel(result.outcome)},
                         {"error", result.error}});
    }
    if (!recorded.ok()) {
      common::log::Warn("cannot record a discipline effect's outcome; it is retried when its lease ends",
                        {{"effect_id", std::to_string(effect.id)}, {"status", recorded.ToString()}});
    }
  }
  absl::StatusOr<int64_t> pending = pool_.Read<int64_t>(
      "discipline_effect.count", [&](common::db::Session& session) { return store_.CountPendingEffects(session); });
  if (pending.ok()) metrics_->pending->Set(static_cast<double>(*pending));
  return static_cast<int>(claimed->size());
}

}  // namespace grassroots::inspection
