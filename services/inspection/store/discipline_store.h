#pragma once
// Discipline decisions, their effects on other services (an outbox the effect
// worker drains) and appeals. Records are the API resources.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/db.h"
#include "grassroots/inspection/v1/inspection.pb.h"

namespace grassroots::inspection::store {

struct StoredDecision {
  int64_t id = 0;
  int64_t org_id = 0;
  int64_t version = 0;
  grassroots::inspection::v1::DisciplineDecision record;  // name, effects and etag filled
};

struct StoredAppeal {
  int64_t id = 0;
  int64_t decision_id = 0;
  int64_t resolving_org_id = 0;
  int64_t version = 0;
  grassroots::inspection::v1::Appeal record;
};

// One effect as the worker sees it.
struct PendingEffect {
  int64_t id = 0;
  int64_t decision_id = 0;
  grassroots::inspection::v1::EffectKind kind = grassroots::inspection::v1::EFFECT_KIND_UNSPECIFIED;
  std::string target;
  std::string idempotency_key;
  int32_t attempts = 0;
};

struct DecisionFilter {
  std::vector<int64_t> org_ids;  // deciding organizations; empty with a subject: any
  std::optional<int64_t> subject_org_id;
  std::optional<int64_t> subject_member_id;
  int32_t form = 0;
  int32_t year = 0;
};

class DisciplineStore {
 public:
  // Inserts the decision (the limitation and subject kind already computed in record).
  absl::StatusOr<int64_t> InsertDecision(common::db::Session& session, int64_t org_id,
                                         const grassroots::inspection::v1::DisciplineDecision& record);
  absl::StatusOr<std::optional<StoredDecision>> GetDecision(common::db::Session& session, int64_t id,
                                                            bool for_update);
  // The outcome of an appeal on the decision and the form in force after it.
  absl::Status SetAppealOutcome(common::db::Session& session, int64_t id,
                                grassroots::inspection::v1::AppealOutcome outcome,
                                grassroots::inspection::v1::DisciplineForm form_in_force);
  absl::StatusOr<std::vector<StoredDecision>> ListDecisions(common::db::Session& session, const DecisionFilter& filter,
                                                            int64_t after_id, int32_t limit);

  // A pending effect; ALREADY_EXISTS is impossible by construction (the key names the decision and kind).
  absl::Status AddEffect(common::db::Session& session, int64_t decision_id, grassroots::inspection::v1::EffectKind kind,
                         const std::string& target, const std::string& idempotency_key);
  // Claims up to `limit` pending effects that are due, skipping rows another
  // replica holds, and leases them for `lease` (their next attempt moves out by
  // it, so a crashed claimer's effects come due again).
  absl::StatusOr<std::vector<PendingEffect>> ClaimDueEffects(common::db::Session& session, int32_t limit,
                                                             absl::Duration lease);
  absl::Status MarkApplied(common::db::Session& session, int64_t effect_id);
  absl::Status MarkRetry(common::db::Session& session, int64_t effect_id, const std::string& error,
                         absl::Duration delay);
  absl::Status MarkRefused(common::db::Session& session, int64_t effect_id, const std::string& error);
  absl::StatusOr<int64_t> CountPendingEffects(common::db::Session& session);

  absl::StatusOr<int64_t> InsertAppeal(common::db::Session& session, int64_t decision_id, int64_t resolving_org_id,
                                       const grassroots::inspection::v1::Appeal& record);
  absl::StatusOr<std::optional<StoredAppeal>> GetAppeal(common::db::Session& session, int64_t id, bool for_update);
  absl::Status ResolveAppeal(common::db::Session& session, int64_t id, const grassroots::inspection::v1::Appeal& record);
  // Unresolved appeals on decisions of these organizations or resolved by them, due by `due_by` ("" any).
  absl::StatusOr<std::vector<StoredAppeal>> ListOpenAppeals(common::db::Session& session,
                                                            const std::vector<int64_t>& org_ids,
                                                            const std::string& due_by, int64_t after_id,
                                                            int32_t limit);
  // Whether the decision has an unresolved appeal.
  absl::StatusOr<bool> HasOpenAppeal(common::db::Session& session, int64_t decision_id);

 private:
  absl::Status LoadEffects(common::db::Session& session, StoredDecision& stored);
};

}  // namespace grassroots::inspection::store
