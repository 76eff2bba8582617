// The plans of the synthetic area for 2014-15 and 2015-16 under both payment
// schemes of SPEC.md: the July 2014 scheme (nonElectiveAdmissions in quarterly
// tranches at unitCostGbp 1490) and the December 2013 scheme (fixed tranches on
// several metrics, one of them for the conditions).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "carelog/admin.pb.h"
#include "services/synthetic_area.h"

namespace carelog {

// Baselines of nonElectiveAdmissions come from the area's own admissions (as if
// the year before had been a little busier); the other metrics use
// national-style baselines and targets.
std::vector<std::pair<std::string, schema::Plan>> SyntheticPlans(
    const SyntheticArea& area, double residents);

}  // namespace carelog
