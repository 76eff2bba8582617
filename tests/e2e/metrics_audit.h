// The borough of the metrics audit (tests/e2e/metrics_audit_test.cpp): its
// populations, its 2015-16 plan of probe tranches and the care events worked
// by hand in 2015-16, put through the real server.
#pragma once

#include <string>

#include "tests/e2e/worked_examples.h"

namespace carelog::e2e::worked::audit {

// Area populations: mid-2014 58,000 / 120,000 / 20,000; mid-2015 60,000 /
// 130,000 / 25,000.
extern const char kTwoYears[];

// The 2015-16 plan: a tranche per probe (see metrics_audit_helpers.cpp) and
// May's unit-cost tranche; `pa18_target` is the 18-64 target of Q1.
std::string Plan(double pa18_target);

// Records the borough's people through `port` with a practitioner token of
// area A: the events first, then (after the instant it returns) the late
// corrections and retractions. The caller changes the plan afterwards.
std::string RecordTheBorough(uint16_t port, const std::string& practitioner);

}  // namespace carelog::e2e::worked::audit
