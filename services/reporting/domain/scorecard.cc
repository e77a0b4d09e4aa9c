#include "services/reporting/domain/scorecard.h"
