#pragma once
// What every reporting handler needs, built once by ReportingServices.
#include <map>
#include <string>

#include "common/api/api.h"
#include "common/auth/auth.h"
#include "common/db/db.h"
#include "common/rules/rules_registry.h"
#include "services/orgtree/org_projection.h"
#include "services/reporting/domain/plan.h"

namespace grassroots::reporting {

class StoredPlanCache;  // handlers/plan_lookup.h

// The plans the service knows, by id, and the one whose targets apply when a
// request names none (the seed plan).
struct PlanCatalog {
  std::map<std::string, domain::Plan> plans;
  std::string default_plan_id;
};

struct HandlerContext {
  common::db::ConnectionPool& pool;
  const common::auth::Authorizer& authorizer;
  const common::RulesRegistry& rules;
  const common::api::PageTokenCodec& page_tokens;
  // The current tree (scope checks of callers).
  orgtree::OrgProjection& organizations;
  const PlanCatalog& plans;
  // The plans committees loaded (PlanService); null: the catalog's only.
  StoredPlanCache* stored_plans = nullptr;
};

}  // namespace grassroots::reporting
