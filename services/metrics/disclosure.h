// Disclosure control of SPEC.md: what commissioners see is aggregate only. A
// count of 0 stays 0, a count from 1 to 7 is withheld, other counts are shown
// rounded to the nearest 5. Values are computed from exact counts and withheld
// when any count they are computed from is withheld. Payments never pass
// through here.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>

namespace carelog::metrics {

// True for a count from 1 to 7.
bool IsWithheldCount(int64_t count);
// The count as shown: 0, nullopt (withheld) or rounded to the nearest 5.
std::optional<int64_t> DiscloseCount(int64_t count);
// True when a value computed from these exact counts must be withheld.
bool AnyWithheld(std::initializer_list<int64_t> counts);

}  // namespace carelog::metrics
