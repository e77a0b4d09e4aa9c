#pragma once
// Finding a plan by id: the start-up catalog (the built-in plan file) first,
// then the plans committees stored (PlanService.LoadPlan), parsed once and
// kept in memory: a stored plan never changes (a new version is a new id).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/db/db.h"
#include "services/reporting/domain/plan.h"

namespace grassroots::reporting {

struct HandlerContext;

// A plan and where it comes from.
struct KnownPlan {
  const domain::Plan* plan = nullptr;
  bool built_in = false;
  int64_t org_id = 0;  // the adopting organization; 0 for a built-in plan
  std::string loaded_by;
};

class StoredPlanCache {
 public:
  explicit StoredPlanCache(common::db::ConnectionPool& pool) : pool_(pool) {}

  // The stored plan of that id (read and parsed on first use); nullopt when none is stored.
  absl::StatusOr<std::optional<KnownPlan>> Find(const std::string& plan_id);
  // Keeps a plan just stored (its transaction committed).
  KnownPlan Remember(domain::Plan plan, int64_t org_id, std::string loaded_by);

 private:
  struct Entry {
    domain::Plan plan;
    int64_t org_id = 0;
    std::string loaded_by;
  };
  KnownPlan Keep(std::unique_ptr<Entry> entry) ABSL_LOCKS_EXCLUDED(mu_);

  common::db::ConnectionPool& pool_;
  absl::Mutex mu_;
  // Entries are never removed: the pointers handed out stay valid.
  std::map<std::string, std::unique_ptr<const Entry>> plans_ ABSL_GUARDED_BY(mu_);
};

// "plans/{id}" -> id; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::string> ParsePlanName(std::string_view name, std::string_view field);
// The plan of that id, built in or stored; NOT_FOUND naming `field` when there is none.
absl::StatusOr<KnownPlan> ResolvePlan(const HandlerContext& ctx, const std::string& plan_id, std::string_view field);

}  // namespace grassroots::reporting
