#pragma once
// What every org handler needs, built once in main.cc and shared.
#include "common/api/api.h"
#include "common/auth/auth.h"
#include "common/db/db.h"
#include "common/rules/rules_registry.h"
#include "services/org/handlers/member_directory.h"
#include "services/org/store/organization_store.h"

namespace grassroots::org {

struct HandlerContext {
  common::db::ConnectionPool& pool;
  const common::auth::Authorizer& authorizer;
  const common::RulesRegistry& rules;
  const common::api::PageTokenCodec& page_tokens;
  store::OrganizationStore& organizations;
  // The membership service, when configured (GRASSROOTS_MEMBERSHIP_TARGET); null otherwise.
  MemberDirectory* members = nullptr;
};

}  // namespace grassroots::org
