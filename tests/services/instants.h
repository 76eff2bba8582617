// Instants for tests, written as RFC 3339 text.
#pragma once

#include <string>

#include "services/calendar.h"

namespace carelog::testing {

// The instant of an RFC 3339 time with offset; fails the test (and answers 0)
// when the text is not one.
Instant At(const std::string& rfc3339);

// 2030-01-01T00:00:00Z: a clock set to it has seen every event of the tests
// occur.
inline constexpr Instant kAfterEveryEvent = 1'893'456'000'000'000;

}  // namespace carelog::testing
