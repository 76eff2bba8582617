// A metric as a commissioner sees it (SPEC.md "Disclosure control"): counts of
// 0 stay 0, counts from 1 to 7 are withheld (null), others are rounded to the
// nearest 5; the value is computed from the exact counts and withheld when any
// of them is withheld; `suppressed` says something was withheld. Populations
// are public figures and shown as they are.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "services/metrics/metric_calculator.h"

namespace carelog::metrics {

struct ShownMetric {
  MetricId metric = MetricId::kNonElectiveAdmissions;
  std::optional<double> value;
  std::optional<int64_t> numerator;
  std::optional<int64_t> denominator;
  bool suppressed = false;
  std::optional<double> rate_per_100k;
  bool has_breakdown = false;
  std::map<std::string, std::optional<int64_t>> by_agency;
  std::map<std::string, std::optional<int64_t>> by_reason;
};

ShownMetric Show(const MetricValue& exact);

}  // namespace carelog::metrics
