#include "services/metrics/payment_calculator.h"

#include <cmath>
#include <cstdio>
#include <utility>

namespace carelog::metrics {
namespace {

Exact Clamp01(const Exact& v) {
  if (v < 0) return Exact(0);
  if (v > 1) return Exact(1);
  return v;
}

}  // namespace

Exact MetricAchievement(Direction direction, const Fraction& baseline,
                        const Fraction& target,
                        const std::optional<Fraction>& actual) {
  if (!actual) return Exact(0);
  const bool lower = direction == Direction::kLower;
  const Exact b = ToExact(baseline), t = ToExact(target), a = ToExact(*actual);
  if (b == t) {
    const bool as_good = lower ? a <= b : a >= b;
    return Exact(as_good ? 1 : 0);
  }
  const Exact gained = lower ? b - a : a - b;
  const Exact planned = lower ? b - t : t - b;
  return Clamp01(gained / planned);
}

Result<TrancheResult> PaymentCalculator::Calculate(
    const TrancheInput& tranche) {
  if (tranche.metrics.empty()) {
    return Status(Code::kInvalidArgument,
                  "tranche " + tranche.id + " names no metric");
  }
  if (tranche.amount_pence.has_value() == tranche.unit_cost_pence.has_value()) {
    return Status(Code::kInvalidArgument,
                  "tranche " + tranche.id +
                      " needs exactly one of amountGbp and unitCostGbp");
  }
  if (tranche.unit_cost_pence && tranche.metrics.size() != 1) {
    return Status(Code::kInvalidArgument,
                  "tranche " + tranche.id +
                      " has a unitCostGbp and so exactly one metric");
  }
  TrancheResult result;
  result.id = tranche.id;
  result.period = tranche.period;
  if (tranche.amount_pence) {
    result.pot_pence = *tranche.amount_pence;
  } else {
    const TrancheMetricInput& m = tranche.metrics.front();
    const Exact diff = abs(ToExact(m.baseline) - ToExact(m.target));
    result.pot_pence = RoundHalfUp(diff * *tranche.unit_cost_pence);
  }
  Exact weighted_sum = 0;
  Exact weight_sum = 0;
  for (const TrancheMetricInput& m : tranche.metrics) {
    TrancheMetricResult r{m.metric, m.weight, m.baseline,
                          m.target, m.actual, Exact(0)};
    r.achievement = MetricAchievement(MetricDirection(m.metric), m.baseline,
                                      m.target, m.actual);
    const Exact weight = ToExact(m.weight);
    weighted_sum += weight * r.achievement;
    weight_sum += weight;
    result.metrics.push_back(std::move(r));
  }
  if (weight_sum <= 0) {
    return Status(Code::kInvalidArgument,
                  "tranche " + tranche.id + ": weights sum to zero");
  }
  result.achievement = weighted_sum / weight_sum;
  result.earned_pence = RoundHalfUp(result.achievement * result.pot_pence);
  result.withheld_pence = result.pot_pence - result.earned_pence;
  result.recovery_plan_required = result.achievement < Exact(7, 10);
  return result;
}

std::string PenceToPounds(int64_t pence) {
  char buf[40];
  int64_t a = pence < 0 ? -pence : pence;
  std::snprintf(buf, sizeof buf, "%s%lld.%02lld", pence < 0 ? "-" : "",
                static_cast<long long>(a / 100),
                static_cast<long long>(a % 100));
  return buf;
}

int64_t PoundsToPence(double pounds) { return std::llround(pounds * 100.0); }

}  // namespace carelog::metrics
