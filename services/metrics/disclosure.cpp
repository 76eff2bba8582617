#include "services/metrics/disclosure.h"

namespace carelog::metrics {

bool IsWithheldCount(int64_t count) { return count >= 1 && count <= 7; }

std::optional<int64_t> DiscloseCount(int64_t count) {
  if (IsWithheldCount(count)) return std::nullopt;
  if (count < 0)
    return count;  // not a count of things; never happens for projections
  int64_t rest = count % 5;
  return rest >= 3 ? count - rest + 5 : count - rest;
}

bool AnyWithheld(std::initializer_list<int64_t> counts) {
  for (int64_t c : counts) {
    if (IsWithheldCount(c)) return true;
  }
  return false;
}

}  // namespace carelog::metrics
