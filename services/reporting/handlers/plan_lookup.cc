#include "services/reporting/handlers/plan_lookup.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/reporting/handlers/handler_context.h"
#include "services/reporting/store/plan_store.h"

namespace grassroots::reporting {

absl::StatusOr<std::optional<KnownPlan>> StoredPlanCache::Find(const std::string& plan_id) {
  {
    absl::MutexLock lock(&mu_);
    auto it = plans_.find(plan_id);
    if (it != plans_.end()) return KnownPlan{&it->second->plan, false, it->second->org_id, it->second->loaded_by};
  }
  GR_ASSIGN_OR_RETURN(std::optional<store::StoredPlan> stored,
                      pool_.Read<std::optional<store::StoredPlan>>("plan.get", [&](common::db::Session& session) {
                        return store::PlanStore::GetPlan(session, plan_id);
                      }));
  if (!stored) return std::nullopt;
  absl::StatusOr<domain::Plan> plan = domain::ParsePlan(stored->plan_json);
  if (!plan.ok()) {
    // It was valid when loaded: a parser that changed since must not hide it silently.
    return absl::InternalError(absl::StrCat("stored plan ", plan_id, " no longer parses: ", plan.status().message()));
  }
  return Keep(std::make_unique<Entry>(Entry{*std::move(plan), stored->org_id, stored->loaded_by}));
}

KnownPlan StoredPlanCache::Remember(domain::Plan plan, int64_t org_id, std::string loaded_by) {
  return Keep(std::make_unique<Entry>(Entry{std::move(plan), org_id, std::move(loaded_by)}));
}

KnownPlan StoredPlanCache::Keep(std::unique_ptr<Entry> entry) {
  absl::MutexLock lock(&mu_);
  const std::string id = entry->plan.id;
  // Two readers may parse the same plan at once: the first kept wins, both see it.
  auto [it, inserted] = plans_.emplace(id, std::move(entry));
  return KnownPlan{&it->second->plan, false, it->second->org_id, it->second->loaded_by};
}

absl::StatusOr<std::string> ParsePlanName(std::string_view name, std::string_view field) {
  constexpr std::string_view kPrefix = "plans/";
  if (!name.starts_with(kPrefix) || name.size() == kPrefix.size() ||
      name.find('/', kPrefix.size()) != std::string_view::npos) {
    return common::InvalidField(field, "must look like plans/{id}");
  }
  return std::string(name.substr(kPrefix.size()));
}

absl::StatusOr<KnownPlan> ResolvePlan(const HandlerContext& ctx, const std::string& plan_id, std::string_view field) {
  auto built_in = ctx.plans.plans.find(plan_id);
  if (built_in != ctx.plans.plans.end()) return KnownPlan{&built_in->second, true, 0, ""};
  if (ctx.stored_plans != nullptr) {
    GR_ASSIGN_OR_RETURN(std::optional<KnownPlan> stored, ctx.stored_plans->Find(plan_id));
    if (stored) return *stored;
  }
  return absl::NotFoundError(absl::StrCat(std::string(field), ": no plan plans/", plan_id));
}

}  // namespace grassroots::reporting
