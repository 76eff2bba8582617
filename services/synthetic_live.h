// The demo's present day: a few residents of a synthetic area who are in
// hospital now, ready to leave and waiting (with and without a recorded
// reason), with open integrated packages (some without an accountable
// professional) and reablement discharges whose day-91 follow-up is due. It
// gives the live worklists something to show; the history of synthetic_area.h
// ends in 2016.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "services/calendar.h"
#include "services/synthetic_area.h"

namespace carelog {

struct LiveCohortOptions {
  uint64_t seed = 20140401;
  std::string area_code = "E09000099";
  int people = 40;
  uint64_t first_nhs_index = 800000;  // cursor of the cohort's test NHS numbers
};

// People whose events all occur before `now` (recorded at `now`), in recording
// order. The same options and the same London date of `now` give the same
// people and events.
std::vector<SyntheticPerson> GenerateLiveCohort(
    const LiveCohortOptions& options, Instant now);

}  // namespace carelog
