#pragma once
// Which roles may call each membership method (deny by default). Object-level
// access (the member's cell in the caller's scope, a member's own record) is
// checked in the handlers on top of this.
#include "common/auth/auth.h"

namespace grassroots::membership {

// Every method of MemberService, LifecycleService, YearlyRecordService,
// MemberImportService, MemberSyncService, DuesService and the change feed.
common::auth::MethodPolicy MakeMembershipMethodPolicy();

}  // namespace grassroots::membership
