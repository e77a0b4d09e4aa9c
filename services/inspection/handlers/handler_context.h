#pragma once
// What every inspection handler needs, built once by InspectionServices.
#include "common/api/api.h"
#include "common/auth/auth.h"
#include "common/calendar/working_calendar.h"
#include "common/db/db.h"
#include "common/rules/rules_registry.h"
#include "services/inspection/handlers/member_standing.h"
#include "services/inspection/store/case_store.h"
#include "services/inspection/store/program_store.h"
#include "services/orgtree/org_projection.h"

namespace grassroots::inspection {

struct HandlerContext {
  common::db::ConnectionPool& pool;
  const common::auth::Authorizer& authorizer;
  const common::RulesRegistry& rules;
  const common::WorkingCalendar& calendar;
  const common::api::PageTokenCodec& page_tokens;
  // Inspection's own copy of the organization tree (scope checks, subjects).
  orgtree::OrgProjection& organizations;
  // What membership says about a member on a day (subjects, discipline).
  MemberStanding& members;
  store::ProgramStore& programs;
  store::CaseStore& cases;
};

}  // namespace grassroots::inspection
