// The PaymentCalculator of SPEC.md "Plans and performance payments": per
// tranche the pot, each metric's achievement (direction-aware, clamped to [0,
// 1]; target = baseline gives 1 when the actual is at least as good, else 0),
// the weighted achievement, earned (rounded half up to the penny), withheld =
// pot - earned and whether a recovery plan is required (weighted < 0.70). Money
// is in integer pence; achievements are exact rationals of any size, so no
// tranche's figures can make a penny depend on rounding. Actuals are exact,
// never disclosure-controlled.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "services/metrics/exact.h"
#include "services/metrics/fraction.h"
#include "services/metrics/metric_ids.h"
#include "storage/status.h"

namespace carelog::metrics {

struct TrancheMetricInput {
  MetricId metric;
  Fraction weight;
  Fraction baseline;
  Fraction target;
  std::optional<Fraction>
      actual;  // nullopt: no data for the period (achievement 0)
};

struct TrancheInput {
  std::string id;
  std::string period;
  std::optional<int64_t> amount_pence;  // a fixed pot, or
  std::optional<int64_t>
      unit_cost_pence;  // pot = |baseline - target| x unit cost (one metric)
  std::vector<TrancheMetricInput> metrics;
};

struct TrancheMetricResult {
  MetricId metric;
  Fraction weight;
  Fraction baseline;
  Fraction target;
  std::optional<Fraction> actual;
  Exact achievement;
};

struct TrancheResult {
  std::string id;
  std::string period;
  int64_t pot_pence = 0;
  Exact achievement;  // weighted
  int64_t earned_pence = 0;
  int64_t withheld_pence = 0;
  bool recovery_plan_required = false;
  std::vector<TrancheMetricResult> metrics;
};

// The achievement of one metric.
Exact MetricAchievement(Direction direction, const Fraction& baseline,
                        const Fraction& target,
                        const std::optional<Fraction>& actual);

class PaymentCalculator {
 public:
  // kInvalidArgument when the tranche has no metrics, both or neither of amount
  // and unit cost, a unit cost with more than one metric, or weights that sum
  // to zero or less.
  static Result<TrancheResult> Calculate(const TrancheInput& tranche);
};

// Pounds from pence as a decimal with two places, e.g. 14900000 -> "149000.00".
std::string PenceToPounds(int64_t pence);
// Pence from pounds given as a double with at most two decimals.
int64_t PoundsToPence(double pounds);

}  // namespace carelog::metrics
