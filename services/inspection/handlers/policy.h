#pragma once
#include "common/auth/auth.h"

namespace grassroots::inspection {

// Which roles may call each inspection method (object scope is checked by the handlers).
common::auth::MethodPolicy MakeInspectionMethodPolicy();

}  // namespace grassroots::inspection
