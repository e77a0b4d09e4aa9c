#pragma once
// What every membership handler needs, built once in main.cc and shared.
#include "common/api/api.h"
#include "common/auth/auth.h"
#include "common/db/db.h"
#include "common/feed/audit_writer.h"
#include "common/db/read_router.h"
#include "common/rules/rules_registry.h"
#include "services/membership/domain/code_lists.h"
#include "common/calendar/working_calendar.h"
#include "services/membership/store/event_store.h"
#include "services/membership/store/member_store.h"
#include "services/membership/store/rights_store.h"
#include "services/membership/store/yearly_store.h"
#include "services/orgtree/cell_directory.h"
#include "services/orgtree/org_projection.h"

namespace grassroots::membership {

struct HandlerContext {
  common::db::ConnectionPool& pool;
  const common::auth::Authorizer& authorizer;
  const common::RulesRegistry& rules;
  const common::WorkingCalendar& calendar;
  const common::api::PageTokenCodec& page_tokens;
  orgtree::CellDirectory& cells;
  orgtree::OrgProjection& projection;
  store::MemberStore& members;
  store::EventStore& events;
  store::YearlyStore& yearly;
  // Ethnicity and religion codes (data/codes).
  const domain::CodeLists& codes;
  // Correction requests, the read audit and feed disclosures of one member.
  store::RightsStore& rights;
  // Where the entries of audited reads go (written within its flush interval).
  common::feed::AuditWriter& read_audit;
  // The data reads of searches and lists, which a read replica may serve;
  // scope checks and anything a write decides on read `pool`.
  common::db::ReadRouter& replica_reads;
};

}  // namespace grassroots::membership
