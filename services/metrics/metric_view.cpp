#include "services/metrics/metric_view.h"

#include "services/metrics/disclosure.h"

namespace carelog::metrics {

ShownMetric Show(const MetricValue& exact) {
  ShownMetric shown;
  shown.metric = exact.metric;
  bool withheld = false;
  for (int64_t c : exact.counts) withheld = withheld || IsWithheldCount(c);
  if (exact.numerator) {
    shown.numerator = DiscloseCount(*exact.numerator);
    withheld = withheld || !shown.numerator;
  }
  if (exact.denominator) {
    if (exact.denominator_is_population) {
      shown.denominator = exact.denominator;
    } else {
      shown.denominator = DiscloseCount(*exact.denominator);
      withheld = withheld || !shown.denominator;
    }
  }
  shown.suppressed = withheld;
  if (exact.value && !withheld) {
    if (MetricValueKind(exact.metric) == ValueKind::kCount) {
      // A count-valued metric shows its value rounded like any count.
      shown.value =
          static_cast<double>(DiscloseCount(exact.counts.front()).value_or(0));
    } else {
      shown.value = exact.value->ToDouble();
    }
    if (exact.rate_per_100k)
      shown.rate_per_100k = exact.rate_per_100k->ToDouble();
  }
  if (exact.breakdown) {
    shown.has_breakdown = true;
    for (const auto& [k, v] : exact.breakdown->by_agency)
      shown.by_agency[k] = DiscloseCount(v);
    for (const auto& [k, v] : exact.breakdown->by_reason)
      shown.by_reason[k] = DiscloseCount(v);
  }
  return shown;
}

}  // namespace carelog::metrics
