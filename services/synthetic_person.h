// One resident of the synthetic area and their care events (see
// services/synthetic_area.h): the hospital spells, A&E attendances, referrals,
// joint assessments, packages, care-home placements, follow-ups, surveys and
// deaths of one person, at rates that depend on their age and frailty.
#pragma once

#include <cstdint>
#include <string>

#include "services/calendar.h"
#include "services/synthetic_area.h"

namespace carelog {

struct SyntheticPersonSpec {
  uint64_t seed = 0;  // the person's own seed
  std::string nhs_number;
  std::string area_code;
  Date birth_date;
  Instant registered_at = 0;  // occurredAt of personRegistered
  Instant end = 0;  // nothing occurs or is recorded after this instant
};

struct SyntheticPersonOutcome {
  SyntheticPerson person;
  Instant died_at = 0;  // 0 if alive at the end
};

SyntheticPersonOutcome GenerateSyntheticPerson(const SyntheticPersonSpec& spec);

// A UUID (version 4 layout) derived from the 64-bit key: event ids of the
// synthetic area.
std::string SyntheticUuid(uint64_t key);

}  // namespace carelog
