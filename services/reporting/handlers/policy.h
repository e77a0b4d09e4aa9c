#pragma once
#include "common/auth/auth.h"

namespace grassroots::reporting {

// Who may call which reporting method (object scope is checked per call).
common::auth::MethodPolicy MakeReportingMethodPolicy();

}  // namespace grassroots::reporting
