// Instants for tests, written as RFC 3339 text.
#pragma once

#include <string>

#include "services/calendar.h"

namespace carelog::testing {

// The instant of an RFC 3339 time with offset; fails the test (and answers 0)
// when the text is not one.
Instant At(const std::string& rfc3339);

}  // namespace carelog::testing
