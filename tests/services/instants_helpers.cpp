#include <gtest/gtest.h>

#include "tests/services/instants.h"

namespace carelog::testing {

Instant At(const std::string& rfc3339) {
  auto instant = ParseRfc3339(rfc3339);
  EXPECT_TRUE(instant.ok()) << rfc3339 << ": " << instant.status().ToString();
  return instant.ok() ? *instant : 0;
}

}  // namespace carelog::testing
