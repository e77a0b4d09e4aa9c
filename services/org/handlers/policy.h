#pragma once
// Which roles may call each org-service method (deny by default). Object-level
// scope is checked in the handlers on top of this.
#include "common/auth/auth.h"

namespace grassroots::org {

// Every method of OrganizationService, CommitteeService, ResidentialUnitService,
// MeetingService, RecognitionService and the change feed.
common::auth::MethodPolicy MakeOrgMethodPolicy();

}  // namespace grassroots::org
